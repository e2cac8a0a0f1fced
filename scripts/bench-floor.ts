/**
 * How fast a cold check could be with this parser at best (a benchmark, not a test):
 * `npm run bench:floor -- CORPUS [--no-imports] [--json FILE]`.
 *
 * 1. Checks every file on one thread, in this process, as `check --no-cache -j 1` does (with the
 *    CLI's time limit and compiler budget), recording every text handed to tree-sitter (the files
 *    analyzed, and the skeletons parsed for module summaries and body facts) and how long each
 *    parse took.
 * 2. Parses exactly those texts again on one child process per core at once, shards balanced by
 *    size: the wall time of parsing alone, with nothing read from the trees.
 * 3. Reads and decodes every file and tests it for the rules' trigger words on one thread: the
 *    least any check has to do with the files it does not parse.
 *
 * The floor is (3) spread over the cores plus (2): what a check with a free analysis would take on
 * this machine. Whatever a target allows beyond it is the budget for everything else (the
 * pre-filter's finer steps, the semantic model, the rules, module summaries, garbage collection,
 * the optimizing compiler of each worker). docs/performance.md compares it with Ruff.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Range } from 'web-tree-sitter';
import { parserLocation } from '../server/src/assets';
import { DEFAULT_TIME_LIMIT_SECONDS } from '../server/src/cli';
import { FileChecker, type CheckSettings } from '../server/src/cli/check-file';
import { limitInliningForShortRun } from '../server/src/cli/compiler-budget';
import { decodeSource, DEFAULT_MAX_FILE_BYTES, Engine } from '../server/src/core/engine';
import type { PythonParser } from '../server/src/core/parser';
import { Triggers } from '../server/src/core/prefilter';
import { RULES } from '../server/src/rules';
import { collectPythonFiles } from '../server/src/workspace/files';
import { lastJsonLine, measure } from './bench-peers/measure';

const REPO_ROOT = path.resolve(__dirname, '..');

interface Options {
  corpus: string;
  noImports: boolean;
  json: string | undefined;
}

function parseArgs(argv: string[]): Options {
  let corpus: string | undefined;
  let noImports = false;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--no-imports') noImports = true;
    else if (arg === '--json') json = argv[++i];
    else if (!arg.startsWith('-') && corpus === undefined) corpus = arg;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!corpus) throw new Error('usage: bench-floor.ts CORPUS [--no-imports] [--json FILE]');
  return { corpus: path.resolve(corpus), noImports, json };
}

interface ParseInput {
  text: string;
  range?: Range;
}

/** Step 1: the check on one thread, with every parse recorded. */
async function recordCheck(files: readonly string[], options: Options): Promise<{ inputs: ParseInput[]; parseSeconds: number; checkSeconds: number }> {
  const engine = await Engine.create(parserLocation());
  // The engine keeps its parser to itself; a benchmark may look over its shoulder.
  const inner = engine as unknown as { parser: PythonParser };
  const parser = inner.parser;
  const inputs: ParseInput[] = [];
  let parseNs = 0n;
  inner.parser = {
    parse: (text, previous, range) => {
      const started = process.hrtime.bigint();
      const tree = parser.parse(text, previous, range);
      parseNs += process.hrtime.bigint() - started;
      inputs.push(range ? { text, range } : { text });
      return tree;
    },
  };
  const settings: CheckSettings = {
    maxBytes: DEFAULT_MAX_FILE_BYTES,
    timeLimitSeconds: DEFAULT_TIME_LIMIT_SECONDS,
    mode: 'check',
    noImports: options.noImports,
    roots: [options.corpus],
    cwd: process.cwd(),
    trackDependencies: false,
  };
  const checker = new FileChecker(engine, settings);
  const started = process.hrtime.bigint();
  for (const file of files) checker.check(file, {});
  const checkSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { inputs, parseSeconds: Number(parseNs) / 1e9, checkSeconds };
}

