/**
 * Benchmarks (not tests): `npm run bench [-- CORPUS_DIR]`.
 *  1. Engine throughput: parse + analyze every .py file of a corpus (default: the examples and
 *     fixtures repeated; pass the folder made by ../shared/corpus/make-corpus.sh for real code).
 *  2. Keystroke latency: the real server over stdio, files of ~300 and ~2,000 lines, 200 single-character
 *     incremental edits; time from sending didChange to receiving its publishDiagnostics.
 * `--keystroke` runs only the latency part, `--lines=N` only the files of N lines, `--mode=MODE` only
 * that kind of edits (space, random, words, imports, pauses).
 * Results go to stdout; docs/performance.md records them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectPythonFiles } from '../server/src/workspace/files';
import { decodeSource } from '../server/src/core/engine';
import { LspClient } from '../test/helpers/lsp-client';
import { REPO_ROOT, testEngine } from '../test/helpers/engine';
import { importTypist, lcg, percentile, typist, wordTypist } from './bench-typing';

async function throughput(corpus: string | undefined): Promise<void> {
  const engine = await testEngine();
  const files = corpus
    ? [...collectPythonFiles([corpus])]
    : [...collectPythonFiles([path.join(REPO_ROOT, 'examples'), path.join(REPO_ROOT, 'test/fixtures')])];
  const sources: string[] = [];
  for (const f of files) {
    const decoded = decodeSource(fs.readFileSync(f));
    if (decoded.ok) sources.push(decoded.text);
  }
  const rounds = corpus ? 1 : 20;
  let lines = 0;
  let findings = 0;
  let slowest = { ms: 0, lines: 0 };
  const started = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const text of sources) {
      const t0 = process.hrtime.bigint();
      const result = engine.analyzeText(text);
      result.tree.delete();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const n = text.split('\n').length;
      if (ms > slowest.ms) slowest = { ms, lines: n };
      lines += n;
      findings += result.findings.length;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`engine: ${sources.length} files x ${rounds}, ${lines.toLocaleString('en')} lines in ${seconds.toFixed(2)} s = ${Math.round(lines / seconds).toLocaleString('en')} lines/s; ${findings} findings; slowest file ${slowest.ms.toFixed(1)} ms (${slowest.lines} lines)`);
}

/** About `targetLines` lines made of copies of one example file, with its functions renamed apart. */
function bigFile(example: string, targetLines: number): string {
  const unit = fs.readFileSync(path.join(REPO_ROOT, 'examples', example), 'utf8');
  let text = '';
  while (text.split('\n').length < targetLines) text += unit.replace(/def (\w+)/g, (_m, n: string) => `def ${n}_${text.length}`);
  return text;
}

type EditMode = 'space' | 'random' | 'words' | 'imports' | 'pauses';

/**
 * Edit-to-diagnostics latency through the real server over stdio, each measured from sending
 * `didChange` to receiving the `publishDiagnostics` for that version. Three kinds of edits:
 * - `space`: a space typed at the end of a random line, then deleted again (the text stays valid);
 * - `random`: a random character typed at a random offset, then deleted again (often a syntax
 *   error for a moment, as when typing);
 * - `words`: a statement typed character by character on a new line in a function body, then
 *   erased, then another one elsewhere (consecutive edits in one function, as people type);
 * - `imports`: an import typed character by character on a new line below a module-level import,
 *   then erased, then another one elsewhere;
 * - `pauses`: `random` with a pause of 700 ms before each keystroke, which then often lands while
 *   the full analysis that settles the pause is running.
 * Then, once, the time the full analysis that settles carried-over findings takes after typing pauses.
 */
/** The pause before each keystroke of `pauses`. */
const PAUSE_MS = 700;

