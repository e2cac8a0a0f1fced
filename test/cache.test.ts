/**
 * The CLI's result cache (.async-pitfalls-cache), through dist/cli.js in child processes: a warm
 * run prints exactly what a cold run printed; a stored result is dropped when anything it rests on
 * changes (the file, a module it imports, a module that now shadows an import, the settings).
 *
 * To tell a cache hit from a fresh analysis, some tests mark every stored finding's message in
 * the cache folder: a marked message in the output can only have come from the cache.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ResultCache } from '../server/src/cli/cache';
import { DependencyTracker, MEMO_LIMIT } from '../server/src/cli/dependencies';
import { candidateFiles } from '../server/src/workspace/module-names';
import type { ModuleSummary } from '../server/src/core/workspace-types';
import { WorkspaceIndex } from '../server/src/workspace/index';
import { REPO_ROOT } from './helpers/engine';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const MARK = ' [served from cache]';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string): Run {
  // A run that hangs (reading a pipe planted in the cache, say) fails its test instead of the whole suite.
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const temporaryDirs: string[] = [];

function project(files: Record<string, string | Buffer>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-cache-')));
  temporaryDirs.push(dir);
  write(dir, files);
  return dir;
}

function write(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
}

/** The pack files (one per checked folder and mode: a header line, then `"name"<TAB>{entry}` lines). */
function packs(cacheDir: string): string[] {
  if (!fs.existsSync(cacheDir)) return [];
  return (fs.readdirSync(cacheDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(cacheDir, f));
}

interface StoredEntry {
  outcome: { report?: { findings: Array<{ message: string }> } };
}

/** Every stored entry: its pack, its file's name, and the entry (undefined if its line does not parse). */
function entries(cacheDir: string): Array<{ pack: string; name: string; entry: StoredEntry | undefined }> {
  return packs(cacheDir).flatMap((pack) =>
    fs
      .readFileSync(pack, 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        let entry: StoredEntry | undefined;
        try {
          entry = JSON.parse(line.slice(tab + 1)) as StoredEntry;
        } catch {
          entry = undefined;
        }
        return { pack, name: JSON.parse(line.slice(0, tab)) as string, entry };
      }),
  );
}

/** Rewrites each stored entry's line with what `change` makes of it (a string replaces the entry's JSON). */
function rewriteEntries(cacheDir: string, change: (entry: StoredEntry, name: string, index: number) => StoredEntry | string): void {
  let index = 0;
  for (const pack of packs(cacheDir)) {
    const [header, ...lines] = fs.readFileSync(pack, 'utf8').split('\n');
    const changed = lines.map((line) => {
      if (!line) return line;
      const tab = line.indexOf('\t');
      const name = JSON.parse(line.slice(0, tab)) as string;
      const result = change(JSON.parse(line.slice(tab + 1)) as StoredEntry, name, index++);
      return `${line.slice(0, tab)}\t${typeof result === 'string' ? result : JSON.stringify(result)}`;
    });
    fs.writeFileSync(pack, [header, ...changed].join('\n'));
  }
}

/** Marks every stored finding's message; returns how many were marked. */
function markStoredFindings(cacheDir: string): number {
  let marked = 0;
  rewriteEntries(cacheDir, (entry) => {
    for (const finding of entry.outcome.report?.findings ?? []) {
      finding.message += MARK;
      marked++;
    }
    return entry;
  });
  return marked;
}

/** Finding lines of the text output, per file: whether each came marked from the cache. */
function findingLines(stdout: string, file: string): { fresh: string[]; cached: string[] } {
  const lines = stdout.split('\n').filter((l) => l.startsWith(`${file}:`));
  return { fresh: lines.filter((l) => !l.endsWith(MARK)), cached: lines.filter((l) => l.endsWith(MARK)) };
}

const BLOCKING_HELPER = 'import time\n\n\ndef load():\n    time.sleep(1)\n    return 1\n';
const HARMLESS_HELPER = 'def load():\n    return 1\n';
const IMPORTER = 'from app.helpers import load\n\n\nasync def handler():\n    return load()\n';
const OWN_FINDING = 'import time\n\n\nasync def tick():\n    time.sleep(1)\n';

