/**
 * Benchmark (not a test): how analysis time grows with the size of a file and of a workspace.
 *
 *   npm run bench:growth [-- CORPUS_DIR] [--runs N] [--skip-files] [--skip-workspace]   (default: /tmp/corpus)
 *
 * (a) One file at about 1,000, 10,000 and 100,000 lines, made by concatenating corpus files (in
 *     path order, only files that parse without errors; the result is checked to parse too) and
 *     analyzed in-process through the engine: parse alone and parse + analysis, median of runs.
 * (b) The CLI (`dist/cli.js check ... --no-progress --format json --no-cache`, so that every run
 *     analyzes every file) on three nested subsets of the corpus chosen by top-level folder: the
 *     third-party projects (about a quarter of the lines), those plus CPython's library (about
 *     half), and everything. Wall time and CPU time of the child process, median of runs.
 * Prints markdown tables; the ratio columns compare each size with the previous one.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSource, type Engine } from '../server/src/core/engine';
import { collectPythonFiles } from '../server/src/workspace/files';
import { REPO_ROOT, testEngine } from '../test/helpers/engine';

const FILE_SIZES = [1_000, 10_000, 100_000];
/** Small inputs are timed more often: their single runs are short and noisier. */
const RUNS_BY_SIZE = new Map([
  [1_000, 21],
  [10_000, 9],
  [100_000, 5],
]);

function loadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Corpus files that decode and parse without errors, in path order. */
function parseableSources(engine: Engine, corpus: string): Array<{ file: string; text: string }> {
  const sources: Array<{ file: string; text: string }> = [];
  for (const file of [...collectPythonFiles([corpus])].sort()) {
    const decoded = decodeSource(fs.readFileSync(file));
    if (!decoded.ok) continue;
    const tree = engine.parse(decoded.text);
    const clean = !tree.rootNode.hasError;
    tree.delete();
    if (clean) sources.push({ file, text: decoded.text.endsWith('\n') ? decoded.text : `${decoded.text}\n` });
  }
  return sources;
}

/** The first corpus files, whole, until about `target` lines; checked to parse as one module. */
function concatenated(engine: Engine, sources: Array<{ file: string; text: string }>, target: number): { text: string; files: number } {
  let text = '';
  let files = 0;
  for (const source of sources) {
    if (lineCount(text) >= target) break;
    text += source.text;
    files++;
  }
  if (lineCount(text) < target) throw new Error(`the corpus has fewer than ${target} lines of parseable files`);
  const tree = engine.parse(text);
  const broken = tree.rootNode.hasError;
  tree.delete();
  if (broken) throw new Error(`the concatenation of ${files} files (${lineCount(text)} lines) does not parse`);
  return { text, files };
}