async function keystrokeLatency(example: string, targetLines: number, edits = 200, mode: EditMode = 'space'): Promise<void> {
  // An example name is copied up to the size wanted; a path is a real file, taken as it is.
  const real = example.includes('/');
  const text = real ? fs.readFileSync(example, 'utf8') : bigFile(example, targetLines);
  const client = new LspClient();
  await client.initialize(undefined, { asyncPitfalls: { maxFileSizeMb: 50, maxAnalysisSeconds: 60 } });
  const uri = 'file:///bench/big.py';
  const opened = process.hrtime.bigint();
  await client.open(uri, text);
  const first = await client.diagnostics(uri, () => true, 0, 120_000);
  const openMs = Number(process.hrtime.bigint() - opened) / 1e6;
  const lines = text.split('\n');
  const nextChange = mode === 'words' ? wordTypist(lines, lcg(targetLines)) : mode === 'imports' ? importTypist(lines, lcg(targetLines)) : typist(lines, lcg(targetLines), mode === 'pauses' ? 'random' : mode);
  const latencies: number[] = [];
  for (let i = 0; i < edits; i++) {
    const version = i + 2;
    const mark = client.published.length;
    const change = nextChange();
    // Long enough for the analysis that settles a pause to start (300 ms) and be under way.
    if (mode === 'pauses') await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    const t0 = process.hrtime.bigint();
    await client.change(uri, version, [change]);
    await client.diagnostics(uri, (p) => p.version === version, mark, 120_000);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  // The full analysis due after the last edit, asked for at once rather than after the pause.
  const settleStart = process.hrtime.bigint();
  await client.connection.sendRequest('asyncPitfalls/settle', { uri });
  const settleMs = Number(process.hrtime.bigint() - settleStart) / 1e6;
  await client.shutdown();
  const phases = serverTimings(client.logs);
  latencies.sort((a, b) => a - b);
  const what = real ? example : `${example} x ${Math.round(lines.length / fs.readFileSync(path.join(REPO_ROOT, 'examples', example), 'utf8').split('\n').length)}`;
  console.log(
    `keystroke (${what}, ${mode}): ${lines.length}-line file, ${first.diagnostics.length} findings, open ${openMs.toFixed(0)} ms, ${edits} edits: ` +
      `p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms; settling full analysis ${settleMs.toFixed(0)} ms`,
  );
  if (phases) console.log(`  in the server (ASYNC_PITFALLS_TIMINGS): ${phases}`);
}

/** With ASYNC_PITFALLS_TIMINGS=1 the server logs each analysis's parse and analysis time: their percentiles, and how many ran incrementally. */
function serverTimings(logs: readonly string[]): string | undefined {
  const records = logs
    .flatMap((l) => [...l.matchAll(/timing (\{.*\})/g)].map((m) => JSON.parse(m[1]!) as { parseMs: number; analysisMs: number; kind: string }))
    .slice(1, -1); // not the first analysis nor the settling one
  if (records.length === 0) return undefined;
  const stats = (values: number[]) => {
    if (values.length === 0) return 'none';
    const sorted = [...values].sort((a, b) => a - b);
    return `p50 ${percentile(sorted, 50).toFixed(1)} / p95 ${percentile(sorted, 95).toFixed(1)} / max ${sorted[sorted.length - 1]!.toFixed(1)} ms`;
  };
  const alone = records.filter((r) => r.kind.startsWith('function alone'));
  const incremental = records.filter((r) => r.kind.startsWith('incremental'));
  const full = records.filter((r) => r.kind === 'full');
  return `parse ${stats(records.map((r) => r.parseMs))}; analysis ${stats(records.map((r) => r.analysisMs))}; ${alone.length} of ${records.length} with the edited function parsed alone (parse ${stats(alone.map((r) => r.parseMs))}, analysis ${stats(alone.map((r) => r.analysisMs))}), ${incremental.length} incremental on the whole file (parse ${stats(incremental.map((r) => r.parseMs))}, analysis ${stats(incremental.map((r) => r.analysisMs))}), ${full.length} full (analysis ${stats(full.map((r) => r.analysisMs))})`;
}

(async () => {
  const keystrokeOnly = process.argv.includes('--keystroke');
  const corpus = process.argv.slice(2).find((a) => !a.startsWith('--'));
  if (!keystrokeOnly) await throughput(corpus);
  const runs: Array<[string, number, number, EditMode]> = [
    ['clean_service.py', 300, 200, 'space'],
    ['clean_service.py', 2000, 200, 'space'],
    ['blocking_calls.py', 2000, 200, 'space'],
    ['clean_service.py', 10_000, 200, 'space'],
    ['clean_service.py', 10_000, 200, 'random'],
    ['clean_service.py', 10_000, 200, 'words'],
    ['clean_service.py', 10_000, 200, 'imports'],
    ['clean_service.py', 10_000, 60, 'pauses'],
    ['blocking_calls.py', 10_000, 200, 'random'],
    ['clean_service.py', 100_000, 200, 'space'],
    ['clean_service.py', 100_000, 200, 'random'],
  ];
  // Real large files of the corpus, when one is given.
  if (corpus) {
    for (const file of ['asyncssh/connection.py', 'cpython-test/test_typing.py']) {
      if (fs.existsSync(path.join(corpus, file))) runs.push([path.join(corpus, file), 0, 200, 'random'], [path.join(corpus, file), 0, 200, 'words']);
    }
  }
  const only = process.argv.find((a) => a.startsWith('--lines='));
  const onlyMode = process.argv.find((a) => a.startsWith('--mode='));
  for (const [example, lines, edits, mode] of runs) {
    if (only && String(lines) !== only.slice('--lines='.length)) continue;
    if (onlyMode && mode !== onlyMode.slice('--mode='.length)) continue;
    await keystrokeLatency(example, lines, edits, mode);
  }
})();