describe('CLI result cache', () => {
  before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first'));
  after(() => {
    for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps results at the project root (nearest pyproject.toml with our table), with .gitignore and CACHEDIR.TAG', () => {
    const dir = project({ 'pyproject.toml': '[tool.async-pitfalls]\nignore = ["AIO106"]\n', 'app/tick.py': OWN_FINDING, 'app/other.py': HARMLESS_HELPER });
    assert.equal(run(['check', '.'], path.join(dir, 'app')).status, 1);
    const cacheDir = path.join(dir, '.async-pitfalls-cache');
    assert.equal(entries(cacheDir).length, 2);
    assert.equal(fs.readFileSync(path.join(cacheDir, '.gitignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join(), '*');
    assert.match(fs.readFileSync(path.join(cacheDir, 'CACHEDIR.TAG'), 'utf8'), /^Signature: 8a477f597d28d172789f06886806bc55\n/);
    assert.ok(!fs.existsSync(path.join(dir, 'app', '.async-pitfalls-cache')));

    // Without a pyproject.toml that configures us: the current folder. With --cache-dir: there.
    const bare = project({ 'sub/tick.py': OWN_FINDING, 'pyproject.toml': '[tool.other]\nx = 1\n' });
    run(['check', '.'], path.join(bare, 'sub'));
    assert.equal(entries(path.join(bare, 'sub', '.async-pitfalls-cache')).length, 1);
    const elsewhere = path.join(bare, 'elsewhere', 'cache');
    run(['check', '.', '--cache-dir', elsewhere], path.join(bare, 'sub'));
    assert.equal(entries(elsewhere).length, 1);
    assert.ok(fs.existsSync(path.join(elsewhere, 'CACHEDIR.TAG')));
  });

  it('prints exactly what a run without the cache prints (text, JSON, SARIF, statistics), on workers too, without analyzing again', () => {
    const dir = project({
      'pyproject.toml': '[tool.async-pitfalls]\nexclude = ["generated/"]\n\n[tool.async-pitfalls.severity]\nAIO101 = "error"\n',
      'app/__init__.py': '',
      'app/helpers.py': BLOCKING_HELPER,
      'app/main.py': IMPORTER,
      'app/tick.py': OWN_FINDING,
      'app/broken.py': 'async def f(:\n    time.sleep(1)\n',
      'app/latin1.py': Buffer.from('# caf\xe9\nx = 1\n', 'latin1'),
      'generated/gen.py': OWN_FINDING,
    });
    const variants = [['--format', 'text'], ['--format', 'json'], ['--format', 'sarif'], ['--statistics'], ['--format', 'github']];
    for (const variant of variants) {
      const reference = run(['check', '.', '--no-cache', ...variant], dir);
      assert.equal(reference.status, 1, reference.stderr);
      const cold = run(['check', '.', '--jobs', '2', ...variant], dir);
      const warm = run(['check', '.', ...variant], dir);
      for (const [name, result] of [['cold', cold], ['warm', warm]] as const) {
        assert.equal(result.status, reference.status, `${name} ${variant.join(' ')}`);
        assert.equal(result.stdout, reference.stdout, `${name} ${variant.join(' ')}`);
        assert.equal(result.stderr, reference.stderr, `${name} ${variant.join(' ')}`);
      }
    }
    // Every checked file has an entry (the excluded one does not); the stored results are what gets printed.
    const cacheDir = path.join(dir, '.async-pitfalls-cache');
    assert.equal(entries(cacheDir).length, 6);
    assert.equal(markStoredFindings(cacheDir), 3);
    const { stdout } = run(['check', '.'], dir);
    for (const file of ['app/main.py', 'app/tick.py', 'app/broken.py']) {
      assert.deepEqual(findingLines(stdout, file).fresh, [], stdout);
      assert.equal(findingLines(stdout, file).cached.length, 1, stdout);
    }
    assert.match(run(['check', '.'], dir).stderr, /^app\/latin1\.py: skipped: not valid UTF-8/m);
  });

  it('replays per-file notes: a time-out on stderr comes back with the stored findings', () => {
    const dir = project({ 'big.py': 'import time\nasync def f():\n    time.sleep(1)\n'.repeat(4000) });
    const args = ['check', 'big.py', '--time-limit', '0.001', '--statistics'];
    const cold = run(args, dir);
    assert.match(cold.stderr, /^big\.py: the analysis stopped after 0\.001 s \(--time-limit\); findings further down may be missing$/m);
    const warm = run(args, dir);
    assert.deepEqual(warm, cold);
    // Another time limit is another key: analyzed again, in full this time.
    const full = run(['check', 'big.py', '--statistics'], dir);
    assert.doesNotMatch(full.stderr, /stopped/);
    assert.match(full.stdout, /^Found 4000 problems/m);
  });

  it('analyzes an edited file again, and only that file', () => {
    const dir = project({ 'a.py': OWN_FINDING, 'b.py': OWN_FINDING });
    run(['check', '.'], dir);
    const cacheDir = path.join(dir, '.async-pitfalls-cache');
    assert.equal(markStoredFindings(cacheDir), 2);
    write(dir, { 'a.py': `# moved down a line\n${OWN_FINDING}` });
    const { stdout } = run(['check', '.'], dir);
    assert.deepEqual(findingLines(stdout, 'a.py').cached, []);
    assert.deepEqual(findingLines(stdout, 'a.py').fresh.map((l) => l.split(' ')[0]), ['a.py:6:5:']);
    assert.equal(findingLines(stdout, 'b.py').cached.length, 1);
  });

  it('analyzes an importer again when a module it imports changes (AIO112 appears and goes)', () => {
    const dir = project({ 'app/__init__.py': '', 'app/helpers.py': HARMLESS_HELPER, 'app/main.py': IMPORTER, 'app/tick.py': OWN_FINDING });
    const before = run(['check', '.'], dir);
    assert.deepEqual(findingLines(before.stdout, 'app/main.py').fresh, []);
    assert.equal(markStoredFindings(path.join(dir, '.async-pitfalls-cache')), 1);

    write(dir, { 'app/helpers.py': BLOCKING_HELPER });
    const blocking = run(['check', '.'], dir);
    assert.match(findingLines(blocking.stdout, 'app/main.py').fresh.join('\n'), /^app\/main\.py:5:12: AIO112 /);
    // An unrelated file keeps its stored result.
    assert.equal(findingLines(blocking.stdout, 'app/tick.py').cached.length, 1);
    assert.deepEqual(run(['check', '.'], dir), blocking);

    write(dir, { 'app/helpers.py': HARMLESS_HELPER });
    assert.deepEqual(findingLines(run(['check', '.'], dir).stdout, 'app/main.py'), { fresh: [], cached: [] });

    // The coroutine variant: AIO201 when the imported function becomes async.
    write(dir, { 'app/main.py': 'from app.helpers import load\n\n\nasync def handler():\n    load()\n' });
    assert.deepEqual(findingLines(run(['check', '.'], dir).stdout, 'app/main.py').fresh, []);
    write(dir, { 'app/helpers.py': 'async def load():\n    return 1\n' });
    assert.match(run(['check', '.'], dir).stdout, /^app\/main\.py:5:5: AIO201 /m);
  });

  it('analyzes an importer again when a new module shadows what it imported', () => {
    const dir = project({ 'app/__init__.py': '', 'app/helpers.py': HARMLESS_HELPER, 'app/main.py': IMPORTER });
    assert.equal(run(['check', 'app/main.py'], dir).status, 0);
    // A package app/helpers/ wins over the module app/helpers.py.
    write(dir, { 'app/helpers/__init__.py': BLOCKING_HELPER });
    const shadowed = run(['check', 'app/main.py'], dir);
    assert.equal(shadowed.status, 1);
    assert.match(shadowed.stdout, /^app\/main\.py:5:12: AIO112 /m);
    fs.rmSync(path.join(dir, 'app', 'helpers'), { recursive: true });
    assert.equal(run(['check', 'app/main.py'], dir).status, 0);
    // A module name changes when its folder stops being a package: `app.helpers` is then no longer found.
    write(dir, { 'app/helpers.py': BLOCKING_HELPER });
    assert.equal(run(['check', 'app/main.py'], dir).status, 1);
    fs.rmSync(path.join(dir, 'app', '__init__.py'));
    assert.equal(run(['check', 'app/main.py'], dir).status, run(['check', 'app/main.py', '--no-cache'], dir).status);
  });

  it('analyzes an importer again when a module it uses gets another name (its folder stops being a package)', () => {
    const dir = project({
      'lib/__init__.py': '',
      'lib/blocking.py': 'import time\n\n\ndef wait():\n    time.sleep(1)\n',
      'lib/helpers.py': 'from .blocking import wait\n\n\ndef load():\n    wait()\n',
      'main.py': 'from lib.helpers import load\n\n\nasync def handler():\n    return load()\n',
    });
    assert.match(run(['check', 'main.py'], dir).stdout, /^main\.py:5:12: AIO112 /m);
    // lib/helpers.py is still found (lib/ is a namespace package now), but as module `helpers`, whose
    // relative import goes nowhere: the chain to time.sleep() is gone.
    fs.rmSync(path.join(dir, 'lib', '__init__.py'));
    const reference = run(['check', 'main.py', '--no-cache'], dir);
    assert.equal(reference.status, 0, reference.stdout);
    assert.deepEqual(run(['check', 'main.py'], dir), reference);
  });

  it('analyzes again when the settings change (pyproject.toml, command line)', () => {
    const dir = project({ 'pyproject.toml': '[tool.async-pitfalls]\nignore = ["AIO101"]\n', 'tick.py': OWN_FINDING });
    assert.equal(run(['check', '.'], dir).status, 0);
    write(dir, { 'pyproject.toml': '[tool.async-pitfalls]\n' });
    assert.match(run(['check', '.'], dir).stdout, /^tick\.py:5:5: AIO101 /m);
    write(dir, { 'pyproject.toml': '[tool.async-pitfalls.severity]\nAIO101 = "error"\n' });
    assert.match(run(['check', '.', '--format', 'json'], dir).stdout, /"severity": "error"/);
    write(dir, { 'pyproject.toml': '[tool.async-pitfalls.per-file-ignores]\n"tick.py" = ["AIO1"]\n' });
    assert.equal(run(['check', '.'], dir).status, 0);
    assert.equal(run(['check', '.', '--isolated'], dir).status, 1);
    assert.equal(run(['check', '.', '--isolated', '--ignore', 'AIO101'], dir).status, 0);
  });

  it('--no-cache neither reads nor writes the cache', () => {
    const dir = project({ 'pyproject.toml': '[tool.async-pitfalls]\n', 'tick.py': OWN_FINDING });
    const cold = run(['check', '.', '--no-cache', '--cache-dir', 'custom'], dir);
    assert.equal(cold.status, 1);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['pyproject.toml', 'tick.py']);
    run(['check', '.'], dir);
    assert.equal(markStoredFindings(path.join(dir, '.async-pitfalls-cache')), 1);
    assert.deepEqual(run(['check', '.', '--no-cache'], dir), cold);
  });

  it('treats a damaged or foreign cache entry or pack file as a miss, never a crash, and replaces it', () => {
    const damage = ['', '{"key":', 'null', '[]', '{}', '\u0000\u0001binary', '{"key":"k","hash":"h","modules":[],"absent":{},"present":{}}'];
    const files: Record<string, string> = {};
    for (let i = 0; i < damage.length; i++) files[`m${i}.py`] = OWN_FINDING;
    const dir = project(files);
    const cold = run(['check', '.', '--format', 'json'], dir);
    const cacheDir = path.join(dir, '.async-pitfalls-cache');
    assert.equal(entries(cacheDir).length, damage.length);
    const allParse = () => entries(cacheDir).every(({ entry }) => entry !== undefined);
    rewriteEntries(cacheDir, (_entry, _name, i) => damage[i]!);
    assert.ok(!allParse());
    assert.deepEqual(run(['check', '.', '--format', 'json'], dir), cold);
    assert.ok(allParse());
    assert.equal(entries(cacheDir).length, damage.length);

    // Right key and content hash, but findings that are not findings: refused on their shape.
    rewriteEntries(cacheDir, (entry, name) => (name === 'm0.py' ? { ...entry, outcome: { report: { findings: [{ code: 101, range: 'line 5' }] } } } as unknown as StoredEntry : entry));
    assert.deepEqual(run(['check', '.', '--format', 'json'], dir), cold);
    assert.ok(allParse());

    // The pack file itself: empty, binary, another folder's, cut in the middle of a line, lines without a tab.
    const [pack] = packs(cacheDir);
    const whole = fs.readFileSync(pack!, 'utf8');
    const header = whole.slice(0, whole.indexOf('\n'));
    const packDamage = ['', '\u0000\u0001binary\n\t{}', whole.replace(JSON.stringify(dir), JSON.stringify(`${dir}-other`)), whole.slice(0, Math.floor(whole.length / 2)), `${header}\nno tab here\n"m0.py"\n{"key":\t\n`];
    for (const text of packDamage) {
      fs.writeFileSync(pack!, text);
      assert.deepEqual(run(['check', '.', '--format', 'json'], dir), cold);
      assert.equal(entries(cacheDir).length, damage.length);
      assert.ok(allParse());
    }
    // Not a file at all: a folder, or a named pipe that would block a read forever.
    fs.rmSync(pack!);
    fs.mkdirSync(pack!);
    const blocked = run(['check', '.', '--format', 'json'], dir);
    assert.equal(blocked.stdout, cold.stdout);
    assert.match(blocked.stderr, /could not write 7 cache entries .*\(EISDIR\)/);
    fs.rmSync(pack!, { recursive: true });
    assert.equal(spawnSync('mkfifo', [pack!]).status, 0);
    assert.deepEqual(run(['check', '.', '--format', 'json'], dir), cold);
    assert.ok(fs.statSync(pack!).isFile(), 'the pipe was replaced by the pack');
    assert.deepEqual(fs.readdirSync(cacheDir, { recursive: true }).filter((f) => String(f).endsWith('.tmp')), []);
  });

  it('keeps one pack file per folder: a run over one file keeps its neighbours, a deleted file goes', () => {
    const dir = project({ 'app/a.py': OWN_FINDING, 'app/b.py': OWN_FINDING, 'app/c.py': HARMLESS_HELPER, 'lib/d.py': OWN_FINDING });
    const cacheDir = path.join(dir, '.async-pitfalls-cache');
    run(['check', '.'], dir);
    assert.equal(packs(cacheDir).length, 2);
    const names = () => entries(cacheDir).map((e) => e.name).sort();
    assert.deepEqual(names(), ['a.py', 'b.py', 'c.py', 'd.py']);
    assert.equal(markStoredFindings(cacheDir), 3);

    // Checking one edited file rewrites its folder's pack; the others keep their stored results.
    write(dir, { 'app/a.py': `# edited\n${OWN_FINDING}` });
    assert.equal(findingLines(run(['check', 'app/a.py'], dir).stdout, 'app/a.py').fresh.length, 1);
    assert.deepEqual(names(), ['a.py', 'b.py', 'c.py', 'd.py']);
    assert.equal(findingLines(run(['check', '.'], dir).stdout, 'app/b.py').cached.length, 1);

    // A deleted file's entry goes when its folder's pack is next written; a hit writes nothing.
    fs.rmSync(path.join(dir, 'app', 'c.py'));
    const before = fs.statSync(packs(cacheDir).find((p) => fs.readFileSync(p, 'utf8').includes('"d.py"'))!).mtimeMs;
    write(dir, { 'app/b.py': `# edited\n${OWN_FINDING}` });
    run(['check', '.'], dir);
    assert.deepEqual(names(), ['a.py', 'b.py', 'd.py']);
    assert.equal(fs.statSync(packs(cacheDir).find((p) => fs.readFileSync(p, 'utf8').includes('"d.py"'))!).mtimeMs, before);

    // Names that JSON must escape, and a folder of 300 files on workers: one pack, every entry used.
    const odd = { 'odd/tab\there.py': OWN_FINDING, 'odd/quote"and\\back.py': OWN_FINDING, 'odd/ünï.py': OWN_FINDING };
    const many: Record<string, string> = {};
    for (let i = 0; i < 300; i++) many[`many/m${i}.py`] = i % 3 === 0 ? OWN_FINDING : HARMLESS_HELPER;
    write(dir, { ...odd, ...many });
    const cold = run(['check', 'odd', 'many', '--jobs', '2', '--format', 'json'], dir);
    assert.equal(markStoredFindings(cacheDir), 3 + 3 + 100);
    const warm = run(['check', 'odd', 'many', '--jobs', '2', '--format', 'json'], dir);
    assert.equal(warm.stdout.split(MARK).length - 1, 3 + 100);
    assert.deepEqual({ ...warm, stdout: warm.stdout.split(MARK).join('') }, cold);
    assert.equal(packs(cacheDir).length, 4);
  });

  it('survives runs at the same time on the same project: each prints the same, the packs stay whole', async () => {
    const files: Record<string, string> = {};
    for (const folder of ['a', 'b', 'c']) for (let i = 0; i < 30; i++) files[`${folder}/m${i}.py`] = i % 2 === 0 ? OWN_FINDING : HARMLESS_HELPER;
    const dir = project(files);
    const reference = run(['check', '.', '--no-cache', '--format', 'json'], dir);
    const runAsync = () =>
      new Promise<Run>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'check', '.', '--format', 'json'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d));
        child.stderr.on('data', (d: Buffer) => (stderr += d));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    for (const result of await Promise.all([runAsync(), runAsync(), runAsync()])) assert.deepEqual(result, reference);
    const cacheDir = path.join(dir, '.async-pitfalls-cache');
    assert.equal(packs(cacheDir).length, 3);
    assert.equal(entries(cacheDir).length, 90);
    assert.ok(entries(cacheDir).every(({ entry }) => entry !== undefined));
    assert.deepEqual(fs.readdirSync(cacheDir, { recursive: true }).filter((f) => String(f).endsWith('.tmp')), []);
    assert.equal(markStoredFindings(cacheDir), 45);
    const warm = run(['check', '.', '--format', 'json'], dir);
    assert.equal(warm.stdout.split(MARK).length - 1, 45);
    assert.deepEqual({ ...warm, stdout: warm.stdout.split(MARK).join('') }, reference);
  });

  it('is used by a fresh checkout at the same place (it goes by content, not by file times), as a CI cache restores it', () => {
    const files = { 'app/__init__.py': '', 'app/helpers.py': BLOCKING_HELPER, 'app/main.py': IMPORTER, 'app/tick.py': OWN_FINDING };
    const dir = project(files);
    const cold = run(['check', '.'], dir);
    assert.equal(cold.status, 1);
    const cacheDir = path.join(dir, '.async-pitfalls-cache');
    assert.equal(markStoredFindings(cacheDir), 2);
    const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-saved-'));
    temporaryDirs.push(saved);
    fs.cpSync(cacheDir, saved, { recursive: true });
    // The checkout again: every file written anew, one second later, then the saved cache put back.
    fs.rmSync(dir, { recursive: true });
    fs.mkdirSync(dir);
    write(dir, files);
    const later = new Date(Date.now() + 1000);
    for (const name of Object.keys(files)) fs.utimesSync(path.join(dir, name), later, later);
    fs.cpSync(saved, cacheDir, { recursive: true });
    const { stdout } = run(['check', '.'], dir);
    assert.equal(findingLines(stdout, 'app/main.py').cached.length, 1, stdout);
    assert.equal(findingLines(stdout, 'app/tick.py').cached.length, 1, stdout);
    assert.equal(stdout.split(MARK).join(''), cold.stdout);
  });

  it('still reports when the cache cannot be written, with one warning line', () => {
    const dir = project({ 'tick.py': OWN_FINDING });
    const reference = run(['check', '.', '--no-cache'], dir);
    // A folder inside a file cannot be made, whoever runs the test (root ignores permissions).
    const blocked = run(['check', '.', '--cache-dir', 'tick.py/cache'], dir);
    assert.equal(blocked.status, reference.status);
    assert.equal(blocked.stdout, reference.stdout);
    assert.equal(blocked.stderr, `${reference.stderr}async-pitfalls: could not write 1 cache entry in ${path.join(dir, 'tick.py', 'cache')} (ENOTDIR); use --cache-dir or --no-cache\n`);
  });

  it('--diff and --fix work with the cache: a fix is made every time it is needed, never replayed', () => {
    const fixable = 'import asyncio\nimport time\n\n\nasync def tick():\n    time.sleep(1)\n';
    const dir = project({ 'tick.py': fixable, 'clean.py': HARMLESS_HELPER });
    const diffReference = run(['check', '.', '--diff', '--no-cache'], dir);
    assert.equal(diffReference.status, 1);
    assert.match(diffReference.stdout, /\+\s+await asyncio\.sleep\(1\)/);
    assert.deepEqual(run(['check', '.', '--diff'], dir), diffReference);
    assert.deepEqual(run(['check', '.', '--diff'], dir), diffReference);
    // From another folder the diff names the file differently: the stored one is not reused as is.
    const parent = path.dirname(dir);
    const shared = ['--cache-dir', path.join(dir, '.async-pitfalls-cache')];
    for (const extra of [['--diff'], []]) {
      const reference = run(['check', path.basename(dir), '--no-cache', ...extra], parent);
      assert.match(reference.stdout, new RegExp(`${path.basename(dir)}/tick\\.py`));
      assert.deepEqual(run(['check', path.basename(dir), ...shared, ...extra], parent), reference);
    }
    // The same content to fix twice (a fix undone by a checkout): fixed twice, not reported from the cache.
    for (let round = 0; round < 2; round++) {
      write(dir, { 'tick.py': fixable });
      const fixed = run(['check', '.', '--fix'], dir);
      assert.match(fixed.stderr, /^Fixed 1 problem\(s\) in 1 file\(s\)\.$/m, `round ${round}`);
      assert.match(fs.readFileSync(path.join(dir, 'tick.py'), 'utf8'), /await asyncio\.sleep\(1\)/, `round ${round}`);
    }
    assert.match(run(['check', '.', '--fix'], dir).stderr, /^Fixed 0 problem\(s\) in 0 file\(s\)\.$/m);
    assert.deepEqual(run(['check', '.'], dir), run(['check', '.', '--no-cache'], dir));
  });

  describe('pack files', () => {
    const identity = { version: 'test', build: 'b', mode: 'check' as const, maxBytes: 1 << 20, timeLimitSeconds: 10, followImports: false, roots: [] };
    const outcome = (file: string) => ({ report: { path: file, file, findings: [] }, fixed: 0, notes: [], internalErrors: [] });

    it('writes a folder once its last miss is settled, a failed file included, and the rest on flush', () => {
      const dir = project({ 'a/one.py': 'x = 1\n', 'a/two.py': 'x = 2\n', 'b/three.py': 'x = 3\n' });
      const cacheDir = path.join(dir, 'cache');
      const cache = new ResultCache(cacheDir, identity);
      const [one, , three] = ['a/one.py', 'a/two.py', 'b/three.py'].map((f) => cache.lookup(path.join(dir, f), {}, f).ticket!);
      cache.store(one!, outcome('a/one.py'));
      assert.deepEqual(packs(cacheDir), [], 'written before its folder is done');
      // A file whose analysis failed stores nothing, but settles its ticket: nothing to write for b/.
      cache.store(three!, undefined);
      assert.deepEqual(packs(cacheDir), []);
      // a/two.py is never settled (its worker died with it): flush() writes what a/ has.
      cache.flush();
      assert.deepEqual(entries(cacheDir).map((e) => e.name), ['one.py']);

      const again = new ResultCache(cacheDir, identity);
      assert.ok(again.lookup(path.join(dir, 'a/one.py'), {}, 'a/one.py').outcome);
      const two = again.lookup(path.join(dir, 'a/two.py'), {}, 'a/two.py').ticket!;
      const late = again.lookup(path.join(dir, 'b/three.py'), {}, 'b/three.py').ticket!;
      again.store(late, outcome('b/three.py'));
      assert.deepEqual(entries(cacheDir).map((e) => e.name).sort(), ['one.py', 'three.py']);
      again.store(two, outcome('a/two.py'));
      assert.deepEqual(entries(cacheDir).map((e) => e.name).sort(), ['one.py', 'three.py', 'two.py']);
      const written = packs(cacheDir).map((p) => fs.readFileSync(p, 'utf8'));
      again.flush();
      assert.deepEqual(packs(cacheDir).map((p) => fs.readFileSync(p, 'utf8')), written, 'flush wrote a settled folder again');
      assert.equal(again.warning(), undefined);
    });
  });

  describe('dependencies of one analysis', () => {
    /** Summaries with nothing in them; summarizing lib.helpers asks whether lib.base.Base is a class, as base classes make it. */
    function index(dir: string): WorkspaceIndex {
      const made = new WorkspaceIndex((_text, location, uri, link): ModuleSummary => {
        if (location.name === 'lib.helpers') link.isClass('lib.base.Base');
        return { moduleName: location.name, uri, functions: new Map(), classes: new Map(), imports: new Map() };
      });
      made.addRoot(dir);
      return made;
    }

    it('include what summarizing a module used, also when the summary comes from memory', () => {
      const dir = project({ 'lib/__init__.py': '', 'lib/helpers.py': '', 'lib/base.py': '', 'a.py': '', 'b.py': '' });
      const workspace = index(dir);
      const tracker = new DependencyTracker();
      workspace.listener = tracker;
      const analyze = (file: string) => {
        tracker.begin();
        workspace.linkFor(path.join(dir, file))!.findFunction('lib.helpers.load');
        return tracker.end();
      };
      const first = analyze('a.py');
      const loads = workspace.loads;
      const second = analyze('b.py');
      assert.equal(workspace.loads, loads, 'the second analysis uses the summaries in memory');
      for (const deps of [first, second]) {
        assert.deepEqual([...deps.modules].sort(), [path.join(dir, 'lib', 'base.py'), path.join(dir, 'lib', 'helpers.py')]);
        assert.ok(deps.absent.includes(path.join(dir, 'lib', 'base', '__init__.py')), deps.absent.join());
        assert.ok(deps.absent.includes(path.join(dir, 'lib', 'helpers', '__init__.py')), deps.absent.join());
        assert.deepEqual([...deps.present].sort(), [path.join(dir, 'lib', 'base.py'), path.join(dir, 'lib', 'helpers.py')]);
      }
    });

    it('keep each analysis apart, and see no lookups made outside an analysis', () => {
      const dir = project({ 'lib/__init__.py': '', 'lib/helpers.py': '', 'lib/base.py': '', 'lib/other.py': '', 'a.py': '' });
      const workspace = index(dir);
      const tracker = new DependencyTracker();
      workspace.listener = tracker;
      workspace.summaryOfFile(path.join(dir, 'lib', 'other.py'));
      tracker.begin();
      workspace.linkFor(path.join(dir, 'a.py'))!.findFunction('lib.other.f');
      const deps = tracker.end();
      assert.deepEqual(deps.modules, [path.join(dir, 'lib', 'other.py')]);
      tracker.begin();
      assert.deepEqual(tracker.end(), { modules: [], absent: [], present: [] });
    });

    it('spell each file\'s candidate files right before and after the run has looked up more names than it keeps', () => {
      const tracker = new DependencyTracker();
      const root = path.join(os.tmpdir(), 'no-such-root');
      const lookUp = (names: string[], found: (name: string) => string | null = () => null) => {
        tracker.begin();
        for (const name of names) tracker.looked(root, name, found(name));
        return tracker.end();
      };
      const expected = (names: string[]) => names.flatMap((name) => candidateFiles(root, name));
      const first = ['pkg.a', 'pkg', 'other'];
      assert.deepEqual(lookUp(first).absent, expected(first));
      // Past the limit the memo starts afresh; what each file is told stays the same.
      const many = Array.from({ length: MEMO_LIMIT + 2 }, (_, i) => `m${i}`);
      assert.equal(lookUp(many).absent.length, 2 * many.length);
      assert.deepEqual(lookUp(first).absent, expected(first));
      const present = lookUp(['pkg.a'], () => candidateFiles(root, 'pkg.a')[1]!);
      assert.deepEqual(present, { modules: [], absent: [candidateFiles(root, 'pkg.a')[0]!], present: [candidateFiles(root, 'pkg.a')[1]!] });
      // The same name under another root is other files.
      const elsewhere = path.join(os.tmpdir(), 'another-root');
      tracker.begin();
      tracker.looked(elsewhere, 'pkg.a', null);
      assert.deepEqual(tracker.end().absent, candidateFiles(elsewhere, 'pkg.a'));
    });
  });
});