/** Wall and CPU milliseconds of one call (CPU time depends less on what else the machine runs). */
function timeMs(action: () => void): { wall: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  action();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

async function fileSizeGrowth(corpus: string): Promise<void> {
  const engine = await testEngine();
  const sources = parseableSources(engine, corpus);
  console.log(`\n### Time per file size (in-process engine, load average ${loadAverage()} at the start)\n`);
  console.log('| Lines | Files concatenated | Parse ms | Parse + analysis ms | CPU ms | µs per line | Findings | Time ratio to previous | Lines ratio |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  let previous: { lines: number; ms: number } | undefined;
  for (const target of FILE_SIZES) {
    const { text, files } = concatenated(engine, sources, target);
    const lines = lineCount(text);
    const runs = RUNS_BY_SIZE.get(target)!;
    let findings = 0;
    const analyzeOnce = (): void => {
      const result = engine.analyzeText(text);
      findings = result.findings.length;
      result.tree.delete();
    };
    analyzeOnce(); // warm-up: compiles the hot paths before timing
    const parseTimes: number[] = [];
    const analyzeTimes: number[] = [];
    const analyzeCpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      parseTimes.push(timeMs(() => engine.parse(text).delete()).wall);
      const { wall, cpu } = timeMs(analyzeOnce);
      analyzeTimes.push(wall);
      analyzeCpu.push(cpu);
    }
    const ms = median(analyzeTimes);
    const ratio = previous ? `${(ms / previous.ms).toFixed(1)}x` : '';
    const linesRatio = previous ? `${(lines / previous.lines).toFixed(1)}x` : '';
    console.log(`| ${fmt(lines)} | ${files} | ${fmt(median(parseTimes), 1)} | ${fmt(ms, 1)} | ${fmt(median(analyzeCpu), 1)} | ${fmt((1000 * ms) / lines, 1)} | ${findings} | ${ratio} | ${linesRatio} |`);
    previous = { lines, ms };
  }
  console.log(`\nMedian of ${[...RUNS_BY_SIZE.values()].join(' / ')} runs after one warm-up run; load average ${loadAverage()} at the end.`);
}

/** CPU seconds used by the children this process has waited for (cutime + cstime of /proc/self/stat). */
function childrenCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface Subset {
  name: string;
  paths: string[];
}

/** Nested subsets by top-level folder: third-party projects, plus CPython's library, plus everything else. */
function subsets(corpus: string): Subset[] {
  const dirs = fs
    .readdirSync(corpus, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const thirdParty = dirs.filter((d) => !d.startsWith('cpython-'));
  const withLib = [...thirdParty, ...dirs.filter((d) => d === 'cpython-lib')];
  if (thirdParty.length === 0 || withLib.length === thirdParty.length) throw new Error(`${corpus} lacks the expected folders (third-party projects and cpython-lib)`);
  const abs = (names: string[]): string[] => names.map((n) => path.join(corpus, n));
  return [
    { name: 'third-party projects', paths: abs(thirdParty) },
    { name: '+ cpython-lib', paths: abs(withLib) },
    { name: 'whole corpus', paths: abs(dirs) },
  ];
}

function linesUnder(paths: string[]): { files: number; lines: number } {
  let files = 0;
  let lines = 0;
  for (const file of collectPythonFiles(paths)) {
    files++;
    lines += lineCount(fs.readFileSync(file, 'utf8'));
  }
  return { files, lines };
}

function workspaceGrowth(corpus: string, runs: number): void {
  const cli = path.join(REPO_ROOT, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`node esbuild.mjs\` first`);
  console.log(`\n### Time per workspace size (CLI, default options: imports followed, one worker per core)\n`);
  console.log('| Subset | Files | Lines | Wall s | CPU s | µs per line (wall) | µs per line (CPU) | Findings | Wall ratio to previous | CPU ratio | Lines ratio | Load average before each run |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  let previous: { lines: number; wall: number; cpu: number } | undefined;
  for (const subset of subsets(corpus)) {
    const { files, lines } = linesUnder(subset.paths);
    const walls: number[] = [];
    const cpus: number[] = [];
    const loads: string[] = [];
    let findings = 0;
    for (let r = 0; r < runs; r++) {
      loads.push(loadAverage().split(' ')[0]!);
      const cpuBefore = childrenCpuSeconds();
      const t0 = process.hrtime.bigint();
      const child = spawnSync(process.execPath, [cli, 'check', ...subset.paths, '--no-progress', '--format', 'json', '--no-cache'], {
        encoding: 'utf8',
        maxBuffer: 1024 * 1024 * 1024,
      });
      walls.push(Number(process.hrtime.bigint() - t0) / 1e9);
      cpus.push(childrenCpuSeconds() - cpuBefore);
      // Exit status 1 only means there are findings.
      if (child.status !== 0 && child.status !== 1) throw new Error(`the CLI exited with ${child.status}: ${child.stderr}`);
      findings = countFindings(child.stdout);
    }
    const wall = median(walls);
    const cpu = median(cpus);
    const ratio = (now: number, before: number | undefined): string => (before === undefined ? '' : `${(now / before).toFixed(2)}x`);
    console.log(
      `| ${subset.name} | ${fmt(files)} | ${fmt(lines)} | ${fmt(wall, 1)} | ${fmt(cpu, 1)} | ${fmt((1e6 * wall) / lines, 1)} | ${fmt((1e6 * cpu) / lines, 1)} | ${findings} | ` +
        `${ratio(wall, previous?.wall)} | ${ratio(cpu, previous?.cpu)} | ${ratio(lines, previous?.lines)} | ${loads.join(', ')} |`,
    );
    previous = { lines, wall, cpu };
  }
  console.log(`\nMedian of ${runs} runs each. CPU s is the child's user + system time, all threads: it depends less than wall time on what else the machine runs.`);
}

function countFindings(stdout: string): number {
  const report = JSON.parse(stdout) as { diagnostics?: unknown[] };
  if (!Array.isArray(report.diagnostics)) throw new Error('the JSON report has no `diagnostics` list');
  return report.diagnostics.length;
}

(async () => {
  const args = process.argv.slice(2);
  const flag = (name: string): boolean => args.includes(name);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
  const corpus = path.resolve(args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ?? '/tmp/corpus');
  console.log(`corpus ${corpus}; ${new Date().toISOString()}; Node ${process.version}`);
  if (!flag('--skip-files')) await fileSizeGrowth(corpus);
  if (!flag('--skip-workspace')) workspaceGrowth(corpus, runs);
})().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
