/**
 * "Never crash, never hang": property-based and fuzz tests of the engine, the language server
 * over stdio and the CLI. Case counts are small for CI; FUZZ_RUNS scales them for a long local
 * run, FUZZ_SEED replays a failure (see docs/reliability.md).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { Engine } from '../server/src/core/engine';
import { analyzeEveryFunction, analyzeInSlices } from '../server/src/core/analyze';
import { applyEdits } from '../server/src/core/fix';
import type { Finding } from '../server/src/core/types';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { LspClient, SERVER } from './helpers/lsp-client';
import { EDITS_PER_SEQUENCE, ENGINE_RUNS, FUZZ_RUNS, fcParams, timeoutFor } from './fuzz/config';
import { editSpec } from './fuzz/edits';
import { assertFixesApply, assertNoRuleErrors, assertRangesInside } from './fuzz/invariants';
import { extremeFiles, randomFiles, type NastyFile } from './fuzz/nasty';
import { pythonish } from './fuzz/python';
import { handlerFailures, runSequence, type Sequence } from './fuzz/server-run';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const EXAMPLES = path.join(REPO_ROOT, 'examples');

function requireBuild(): void {
  for (const file of [SERVER, CLI]) assert.ok(fs.existsSync(file), `${file} is missing: run \`npm run build\` first`);
}

/** Arbitrary UTF-16, lone surrogates included: editors can hold them and JSON can carry them. */
const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 300 });

describe('fuzz: engine properties', function () {
  this.timeout(timeoutFor(ENGINE_RUNS, 300));
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  const arbitraries: Array<[string, fc.Arbitrary<string>]> = [
    ['fc.string', fc.string({ maxLength: 300 })],
    ['fc.string (full unicode)', fc.string({ unit: 'binary', maxLength: 300 })],
    ['UTF-16 with lone surrogates', utf16],
    ['Python-ish', pythonish({ mixedLineEndings: true })],
  ];
  it('the pre-filter finds what visiting every function finds: Python-ish', () => {
    const drain = <T>(steps: Generator<void, T>): T => {
      let step = steps.next();
      while (!step.done) step = steps.next();
      return step.value;
    };
    const describe = (f: Finding) => `${f.range.start.line}:${f.range.start.character} ${f.code} ${f.message}`;
    fc.assert(
      fc.property(pythonish({ mixedLineEndings: true }), (text) => {
        const tree = engine.parse(text);
        try {
          const filtered = drain(analyzeInSlices(tree, text, {}, undefined, Infinity)).findings.map(describe);
          const every = drain(analyzeEveryFunction(tree, text, {}, undefined, Infinity)).findings.map(describe);
          assert.deepEqual(filtered, every);
        } finally {
          tree.delete();
        }
      }),
      fcParams(ENGINE_RUNS),
    );
  });

  for (const [name, arb] of arbitraries) {
    it(`analyzeText never throws, no rule throws, and ranges stay inside the document: ${name}`, () => {
      fc.assert(
        fc.property(arb, (text) => {
          const result = engine.analyzeText(text);
          result.tree.delete();
          assertNoRuleErrors(result.ruleErrors);
          assertRangesInside(text, result.findings);
        }),
        fcParams(ENGINE_RUNS),
      );
    });
  }

  it('every fix applies without overlapping edits, and safe fixes add no syntax error', () => {
    fc.assert(
      fc.property(pythonish({ mixedLineEndings: true }), (text) => {
        const result = engine.analyzeText(text);
        const hadErrors = result.tree.rootNode.hasError;
        result.tree.delete();
        assertFixesApply(engine, text, hadErrors, result.findings);
      }),
      fcParams(ENGINE_RUNS),
    );
  });

  it('fix-all is idempotent: a second run changes nothing', () => {
    fc.assert(
      fc.property(pythonish({ mixedLineEndings: true }), (text) => {
        const once = engine.fixAll(text);
        const twice = engine.fixAll(once.text);
        assert.equal(twice.fixed, 0, `the second fix-all still fixed ${twice.fixed}: ${JSON.stringify(once.text)} -> ${JSON.stringify(twice.text)}`);
        assert.equal(twice.text, once.text);
      }),
      fcParams(ENGINE_RUNS),
    );
  });
});