/** Step 2: the recorded texts parsed on `cores` child processes at once. */
async function parseInParallel(inputs: readonly ParseInput[], cores: number): Promise<{ wallSeconds: number; workSeconds: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-floor-'));
  // Largest first onto the lightest shard: the shards end within a file of each other.
  const shards = Array.from({ length: cores }, () => ({ bytes: 0, lines: [] as string[] }));
  for (const input of [...inputs].sort((a, b) => b.text.length - a.text.length)) {
    const lightest = shards.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lightest.bytes += input.text.length;
    lightest.lines.push(JSON.stringify(input));
  }
  const started = process.hrtime.bigint();
  const results = await Promise.all(
    shards.map((shard, i) => {
      const file = path.join(dir, `shard-${i}.jsonl`);
      fs.writeFileSync(file, shard.lines.join('\n'));
      return measure(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bench-floor', 'parse-child.ts'), file, REPO_ROOT], {
        cwd: REPO_ROOT,
        timeoutSeconds: 600,
        label: `shard-${i}`,
      });
    }),
  );
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const workSeconds = results.map((m) => {
    if (m.exitCode !== 0) throw new Error(`parse child failed: ${m.stderr}`);
    return lastJsonLine<{ workSeconds: number }>(m.stdoutFile).workSeconds;
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return { wallSeconds, workSeconds };
}

/** Step 3: reading, decoding and the trigger-word test, on one thread. */
function readAndTest(files: readonly string[]): { seconds: number; bytes: number; withWords: number } {
  const triggers = Triggers.of(RULES, {});
  const started = process.hrtime.bigint();
  let bytes = 0;
  let withWords = 0;
  for (const file of files) {
    const raw = fs.readFileSync(file);
    bytes += raw.length;
    const decoded = decodeSource(raw);
    if (decoded.ok && triggers.test(decoded.text)) withWords++;
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes, withWords };
}

const mb = (n: number) => (n / 1e6).toFixed(1);
const s = (n: number) => n.toFixed(2);

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  // The one-thread check runs with the compiler budget the CLI sets for itself.
  limitInliningForShortRun();
  const files = [...collectPythonFiles([options.corpus])];
  const cores = Math.max(1, os.availableParallelism());
  const text = readAndTest(files);
  const check = await recordCheck(files, options);
  const parsedBytes = check.inputs.reduce((n, input) => n + input.text.length, 0);
  const parallel = await parseInParallel(check.inputs, cores);
  const parseWall = Math.max(...parallel.workSeconds);
  const floor = text.seconds / cores + parseWall;
  const result = {
    corpus: options.corpus,
    importsFollowed: !options.noImports,
    cores,
    files: files.length,
    corpusBytes: text.bytes,
    filesWithWords: text.withWords,
    parseInputs: check.inputs.length,
    parsedBytes,
    readAndTestSeconds: text.seconds,
    checkOneThreadSeconds: check.checkSeconds,
    parseInCheckSeconds: check.parseSeconds,
    parallelParseWorkSeconds: parallel.workSeconds,
    parallelParseWallSeconds: parallel.wallSeconds,
    floorSeconds: floor,
  };
  console.log(`Corpus ${options.corpus}: ${files.length} files, ${mb(text.bytes)} MB; imports ${options.noImports ? 'not followed' : 'followed'}; ${cores} cores`);
  console.log(`  read, decode and test for trigger words (1 thread): ${s(text.seconds)} s; ${text.withWords} files hold a word`);
  console.log(`  check on 1 thread: ${s(check.checkSeconds)} s, of which parsing ${s(check.parseSeconds)} s (${check.inputs.length} parses, ${mb(parsedBytes)} MB)`);
  console.log(`  everything but parsing, 1 thread: ${s(check.checkSeconds - check.parseSeconds)} s`);
  console.log(`  the same texts parsed on ${cores} processes at once: ${parallel.workSeconds.map(s).join(' / ')} s (${s(parallel.wallSeconds)} s with start-up)`);
  console.log(`  floor (reading and words over ${cores} cores + parallel parse): ${s(floor)} s`);
  if (options.json) fs.writeFileSync(options.json, JSON.stringify(result, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
