/**
 * Side-by-side benchmark (not a test): `npx tsx scripts/bench-peers.ts CORPUS [--peers DIR]`.
 *
 * One run on one machine, each tool in its own child process (so peak RSS is per tool):
 *  - bare tree-sitter parse with our grammar, one thread: the floor for any analysis;
 *  - our CLI (`dist/cli.js`, build first): --no-imports on 1 thread and on the default workers,
 *    then imports followed (the default);
 *  - Ruff's WebAssembly build with its async rules (ASYNC, RUF006, RUF029, PLE1142);
 *  - the pyright CLI (counting reportUnusedCoroutine), bounded by a timeout.
 *
 * The peers are not dependencies of this repository: install them elsewhere and point at their
 * node_modules with --peers or BENCH_PEERS (default /tmp/peer-tools/node_modules):
 *   mkdir -p /tmp/peer-tools && cd /tmp/peer-tools && npm init -y &&
 *   npm install --save-exact @astral-sh/ruff-wasm-nodejs@0.17.4 pyright@1.1.414
 * A missing peer is reported and skipped, the rest still runs.
 *
 * Options: --peers DIR, --pyright-timeout SECONDS (default 600), --skip pyright,ruff,... (names
 * from the table), --json FILE (raw results).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scanCorpus, type CorpusStats } from './bench-peers/corpus';
import { lastJsonLine, measure, type Measured } from './bench-peers/measure';
import { formatReport, type Row } from './bench-peers/report';

const REPO_ROOT = path.resolve(__dirname, '..');

interface Options {
  corpus: string;
  peers: string;
  pyrightTimeout: number;
  skip: Set<string>;
  json: string | undefined;
}

function parseArgs(argv: string[]): Options {
  let corpus: string | undefined;
  let peers = process.env.BENCH_PEERS ?? '/tmp/peer-tools/node_modules';
  let pyrightTimeout = 600;
  let skip = new Set<string>();
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--peers') peers = value();
    else if (arg === '--pyright-timeout') pyrightTimeout = Number(value());
    else if (arg === '--skip') skip = new Set(value().split(','));
    else if (arg === '--json') json = value();
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else corpus = arg;
  }
  if (!corpus) throw new Error('usage: bench-peers.ts CORPUS [--peers DIR] [--pyright-timeout S] [--skip a,b] [--json FILE]');
  return { corpus: path.resolve(corpus), peers: path.resolve(peers), pyrightTimeout, skip, json };
}

function failed(m: Measured, what: string): string | undefined {
  if (m.timedOut) return `did not finish in time (${m.wallSeconds.toFixed(0)} s)`;
  // Our CLI and pyright exit 1 when they report findings; 2 and above is a real failure.
  if (m.exitCode === null || m.exitCode > 1) return `${what} failed (exit ${m.exitCode}): ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`;
  return undefined;
}

async function bareParse(listFile: string): Promise<Row> {
  const m = await measure(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bench-peers', 'parse-child.ts'), listFile, REPO_ROOT], {
    cwd: REPO_ROOT, timeoutSeconds: 600, label: 'parse',
  });
  const error = failed(m, 'parse');
  if (error) return { tool: 'tree-sitter parse only (1 thread)', m, error };
  const r = lastJsonLine<{ workSeconds: number; files: number; maxRssKb: number }>(m.stdoutFile);
  return { tool: 'tree-sitter parse only (1 thread)', m, workSeconds: r.workSeconds, files: r.files, peakRssKb: m.peakRssKb ?? r.maxRssKb, findings: undefined };
}

async function ruff(listFile: string, peers: string): Promise<Row> {
  const tool = 'Ruff WASM (ASYNC, RUF006, RUF029, PLE1142)';
  if (!fs.existsSync(path.join(peers, '@astral-sh', 'ruff-wasm-nodejs'))) return { tool, error: `not installed in ${peers}` };
  const m = await measure(process.execPath, [path.join(__dirname, 'bench-peers', 'ruff-child.mjs'), listFile, peers], {
    cwd: REPO_ROOT, timeoutSeconds: 600, label: 'ruff',
  });
  const error = failed(m, 'ruff');
  if (error) return { tool, m, error };
  const r = lastJsonLine<{ version: string; workSeconds: number; files: number; findings: number; syntaxErrors: number; byCode: Record<string, number> }>(m.stdoutFile);
  const codes = Object.entries(r.byCode).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  return { tool: `Ruff WASM ${r.version} (ASYNC, RUF006, RUF029, PLE1142)`, m, workSeconds: r.workSeconds, files: r.files, findings: r.findings, note: `${codes}; not counted: ${r.syntaxErrors} invalid-syntax` };
}

interface PyrightReport {
  version: string;
  generalDiagnostics: Array<{ rule?: string; severity: string }>;
  summary: { filesAnalyzed: number; timeInSec: number };
}

async function pyright(corpus: string, peers: string, timeoutSeconds: number): Promise<Row> {
  const tool = 'pyright CLI (reportUnusedCoroutine)';
  const entry = path.join(peers, 'pyright', 'index.js');
  if (!fs.existsSync(entry)) return { tool, error: `not installed in ${peers}` };
  const m = await measure(process.execPath, [entry, '--outputjson', corpus], { cwd: corpus, timeoutSeconds, label: 'pyright' });
  const error = failed(m, 'pyright');
  if (error) return { tool, m, error };
  const r = JSON.parse(fs.readFileSync(m.stdoutFile, 'utf8')) as PyrightReport;
  const unused = r.generalDiagnostics.filter((d) => d.rule === 'reportUnusedCoroutine').length;
  return {
    tool: `pyright ${r.version} (reportUnusedCoroutine)`, m, files: r.summary.filesAnalyzed, findings: unused,
    note: `${r.generalDiagnostics.length} diagnostics of all rules; pyright's own timer ${r.summary.timeInSec.toFixed(1)} s`,
  };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const corpus: CorpusStats = scanCorpus(options.corpus);
  const listFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-peers-')), 'files.txt');
  fs.writeFileSync(listFile, corpus.files.join('\n') + '\n');
  const cores = os.availableParallelism();
  console.error(`corpus ${options.corpus}: ${corpus.files.length} files, ${(corpus.bytes / 1e6).toFixed(1)} MB, ${corpus.lines.toLocaleString('en')} lines; ${cores} cores; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const rows: Row[] = [];
  const run = async (key: string, job: () => Promise<Row>) => {
    if (options.skip.has(key)) return;
    console.error(`running ${key}...`);
    const row = await job();
    row.key = key;
    rows.push(row);
    console.error(`  ${row.error ?? `${row.m?.wallSeconds.toFixed(1)} s`}`);
  };
  const cliTimeout = 1200;
  // The CLI runs from inside the corpus (`check .`) so paths and .gitignore lookups match a user's run.
  const inCorpus = (label: string, flags: string[]) => () => oursIn(options.corpus, label, flags, cliTimeout);
  await run('parse', () => bareParse(listFile));
  await run('ours-noimports-j1', inCorpus('--no-imports -j 1, no cache', ['--no-imports', '-j', '1', '--no-cache']));
  await run('ours-noimports', inCorpus(`--no-imports (default: ${cores} workers), no cache`, ['--no-imports', '--no-cache']));
  await run('ours', inCorpus(`imports followed (default, ${cores} workers), no cache`, ['--no-cache']));
  // A user's first run: the default, which writes a fresh result cache. Warm: the next run, every file unchanged.
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-peers-cache-'));
  const fill = inCorpus(`first run (default: imports followed, ${cores} workers), writing a fresh result cache`, ['--cache-dir', cacheDir]);
  await run('ours-first', fill);
  await run('ours-warm', async () => {
    if (options.skip.has('ours-first')) await fill();
    return oursIn(options.corpus, 'warm: nothing changed since the last run (result cache)', ['--cache-dir', cacheDir], cliTimeout);
  });
  await run('ruff', () => ruff(listFile, options.peers));
  await run('pyright', () => pyright(options.corpus, options.peers, options.pyrightTimeout));

  console.log(formatReport({ corpus, cores, rows, node: process.version, loadavg: os.loadavg() }));
  if (options.json) fs.writeFileSync(options.json, JSON.stringify({ corpus: { ...corpus, files: corpus.files.length }, cores, rows }, null, 2));
}

async function oursIn(corpus: string, label: string, flags: string[], timeoutSeconds: number): Promise<Row> {
  const tool = `async-pitfalls ${label}`;
  const m = await measure(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), 'check', '.', '--format', 'json', '--no-progress', ...flags], {
    cwd: corpus, timeoutSeconds, label: 'ours',
  });
  const error = failed(m, tool);
  if (error) return { tool, m, error };
  const report = JSON.parse(fs.readFileSync(m.stdoutFile, 'utf8')) as { diagnostics: unknown[] };
  return { tool, m, findings: report.diagnostics.length };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