describe('fuzz: regressions (counterexamples the properties found, minimized)', function () {
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  it('a lone \\r ends a line, for Python and for LSP: findings land on the right line', () => {
    const text = 'import time\rasync def f():\r    time.sleep(1)\r';
    const result = engine.analyzeText(text);
    result.tree.delete();
    assert.deepEqual(result.findings.map((f) => `${f.code} ${f.range.start.line}:${f.range.start.character}`), ['AIO101 2:4']);
    // A comment ended by a lone \r must not swallow the next line.
    const hidden = engine.analyzeText('import time\nx = 1  # a\rasync def f():\n    time.sleep(1)\n');
    hidden.tree.delete();
    assert.deepEqual(hidden.findings.map((f) => f.code), ['AIO101']);
  });

  it('in a CRLF file, extending a file-level noqa comment keeps the \\r of its line ending', () => {
    const text = '# async-pitfalls: noqa: AIO106\r\nimport os\r\nasync def fetch(url):\r\n    os.waitpid(pid, 0)\r\n';
    const result = engine.analyzeText(text);
    result.tree.delete();
    assertRangesInside(text, result.findings);
    const fix = result.findings[0]?.fixes.find((f) => f.title === 'Ignore AIO104 in this file');
    assert.ok(fix, 'the file-level suppression fix is offered');
    assert.equal(applyEdits(text, fix.edits)?.split('\r\n')[0], '# async-pitfalls: noqa: AIO106, AIO104');
  });

  it('in a CRLF file, a block ending in a comment ends at the end of its line, not after the \\r', () => {
    // The body is missing (a syntax error), so the block is the comment alone.
    const text = 'async def fetch(url):\n    async with asyncio.timeout(1):#\r\nimport asyncio\n';
    const result = engine.analyzeText(text);
    result.tree.delete();
    assert.ok(result.findings.some((f) => f.code === 'AIO403'), 'AIO403 is reported');
    assertRangesInside(text, result.findings);
  });
});

describe('fuzz: language server under random edit sequences', function () {
  const timeout = timeoutFor(FUZZ_RUNS, 3000);
  this.timeout(timeout);
  let client: LspClient;
  let engine: Engine;
  let dir: string;
  before(async () => {
    requireBuild();
    engine = await testEngine();
    // The documents never exist on disk; the folder just keeps any pyproject.toml out of reach.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-fuzz-'));
    client = new LspClient();
    await client.initialize();
  });
  after(async () => {
    if (client.process.exitCode === null) await client.shutdown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`publishes for the final version what a fresh analysis finds, and answers hover and code actions (${FUZZ_RUNS} sequences × ${EDITS_PER_SEQUENCE} edits)`, async () => {
    const fixtures = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.py')).map((f) => fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
    // One sequence in ten may type a NUL (which makes the server skip the file until it is gone).
    const sequence: fc.Arbitrary<Sequence> = fc.nat({ max: 9 }).chain((n) =>
      fc.record({
        fixture: fc.constantFrom(...fixtures),
        edits: fc.array(editSpec({ nul: n === 0 }), { minLength: EDITS_PER_SEQUENCE, maxLength: EDITS_PER_SEQUENCE }),
        batched: fc.array(fc.nat({ max: 3 }).map((k) => k === 0), { minLength: EDITS_PER_SEQUENCE, maxLength: EDITS_PER_SEQUENCE }),
        probes: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
      }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(sequence, async (seq) => {
        await runSequence(client, engine, pathToFileURL(path.join(dir, `edit_${n++}.py`)).href, seq);
      }),
      fcParams(FUZZ_RUNS, timeout - 30_000),
    );
    assert.equal(client.process.exitCode, null, 'the server exited');
  });
});

/** Runs the CLI on one file with a hard time limit; a hang fails instead of stalling the suite. */
function runCli(file: string, args: string[] = []): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number } {
  const start = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'check', '--no-color', '--isolated', '--no-cache', ...args, file], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - start };
}

function writeAll(dir: string, files: NastyFile[]): string[] {
  return files.map((f) => {
    const file = path.join(dir, f.name);
    fs.writeFileSync(file, f.bytes);
    return file;
  });
}

/** Seconds one hostile file may take, CLI run or server analysis: generous for a loaded 2-core CI machine. */
const FILE_BUDGET_MS = 20_000;

