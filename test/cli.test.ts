/**
 * The CLI as users run it: the bundled dist/cli.js in a child process, on the
 * examples and on scratch folders with bad files, checking output and exit codes.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_INLINING_BUDGET } from '../server/src/cli/compiler-budget';
import { escapeData, escapeProperty } from '../server/src/cli/github';
import { REPO_ROOT } from './helpers/engine';
import { parseExpectations } from './helpers/expectations';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

function run(args: string[], cwd = REPO_ROOT): { status: number | null; stdout: string; stderr: string } {
  // stderr is a pipe here, never a terminal: no progress bar unless a test asks for a pseudo-terminal.
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonOutput {
  version: string;
  diagnostics: Array<{ path: string; line: number; column: number; endLine: number; endColumn: number; code: string; name: string; category: string; severity: string; message: string }>;
  summary: { files: number; diagnostics: number };
  skipped: Array<{ path: string; reason: string }>;
}

const scratchDirs: string[] = [];

function scratch(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-cli-'));
  scratchDirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

describe('CLI', () => {
  before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first'));
  after(() => {
    for (const dir of scratchDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports exactly the findings marked in the bundled examples (text)', () => {
    const { status, stdout } = run(['check', 'examples']);
    assert.equal(status, 1);
    const reported = stdout
      .split('\n')
      .map((l) => /^(examples\/[\w.]+):(\d+):(\d+): (AIO\d{3}) \[[a-z-]+\] \S/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => `${m[1]}:${m[2]} ${m[4]}`)
      .sort();
    const expected: string[] = [];
    for (const file of fs.readdirSync(path.join(REPO_ROOT, 'examples')).filter((f) => f.endsWith('.py'))) {
      const source = fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8');
      for (const e of parseExpectations(source).expectations) expected.push(`examples/${file}:${e.line} ${e.code}`);
    }
    assert.deepEqual(reported, expected.sort());
    assert.match(stdout, /\nFound \d+ problems \(\d+ errors?, \d+ warnings?\) in \d+ of \d+ files checked\.\n$/);
  });

  it('covers every rule family in the examples, and has clean examples', () => {
    const { stdout } = run(['check', 'examples', '--format', 'json']);
    const out = JSON.parse(stdout) as JsonOutput;
    const categories = new Set(out.diagnostics.map((d) => d.category));
    for (const c of ['blocking-call', 'missing-await', 'cpu-bound-thread', 'unhandled-task-error']) assert.ok(categories.has(c), c);
    const flagged = new Set(out.diagnostics.map((d) => d.path));
    assert.ok(out.summary.files > flagged.size, 'some examples must be clean');
  });

  it('checks the bundled examples when no path is given', () => {
    const { status, stdout, stderr } = run(['check'], os.tmpdir());
    assert.equal(status, 1);
    assert.match(stderr, /checking the bundled examples/);
    assert.match(stdout, /blocking_calls\.py:\d+:\d+: AIO101/);
  });

  it('prints one JSON object with the documented shape', () => {
    const { status, stdout } = run(['check', 'examples/blocking_calls.py', '--format', 'json']);
    assert.equal(status, 1);
    const out = JSON.parse(stdout) as JsonOutput;
    assert.equal(typeof out.version, 'string');
    assert.deepEqual(out.summary, { files: 1, diagnostics: out.diagnostics.length });
    const first = out.diagnostics[0]!;
    assert.deepEqual(Object.keys(first).sort(), ['category', 'code', 'column', 'endColumn', 'endLine', 'line', 'message', 'name', 'path', 'severity'].sort());
    const sleep = out.diagnostics.find((d) => d.code === 'AIO101')!;
    const line = fs.readFileSync(path.join(REPO_ROOT, 'examples/blocking_calls.py'), 'utf8').split('\n')[sleep.line - 1]!;
    // 1-based columns: the call starts at `column`.
    assert.equal(line.slice(sleep.column - 1, sleep.column - 1 + 'time.sleep'.length), 'time.sleep');
    assert.equal(sleep.name, 'blocking-sleep');
    assert.equal(sleep.severity, 'warning');
  });

  it('exits 0 and says so on clean code', () => {
    const { status, stdout } = run(['check', 'examples/clean_service.py', 'examples/clean_worker.py']);
    assert.equal(status, 0);
    assert.match(stdout, /No problems found in 2 files\./);
  });

  it('honours --select and --ignore', () => {
    const selected = JSON.parse(run(['check', 'examples', '--format', 'json', '--select', 'AIO2']).stdout) as JsonOutput;
    assert.ok(selected.diagnostics.length > 0);
    assert.ok(selected.diagnostics.every((d) => d.code.startsWith('AIO2')));
    const ignored = JSON.parse(run(['check', 'examples', '--format', 'json', '--ignore', 'AIO1,AIO601']).stdout) as JsonOutput;
    assert.ok(ignored.diagnostics.every((d) => !d.code.startsWith('AIO1') && d.code !== 'AIO601'));
    assert.ok(ignored.diagnostics.length > 0);
  });

  it('exits 2 on usage errors', () => {
    assert.equal(run(['check', '--format', 'xml']).status, 2);
    assert.equal(run(['check', '--select', 'E501']).status, 2);
    assert.equal(run(['check', '--bogus']).status, 2);
    assert.equal(run(['frobnicate']).status, 2);
    const missing = run(['check', 'no/such/dir']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file or folder: no\/such\/dir/);
  });

  it('prints help and version', () => {
    assert.match(run(['--help']).stdout, /Usage: async-pitfalls check/);
    assert.match(run(['--version']).stdout, /^\d+\.\d+\.\d+\n$/);
    assert.match(run(['rules']).stdout, /AIO101 +blocking-sleep/);
  });

  it('limits inlining with an option this Node knows (V8 ignores an unknown one, all but silently)', () => {
    const v8Options = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    assert.match(v8Options, /--max-inlined-bytecode-size-cumulative\b.*\n.*type: int/);
    assert.ok(CLI_INLINING_BUDGET > 0 && CLI_INLINING_BUDGET < 920, 'a budget below V8 default');
    // The budget is set by the bundled CLI itself, before its workers start.
    assert.match(fs.readFileSync(CLI, 'utf8'), /--max-inlined-bytecode-size-cumulative=/);
  });

  it('skips binary, non-UTF-8 and oversized files with one clear line each, and analyzes the rest', () => {
    const dir = scratch({
      'good.py': 'import time\nasync def f():\n    time.sleep(1)\n',
      'binary.py': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02]),
      'latin1.py': Buffer.from('# caf\xe9\nx = 1\n', 'latin1'),
      'big.py': 'x = 1\n'.repeat(300_000),
    });
    const { status, stdout, stderr } = run(['check', '.', '--max-file-size', '1'], dir);
    assert.equal(status, 1);
    const skippedLines = stderr.trim().split('\n');
    assert.equal(skippedLines.length, 3, stderr);
    assert.match(stderr, /^binary\.py: skipped: binary file/m);
    assert.match(stderr, /^latin1\.py: skipped: not valid UTF-8$/m);
    assert.match(stderr, /^big\.py: skipped: file is 1\.7 MB, over the 1\.0 MB limit$/m);
    assert.match(stdout, /^good\.py:3:5: AIO101/m);
    assert.match(stdout, /1 of 1 file checked, 3 files skipped/);
  });

  it('skips .git, virtualenvs, node_modules and .gitignored files, but checks files named explicitly', () => {
    const bad = 'import time\nasync def f():\n    time.sleep(1)\n';
    const dir = scratch({
      '.gitignore': 'generated/\nignored_*.py\n',
      'app/main.py': bad,
      'app/ignored_one.py': bad,
      'generated/out.py': bad,
      '.git/hooks/x.py': bad,
      'node_modules/pkg/y.py': bad,
      'env/pyvenv.cfg': 'home = /usr/bin\n',
      'env/lib/z.py': bad,
      'app/sub/.gitignore': 'local.py\n',
      'app/sub/local.py': bad,
      'app/sub/kept.py': bad,
    });
    fs.mkdirSync(path.join(dir, '.git', 'objects'), { recursive: true });
    const out = JSON.parse(run(['check', '.', '--format', 'json'], dir).stdout) as JsonOutput;
    assert.deepEqual([...new Set(out.diagnostics.map((d) => d.path))].sort(), ['app/main.py', 'app/sub/kept.py']);
    const explicit = JSON.parse(run(['check', 'app/ignored_one.py', '--format', 'json'], dir).stdout) as JsonOutput;
    assert.equal(explicit.diagnostics.length, 1);
  });

  it('checks symlinked files, does not follow symlinked folders, and skips dangling links', () => {
    const bad = 'import time\nasync def f():\n    time.sleep(1)\n';
    const dir = scratch({ 'real/a.py': bad });
    fs.symlinkSync(path.join(dir, 'real/a.py'), path.join(dir, 'link.py'));
    fs.symlinkSync(path.join(dir, 'real'), path.join(dir, 'loop'));
    fs.symlinkSync(path.join(dir, 'missing.py'), path.join(dir, 'dangling.py'));
    const out = JSON.parse(run(['check', '.', '--format', 'json'], dir).stdout) as JsonOutput;
    assert.deepEqual(out.diagnostics.map((d) => d.path).sort(), ['link.py', 'real/a.py']);
  });

  it('--diff previews the safe fixes without writing, --fix applies them and reports what is left', () => {
    const source = '\ufeffimport time\nimport requests\n\nasync def f(u):\n    time.sleep(1)\n    requests.get(u)\n';
    const dir = scratch({ 'a.py': source, 'clean.py': 'x = 1\n' });
    const preview = run(['check', '.', '--diff'], dir);
    assert.equal(preview.status, 1);
    assert.match(preview.stdout, /^-    time\.sleep\(1\)$/m);
    assert.match(preview.stdout, /^\+    await asyncio\.sleep\(1\)$/m);
    assert.match(preview.stderr, /Would fix 1 problem\(s\) in 1 file\(s\)/);
    assert.equal(fs.readFileSync(path.join(dir, 'a.py'), 'utf8'), source, '--diff writes nothing');
    const fixed = run(['check', '.', '--fix'], dir);
    assert.equal(fixed.status, 1, 'the blocking HTTP call has no safe fix and is still reported');
    assert.match(fixed.stderr, /Fixed 1 problem\(s\) in 1 file\(s\)/);
    assert.match(fixed.stdout, /^a\.py:7:5: AIO102/m);
    assert.equal(fs.readFileSync(path.join(dir, 'a.py'), 'utf8'), '\ufeffimport asyncio\nimport time\nimport requests\n\nasync def f(u):\n    await asyncio.sleep(1)\n    requests.get(u)\n');
    assert.equal(run(['check', 'clean.py', '--diff'], dir).status, 0);
    assert.equal(run(['check', '.', '--fix', '--diff'], dir).status, 2);
  });

  it('reports findings after a syntax error in the same file', () => {
    const dir = scratch({ 'broken.py': 'import time\ndef broken(:\n    pass\n\nasync def f():\n    time.sleep(1)\n' });
    const { status, stdout } = run(['check', 'broken.py'], dir);
    assert.equal(status, 1);
    assert.match(stdout, /^broken\.py:6:5: AIO101/m);
  });

  it('follows imports between the checked modules, unless --no-imports', () => {
    const workspace = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
    const followed = run(['check', workspace, '--format', 'json']);
    const codes = (JSON.parse(followed.stdout) as { diagnostics: Array<{ code: string }> }).diagnostics.map((d) => d.code);
    assert.deepEqual([...new Set(codes)].sort(), ['AIO112', 'AIO201', 'AIO202', 'AIO601']);
    const isolated = run(['check', workspace, '--no-imports', '--format', 'json']);
    assert.equal(isolated.status, 0, isolated.stdout);
  });

  it('applies [tool.async-pitfalls] from the nearest pyproject.toml, reports its mistakes with their line and exits 2', () => {
    const source = 'import os\nimport time\n\nimport legacy\n\n\nasync def handler():\n    time.sleep(1)\n    os.path.exists("x")\n    legacy.fetch()\n';
    const dir = scratch({
      'pyproject.toml': '[tool.async-pitfalls]\nignore = ["AIO106"]\nexclude = ["generated/"]\n\n[tool.async-pitfalls.severity]\nAIO101 = "fatal"\n\n[tool.async-pitfalls.blocking-calls]\n"legacy.fetch" = "use legacy.afetch"\n\n[tool.async-pitfalls.per-file-ignores]\n"tests/**" = ["AIO1"]\n',
      'app.py': source,
      'tests/test_app.py': source,
      'generated/gen.py': source,
    });
    try {
      const { status, stdout, stderr } = run(['check', '.'], dir);
      assert.equal(status, 2);
      assert.match(stderr, /^pyproject\.toml:6:1: \[tool\.async-pitfalls\] AIO101: severity must be one of error, warning, information, hint, off; got "fatal"$/m);
      assert.match(stdout, /^app\.py:8:5: AIO101 /m);
      assert.match(stdout, /^app\.py:10:5: AIO113 .*use legacy\.afetch/m);
      assert.doesNotMatch(stdout, /AIO106|tests|generated/);
      assert.match(stdout, /in 1 of 2 files checked/);
      const json = JSON.parse(run(['check', '.', '--format', 'json'], dir).stdout) as { configErrors: Array<{ path: string; line: number }> };
      assert.deepEqual(json.configErrors.map((e) => [e.path, e.line]), [['pyproject.toml', 6]]);
      const isolated = run(['check', '.', '--isolated'], dir);
      assert.equal(isolated.status, 1);
      assert.match(isolated.stdout, /AIO106/);
      assert.doesNotMatch(isolated.stdout, /AIO113/);
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.async-pitfalls\nignore = 1\n');
      const broken = run(['check', 'app.py'], dir);
      assert.equal(broken.status, 2);
      assert.match(broken.stderr, /^pyproject\.toml:1:\d+: invalid TOML/m);
      assert.match(broken.stdout, /AIO101/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('--format github prints one workflow command per finding, escaped as the runner expects, then the summary', () => {
    const dir = scratch({
      'pyproject.toml': '[tool.async-pitfalls.blocking-calls]\n"legacy.fetch" = "use 100% async:\\nlegacy.afetch, or a thread"\n',
      'a,b:c.py': 'import legacy\nimport time\n\nasync def f():\n    legacy.fetch()\n    time.sleep(1)\n    f()\n',
    });
    try {
      const { status, stdout } = run(['check', '.', '--format', 'github'], dir);
      assert.equal(status, 1);
      const lines = stdout.trimEnd().split('\n');
      assert.equal(lines.length, 4, stdout);
      assert.equal(
        lines[0],
        '::warning file=a%2Cb%3Ac.py,line=5,col=5,endLine=5,endColumn=19,title=AIO113 configured-blocking-call::' +
          "`legacy.fetch()` in `async def f` is blocking (listed as `\"legacy.fetch\"` in the project's `[tool.async-pitfalls.blocking-calls]`): " +
          'it stalls the event loop while it runs; use 100%25 async:%0Alegacy.afetch, or a thread',
      );
      assert.match(lines[1]!, /^::warning file=a%2Cb%3Ac\.py,line=6,col=5,endLine=6,endColumn=18,title=AIO101 blocking-sleep::`time\.sleep\(\)`/);
      assert.match(lines[2]!, /^::error file=a%2Cb%3Ac\.py,line=7,col=5,endLine=7,endColumn=8,title=AIO201 unawaited-coroutine::/);
      assert.equal(lines[3], 'Found 3 problems (1 error, 2 warnings) in 1 of 1 file checked.');
      fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.async-pitfalls]\nselect = 3\n');
      const broken = run(['check', '.', '--format', 'github', '--select', 'AIO101'], dir);
      assert.equal(broken.status, 2);
      assert.match(broken.stdout, /^::error file=pyproject\.toml,line=2,col=1,title=async-pitfalls%3A invalid configuration::/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('escapes workflow command data and properties like @actions/core', () => {
    assert.equal(escapeData('50% done\r\nnext: a,b'), '50%25 done%0D%0Anext: a,b');
    assert.equal(escapeProperty('dir,x/a:b%.py\n'), 'dir%2Cx/a%3Ab%25.py%0A');
  });

  it('--output writes the report to a file (creating folders), keeps the exit status, and fails with 2 when it cannot', () => {
    const dir = scratch({ 'a.py': 'import time\nasync def f():\n    time.sleep(1)\n' });
    try {
      const toStdout = run(['check', 'a.py', '--format', 'json'], dir);
      const written = run(['check', 'a.py', '--format', 'json', '--output', 'reports/deep/out.json'], dir);
      assert.equal(written.status, 1);
      assert.equal(written.stdout, '');
      assert.equal(fs.readFileSync(path.join(dir, 'reports/deep/out.json'), 'utf8'), toStdout.stdout);
      const text = run(['check', 'a.py', '-o', 'out.txt'], dir);
      assert.equal(text.status, 1);
      assert.match(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), /^a\.py:3:5: AIO101 \[blocking-sleep\]/);
      const sarif = run(['check', 'a.py', '--format', 'sarif', '--output', 'out.sarif'], dir);
      assert.equal(sarif.stdout, '');
      assert.equal((JSON.parse(fs.readFileSync(path.join(dir, 'out.sarif'), 'utf8')) as { version: string }).version, '2.1.0');
      const intoFolder = run(['check', 'a.py', '--output', 'reports'], dir);
      assert.equal(intoFolder.status, 2);
      assert.equal(intoFolder.stderr, 'async-pitfalls: cannot write the report to reports: EISDIR\n');
      const underFile = run(['check', 'a.py', '--output', 'a.py/report.txt'], dir);
      assert.equal(underFile.status, 2);
      assert.match(underFile.stderr, /^async-pitfalls: cannot write the report to a\.py\/report\.txt: (ENOTDIR|EEXIST)$/m);
      assert.equal(run(['check', 'a.py', '--output', ''], dir).status, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--statistics counts findings per rule, most frequent first, instead of listing them', () => {
    const dir = scratch({
      'a.py': 'import time\nimport requests\n\nasync def f(u):\n    time.sleep(1)\n    requests.get(u)\n',
      'b.py': 'import time\n\nasync def g():\n    time.sleep(2)\n    time.sleep(3)\n',
    });
    try {
      const { status, stdout } = run(['check', '.', '--statistics'], dir);
      assert.equal(status, 1);
      assert.equal(
        stdout,
        '3\tAIO101\t[*] blocking-sleep\n1\tAIO102\t    blocking-http-call\n\n[*] some of these have a safe fix: run with --fix\nFound 4 problems (0 errors, 4 warnings) in 2 of 2 files checked.\n',
      );
      const json = JSON.parse(run(['check', '.', '--statistics', '--format', 'json'], dir).stdout) as { statistics: unknown; diagnostics: unknown[] };
      assert.deepEqual(json.statistics, [
        { code: 'AIO101', name: 'blocking-sleep', severity: 'warning', count: 3, fixable: 3 },
        { code: 'AIO102', name: 'blocking-http-call', severity: 'warning', count: 1, fixable: 0 },
      ]);
      assert.equal(json.diagnostics.length, 4);
      assert.equal(run(['check', '.', '--statistics', '--format', 'sarif'], dir).status, 2);
      // No fixable rule: no [*] column and no hint.
      assert.equal(run(['check', '.', '--statistics', '--select', 'AIO102'], dir).stdout, '1\tAIO102\tblocking-http-call\n\nFound 1 problem (0 errors, 1 warning) in 1 of 2 files checked.\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('progress bar', () => {
    let dir: string;
    before(() => {
      // Enough files that the run outlasts the bar's start-up delay, even on a fast machine.
      const files: Record<string, string> = {};
      for (let i = 0; i < 300; i++) files[`pkg/m${i}.py`] = `import asyncio\nimport time\n\n\nasync def f${i}():\n    time.sleep(1)\n    for _ in range(3):\n        await asyncio.sleep(0)\n`;
      dir = scratch(files);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('never appears when stderr is not a terminal', () => {
      const { status, stdout, stderr } = run(['check', '.'], dir);
      assert.equal(status, 1);
      assert.equal(stderr, '');
      assert.doesNotMatch(stdout, /\r|\x1b/);
    });

    it('appears on a terminal on stderr only, and is erased at the end', function () {
      if (spawnSync('script', ['--version']).error) this.skip(); // util-linux `script` provides the pseudo-terminal
      const shell = (command: string) =>
        spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } }).stdout;
      const quoted = JSON.stringify(process.execPath);
      // --no-cache: the run before this one left results in the cache, and a warm run ends before the bar shows.
      const terminal = shell(`${quoted} ${JSON.stringify(CLI)} check . --no-cache > out.txt`);
      assert.match(terminal, /\[=*>? *\] \d+\/300 pkg\/m\d+\.py/);
      assert.ok(terminal.endsWith('\r\x1b[2K'), 'the last thing written erases the bar');
      const report = fs.readFileSync(path.join(dir, 'out.txt'), 'utf8');
      assert.doesNotMatch(report, /\r|\x1b|\/300/);
      assert.match(report, /Found 300 problems/);
      assert.doesNotMatch(shell(`${quoted} ${JSON.stringify(CLI)} check . --no-progress > out.txt`), /\/300/);
      assert.doesNotMatch(shell(`${quoted} ${JSON.stringify(CLI)} check . --format json > out.json`), /\/300/, 'no bar next to JSON on stdout');
    });
  });

  it('stops a file at --time-limit and says so on stderr', () => {
    const dir = scratch({ 'big.py': 'import time\nasync def f():\n    time.sleep(1)\n'.repeat(20000) });
    try {
      const count = (stdout: string): number => Number(/^Found (\d+) problems/m.exec(stdout)?.[1]);
      const limited = run(['check', 'big.py', '--time-limit', '0.001', '--statistics'], dir);
      assert.equal(limited.status, 1);
      assert.match(limited.stderr, /^big\.py: the analysis stopped after 0\.001 s \(--time-limit\); findings further down may be missing$/m);
      assert.ok(count(limited.stdout) < 20000, limited.stdout);
      const full = run(['check', 'big.py', '--statistics'], dir);
      assert.equal(count(full.stdout), 20000, full.stdout);
      assert.doesNotMatch(full.stderr, /stopped/);
      assert.equal(run(['check', 'big.py', '--time-limit', 'soon'], dir).status, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same results on worker threads as on one thread (--jobs)', () => {
    const fixtures = path.join(REPO_ROOT, 'test', 'fixtures');
    const one = run(['check', fixtures, '--format', 'json', '--jobs', '1', '--no-cache']);
    const two = run(['check', fixtures, '--format', 'json', '--jobs', '2', '--no-cache']);
    assert.equal(one.status, 1);
    assert.equal(two.status, one.status);
    const parse = (stdout: string) => JSON.parse(stdout) as { diagnostics: unknown[]; summary: { files: number }; skipped: unknown[] };
    assert.ok(parse(one.stdout).summary.files > 100);
    assert.deepEqual(parse(two.stdout), parse(one.stdout));
    const diffOne = run(['check', path.join(fixtures, 'fixes'), '--diff', '--jobs', '1', '--no-cache']);
    const diffTwo = run(['check', path.join(fixtures, 'fixes'), '--diff', '--jobs', '2', '--no-cache']);
    assert.equal(diffTwo.stdout, diffOne.stdout);
    assert.equal(run(['check', fixtures, '--jobs', '0']).status, 2);
  });
});
