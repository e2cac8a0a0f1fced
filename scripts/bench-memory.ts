/**
 * Benchmark (not a test): the language server's memory with a whole corpus indexed as its
 * workspace, and how long diagnostics of the open file wait while the background index is built.
 *
 *   npm run bench:memory [-- CORPUS_DIR [FILE_IN_CORPUS]]      (default: /tmp/corpus, aiohttp/client.py)
 *
 * Drives the real server (dist/server.js) over stdio like an editor with work-done progress:
 * initializes with the corpus as the workspace folder, opens one file and keeps typing into it
 * (a space at the end of a random line, then its deletion) until the indexing progress ends.
 * Each edit is timed from sending `didChange` to receiving the `publishDiagnostics` of that
 * version. The server's RSS is sampled from /proc/<pid>/status (VmRSS) every 50 ms, and its peak
 * (VmHWM, kept by the kernel) is read once the index is built. Linux only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, DEFAULT_CAPABILITIES } from '../test/helpers/lsp-client';
import { lcg, percentile, typist } from './bench-typing';

const MB = 1024 * 1024;
/** An editor types a character about every 100 ms; the pause also lets indexing slices run between edits. */
const PAUSE_BETWEEN_EDITS_MS = 50;
const INDEXING_TIMEOUT_MS = 30 * 60_000;
/** Edits timed without indexing, for comparison with those timed while it runs. */
const EDITS_WITHOUT_INDEXING = 100;

interface ProcMemory {
  rss: number;
  peak: number;
}

/** VmRSS and VmHWM of a process, in bytes. */
function procMemory(pid: number): ProcMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU seconds (user + system) the process has used; /proc/<pid>/stat counts in clock ticks, 100 per second on Linux. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesized command name, which may contain spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function loadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when the server sends the `end` of a work-done progress whose `begin` carried `title`. */
function progressEnded(client: LspClient, title: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + INDEXING_TIMEOUT_MS;
    const poll = (): void => {
      const begin = client.progress.findIndex((p) => p.kind === 'begin' && title.test(p.title ?? ''));
      if (begin >= 0 && client.progress.slice(begin).some((p) => p.kind === 'end')) resolve();
      else if (Date.now() > deadline) reject(new Error(`no progress end within ${INDEXING_TIMEOUT_MS} ms; log:\n${client.logs.join('\n')}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

interface Run {
  indexedLog: string | undefined;
  indexingMs: number;
  /** Server CPU time from start to the end of indexing (the edits' analyses included). */
  cpuSeconds: number;
  latencies: number[];
  sampledPeak: number;
  afterIndex: ProcMemory;
  settled: ProcMemory;
  baseline: ProcMemory;
}

async function measure(corpus: string, file: string, indexWorkspace: boolean): Promise<Run> {
  const client = new LspClient();
  const pid = client.process.pid!;
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, procMemory(pid).rss);
    } catch {
      // The server exited; the last samples stand.
    }
  }, 50);
  try {
    const capabilities = { ...DEFAULT_CAPABILITIES, window: { workDoneProgress: true } };
    const started = Date.now();
    await client.initialize(capabilities, { asyncPitfalls: { indexWorkspace } }, pathToFileURL(corpus).href);
    const indexed = indexWorkspace ? progressEnded(client, /indexing/) : Promise.resolve();
    let done = false;
    const indexedAt = indexed.then(() => {
      done = true;
      return Date.now();
    });

    const uri = pathToFileURL(file).href;
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    await client.open(uri, text);
    await client.diagnostics(uri, () => true, 0, 120_000);
    const baseline = procMemory(pid);

    // Keep typing while the index is being built; only edits sent before it ended count.
    const latencies: number[] = [];
    const nextChange = typist(lines, lcg(lines.length), 'space');
    const typing = (version: number): boolean => (indexWorkspace ? !done : version < 2 + EDITS_WITHOUT_INDEXING);
    for (let version = 2; typing(version); version++) {
      const change = nextChange();
      const mark = client.published.length;
      const t0 = process.hrtime.bigint();
      await client.change(uri, version, [change]);
      await client.diagnostics(uri, (p) => p.version === version, mark, 120_000);
      if (!indexWorkspace || !done) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await sleep(PAUSE_BETWEEN_EDITS_MS);
    }
    const indexingMs = (await indexedAt) - started;
    const afterIndex = procMemory(pid);
    const cpu = cpuSeconds(pid);
    // The server re-analyzes open files when indexing ends and V8 collects lazily: give both a moment.
    await sleep(3000);
    const settled = procMemory(pid);
    const indexedLog = client.logs.find((l) => l.startsWith('indexed '));
    clearInterval(sampler);
    await client.shutdown();
    return { indexedLog, indexingMs, cpuSeconds: cpu, latencies: latencies.sort((a, b) => a - b), sampledPeak, afterIndex, settled, baseline };
  } finally {
    clearInterval(sampler);
    if (client.process.exitCode === null) client.process.kill();
  }
}

function latencySummary(sorted: number[]): string {
  if (sorted.length === 0) return 'no edits timed';
  return (
    `didChange -> publishDiagnostics over ${sorted.length} edits: p50 ${percentile(sorted, 50).toFixed(1)} ms, ` +
    `p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms`
  );
}

const mb = (bytes: number): string => `${(bytes / MB).toFixed(0)} MB`;

(async () => {
  const corpus = path.resolve(process.argv[2] ?? '/tmp/corpus');
  const file = path.resolve(corpus, process.argv[3] ?? 'aiohttp/client.py');
  const openLines = fs.readFileSync(file, 'utf8').split('\n').length;
  console.log(`corpus ${corpus}; open file ${path.relative(corpus, file)} (${openLines} lines); load average ${loadAverage()}`);

  const bare = await measure(corpus, file, false);
  console.log(`without indexing (indexWorkspace: false): RSS ${mb(bare.settled.rss)}, peak ${mb(bare.settled.peak)}; ${latencySummary(bare.latencies)}`);

  const run = await measure(corpus, file, true);
    console.log(`load average after: ${loadAverage()}`);
  console.log(`indexing: ${run.indexedLog ?? '(no "indexed" log line)'}; progress end after ${(run.indexingMs / 1000).toFixed(1)} s, server CPU ${run.cpuSeconds.toFixed(1)} s`);
  console.log(`memory: peak RSS ${mb(run.afterIndex.peak)} (VmHWM; sampled max ${mb(run.sampledPeak)}), RSS at progress end ${mb(run.afterIndex.rss)}, 3 s later ${mb(run.settled.rss)}; with only the open file analyzed ${mb(run.baseline.rss)}`);
  console.log(`during indexing: ${latencySummary(run.latencies)}`);
  const limit = 200 * MB;
  console.log(run.afterIndex.peak <= limit ? 'peak RSS within the 200 MB target' : `peak RSS over the 200 MB target by ${mb(run.afterIndex.peak - limit)}`);
})().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