/** A crash prints a stack trace; a clean run prints findings, a summary or a "skipped" line. */
function assertCleanExit(name: string, r: ReturnType<typeof runCli>): void {
  assert.equal(r.signal, null, `${name}: killed by ${r.signal} after ${Math.round(r.ms)} ms (hang?)`);
  assert.ok(r.ms < FILE_BUDGET_MS, `${name}: took ${Math.round(r.ms)} ms (budget ${FILE_BUDGET_MS} ms)`);
  assert.ok(r.status === 0 || r.status === 1, `${name}: exit ${r.status}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:|RangeError|Aborted|out of memory/i, `${name}: crashed:\n${r.stderr}`);
  assert.ok(/skipped: /.test(r.stderr) || /^No problems found in \d+ files?\.$|^Found \d+ problems? /m.test(r.stdout), `${name}: says nothing:\n${r.stdout}\n${r.stderr}`);
}

describe('fuzz: hostile files', function () {
  const RANDOM_FILES = Math.max(4, Math.round(FUZZ_RUNS / 4));
  this.timeout(timeoutFor(RANDOM_FILES * 2, 5000) + 300_000);
  let dir: string;
  let extremes: NastyFile[];
  before(() => {
    requireBuild();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-hostile-'));
    extremes = extremeFiles({ hugeMb: 50 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the CLI exits cleanly with findings or a message on each extreme file', () => {
    const files = writeAll(dir, extremes);
    const results = new Map<string, ReturnType<typeof runCli>>();
    for (const file of files) {
      const r = runCli(file);
      assertCleanExit(path.basename(file), r);
      results.set(path.basename(file), r);
    }
    assert.match(results.get('huge.py')!.stderr, /skipped: file is 50\.\d MB, over the 5\.0 MB limit/);
    assert.match(results.get('invalid_utf8.py')!.stderr, /skipped: not valid UTF-8/);
    assert.match(results.get('nul_early.py')!.stderr, /skipped: binary file/);
    assert.match(results.get('long_whitespace_line.py')!.stdout, /long_whitespace_line\.py:\d+:5: AIO101/);
    if (process.env.FUZZ_VERBOSE) for (const [name, r] of results) console.log(`${name} ${Math.round(r.ms)} ms exit ${r.status}`);
  });

  it('the CLI exits cleanly on random bytes and truncated files', () => {
    // One run over the folder: a crash on any file still fails it, without a process start per file.
    const folder = path.join(dir, 'random');
    fs.mkdirSync(folder);
    writeAll(folder, randomFiles(RANDOM_FILES, 20260101));
    assertCleanExit('random and truncated files', runCli(folder));
  });

  it('the server survives every hostile text, keeps answering, and its memory stays bounded after a 50 MB document', async () => {
    const client = new LspClient();
    try {
      await client.initialize();
      const texts = [...extremes, ...randomFiles(RANDOM_FILES, 20260102)].map((f) => ({ name: f.name, text: f.bytes.toString('utf8') }));
      for (const [i, { name, text }] of texts.entries()) {
        const uri = pathToFileURL(path.join(dir, `open_${i}_${name}`)).href;
        const logMark = client.logs.length;
        await client.open(uri, text);
        const start = performance.now();
        await client.diagnostics(uri, () => true, 0, FILE_BUDGET_MS);
        assert.deepEqual(handlerFailures(client, logMark), [], `${name}: a handler failed`);
        if (process.env.FUZZ_VERBOSE) console.log(`${name}: diagnostics after ${Math.round(performance.now() - start)} ms`);
        await client.close(uri);
      }
      // After all of that, a normal file still gets its diagnostics.
      const normal = pathToFileURL(path.join(dir, 'normal.py')).href;
      await client.open(normal, 'import time\n\nasync def f():\n    time.sleep(1)\n');
      const published = await client.diagnostics(normal, (p) => p.diagnostics.some((d) => d.code === 'AIO101'));
      assert.equal(published.diagnostics.length, 1);
      const rssKb = Number(spawnSync('ps', ['-o', 'rss=', '-p', String(client.process.pid)], { encoding: 'utf8' }).stdout.trim());
      if (process.env.FUZZ_VERBOSE) console.log(`server RSS after the hostile files: ${Math.round(rssKb / 1024)} MB`);
      assert.ok(rssKb > 0 && rssKb < 1024 * 1024, `server RSS ${Math.round(rssKb / 1024)} MB after the 50 MB document (bound: 1 GB)`);
    } finally {
      if (client.process.exitCode === null) await client.shutdown();
    }
  });
});
