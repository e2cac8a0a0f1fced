/**
 * The engine's building blocks: the pinned grammar, name resolution, the async
 * context, source decoding, syntax-error recovery, and robustness on hostile input.
 */
import * as assert from 'node:assert/strict';
import { analyzeTree } from '../server/src/core/analyze';
import { defineRule } from '../server/src/core/rule';
import { RULES } from '../server/src/rules';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeSource } from '../server/src/core/engine';
import { SemanticModel } from '../server/src/core/semantic';
import { Suppressions } from '../server/src/core/suppressions';
import { REPO_ROOT, testEngine } from './helpers/engine';

/** Each line ending in `# => name` holds one call whose callee must resolve to `name` (or `?` for unresolved). */
async function checkResolution(source: string): Promise<void> {
  const engine = await testEngine();
  const tree = engine.parse(source);
  try {
    const model = new SemanticModel(tree.rootNode);
    const calls = tree.rootNode.descendantsOfType('call').filter((c): c is NonNullable<typeof c> => !!c);
    const problems: string[] = [];
    source.split('\n').forEach((line, i) => {
      const m = /# => (\S+)/.exec(line);
      if (!m) return;
      // The outermost call of the line: first to start, longest among those.
      const call = calls.filter((c) => c.startPosition.row === i).sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex)[0];
      if (!call) return void problems.push(`line ${i + 1}: no call`);
      const got = model.calleeName(call) ?? '?';
      if (got !== m[1]) problems.push(`line ${i + 1}: ${call.text}: expected ${m[1]}, got ${got}`);
    });
    assert.deepEqual(problems, []);
  } finally {
    tree.delete();
  }
}

describe('grammar', () => {
  it('is the pinned tree-sitter-python build recorded in grammars/tree-sitter-python.json', () => {
    const record = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'grammars/tree-sitter-python.json'), 'utf8')) as { version: string; sha256: string };
    const wasm = fs.readFileSync(path.join(REPO_ROOT, 'grammars/tree-sitter-python.wasm'));
    assert.equal(createHash('sha256').update(wasm).digest('hex'), record.sha256);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    assert.equal(pkg.devDependencies['tree-sitter-python'], record.version);
  });

  it('parses with UTF-16 columns (an emoji counts as two)', async () => {
    const engine = await testEngine();
    const result = engine.analyzeText('import time\nasync def f():\n    s = "é😀"; time.sleep(1)\n');
    result.tree.delete();
    assert.equal(result.findings[0]!.range.start.character, '    s = "é😀"; '.length);
    assert.equal('    s = "é😀"; '.length, 15);
  });
});

describe('name resolution', () => {
  it('follows imports, aliases, function-local imports and rebinding', () =>
    checkResolution(`
import time
import time as t
import os.path
import urllib.request
from time import sleep as nap
from urllib import request as ureq
from os import path
import concurrent.futures as cf

time.sleep(1)  # => time.sleep
t.sleep(1)  # => time.sleep
nap(1)  # => time.sleep
os.path.exists(p)  # => os.path.exists
path.exists(p)  # => os.path.exists
urllib.request.urlopen(u)  # => urllib.request.urlopen
ureq.urlopen(u)  # => urllib.request.urlopen
subprocess.run(x)  # => subprocess.run
open(p)  # => open
cf.ThreadPoolExecutor()  # => concurrent.futures.ThreadPoolExecutor

def local_import():
    import json as j
    j.dumps(1)  # => json.dumps

def rebound():
    time = make_clock()
    time.sleep(1)  # => ?

def parameter(time):
    time.sleep(1)  # => ?
`));

  it('tracks objects made by known constructors and factories', () =>
    checkResolution(`
import requests, sqlite3, asyncio, threading
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

s = requests.Session()
s.get(u)  # => requests.Session.get
conn = sqlite3.connect(db)
conn.execute(q)  # => sqlite3.Connection.execute
conn.cursor().fetchall()  # => sqlite3.Cursor.fetchall
Path(p).read_text()  # => pathlib.Path.read_text
(Path(p) / "x").read_text()  # => pathlib.Path.read_text
Path.home().joinpath("a").exists()  # => pathlib.Path.exists
pool = ThreadPoolExecutor()
pool.submit(f)  # => concurrent.futures.ThreadPoolExecutor.submit
pool.submit(f).result()  # => concurrent.futures.Future.result
asyncio.get_running_loop().run_in_executor(None, f)  # => asyncio.AbstractEventLoop.run_in_executor
a, b = threading.Lock(), requests.Session()
a.acquire()  # => threading.Lock.acquire
b.get(u)  # => requests.Session.get

def annotated(x: requests.Session, y: "Path", z: requests.Session | None = None):
    x.get(u)  # => requests.Session.get
    z.get(u)  # => requests.Session.get

with requests.Session() as w:
    w.get(u)  # => requests.Session.get

class C:
    def __init__(self):
        self.http = requests.Session()
    def go(self):
        self.http.get(u)  # => requests.Session.get
`));

  it('puts calls in async code only when the nearest function is an async def', async () => {
    const engine = await testEngine();
    const source = `
async def outer():
    a()
    def inner():
        b()
    cb = lambda: c()
    [d() for x in y]
    class K:
        e()
    async def nested():
        f()
g()
`;
    const tree = engine.parse(source);
    const model = new SemanticModel(tree.rootNode);
    const inAsync = Object.fromEntries(
      tree.rootNode.descendantsOfType('call').map((c) => [c!.childForFieldName('function')!.text, model.asyncFunctionOf(c!)?.name ?? null]),
    );
    tree.delete();
    assert.deepEqual(inAsync, { a: 'outer', b: null, c: null, d: 'outer', e: null, f: 'nested', g: null });
  });
});

describe('text searches of the semantic model', () => {
  it('finds a name only as a whole name, with one pattern for several', async () => {
    const engine = await testEngine();
    const cases: Array<[string, string[], boolean]> = [
      ['x = coroutine', ['coroutine'], true],
      ['x = my_coroutine', ['coroutine'], false],
      ['x = coroutine_id', ['coroutine'], false],
      ['asyncio.coroutine(f)', ['all_tasks', 'coroutine'], true],
      ['é_coroutine + coroutineé', ['coroutine'], false],
      ['(coroutine)', ['coroutine'], true],
      ['a.b', ['a.b'], true],
      ['axb', ['a.b'], false],
      ['', ['coroutine'], false],
      ['coroutine', [], false],
      ['coroutine', [''], false],
    ];
    for (const [text, names, expected] of cases) {
      const tree = engine.parse(text);
      try {
        const model = new SemanticModel(tree.rootNode, undefined, { lazyBodies: true, source: text });
        assert.equal(model.mentionsAsName(names), expected, `${JSON.stringify(text)} ${JSON.stringify(names)}`);
      } finally {
        tree.delete();
      }
    }
  });
});

describe('source decoding', () => {
  it('strips a BOM, refuses NUL bytes, invalid UTF-8 and oversized files', () => {
    assert.deepEqual(decodeSource(Buffer.from('\ufeffx = 1\n')), { ok: true, text: 'x = 1\n' });
    assert.deepEqual(decodeSource(Buffer.from([0x78, 0x00, 0x79])), { ok: false, reason: 'binary file (contains NUL bytes)' });
    assert.deepEqual(decodeSource(Buffer.from([0x78, 0xff, 0xfe, 0x79])), { ok: false, reason: 'not valid UTF-8' });
    assert.deepEqual(decodeSource(Buffer.alloc(2048, 0x20), 1024), { ok: false, reason: 'file is 2 KB, over the 1 KB limit' });
  });
});

describe('suppressions', () => {
  it('reads bare and coded noqa comments', () => {
    const s = new Suppressions();
    s.addComment(1, '# noqa');
    s.addComment(2, '# noqa: AIO101, AIO2');
    s.addComment(3, '# NOQA:AIO105');
    s.addComment(4, '# not a noqa comment for AIO101');
    assert.ok(s.isSuppressed(1, 'AIO601'));
    assert.ok(s.isSuppressed(2, 'AIO101') && s.isSuppressed(2, 'AIO203') && !s.isSuppressed(2, 'AIO102'));
    assert.ok(s.isSuppressed(3, 'AIO105'));
    assert.ok(!s.isSuppressed(4, 'AIO101'));
  });

  it('honours the Ruff and flake8-async codes of the same pitfalls, and keeps them when adding a code', async () => {
    const s = new Suppressions();
    s.addComment(1, '# noqa: ASYNC251');
    s.addComment(2, '# noqa: RUF006, E501');
    s.addComment(3, '# noqa: ASYNC22');
    s.addComment(4, '# noqa: E501');
    assert.ok(s.isSuppressed(1, 'AIO101') && !s.isSuppressed(1, 'AIO105'));
    assert.ok(s.isSuppressed(2, 'AIO301') && s.isSuppressed(2, 'AIO302') && !s.isSuppressed(2, 'AIO101'));
    assert.ok(s.isSuppressed(3, 'AIO103') && s.isSuppressed(3, 'AIO104') && !s.isSuppressed(3, 'AIO101'));
    assert.ok(!s.isSuppressed(4, 'AIO101'));
    const engine = await testEngine();
    const result = engine.analyzeText('import time\n\n\nasync def f():\n    time.sleep(1)  # noqa: ASYNC251\n    open("x")  # noqa: ASYNC251\n');
    result.tree.delete();
    assert.deepEqual(result.findings.map((f) => f.code), ['AIO105']);
    const ignore = result.findings[0]!.fixes.find((f) => f.title === 'Ignore AIO105 on this line')!;
    assert.equal(ignore.edits[0]!.newText, '# noqa: ASYNC251, AIO105');
  });
});

describe('hostile input', () => {
  it('still analyzes what follows an unclosed bracket or a broken def line', async () => {
    const engine = await testEngine();
    for (const broken of ['async def f(:\n    x = \n', 'async def f():\n    x = (1 +\n', 'def g(\n']) {
      const source = `import time\n${broken}\nasync def ok():\n    time.sleep(1)\n`;
      const result = engine.analyzeText(source);
      result.tree.delete();
      const line = source.split('\n').findIndex((l) => l.includes('time.sleep'));
      assert.deepEqual(result.findings.map((f) => [f.code, f.range.start.line]), [['AIO101', line]], JSON.stringify(broken));
    }
  });

  it('survives 10,000-deep nesting and 10,000-long attribute chains', async () => {
    const engine = await testEngine();
    const sources = [
      'async def f():\n    x = ' + '['.repeat(10_000) + ']'.repeat(10_000) + '\n',
      'async def f():\n    x = ' + '('.repeat(10_000) + 'time.sleep(1)' + ')'.repeat(10_000) + '\n',
      'async def f():\n    a' + '.b'.repeat(10_000) + '()\n',
      'async def f():\n    f' + '()'.repeat(10_000) + '\n',
      'x = 1' + ' + 1'.repeat(10_000) + '\n',
      Array.from({ length: 300 }, (_, i) => ' '.repeat(i * 4) + `async def f${i}():`).join('\n') + '\n' + ' '.repeat(1200) + 'time.sleep(1)\n',
    ];
    for (const source of sources) {
      const result = engine.analyzeText(source);
      result.tree.delete();
      assert.deepEqual(result.ruleErrors, []);
    }
  });

  it('analyzes an empty file and a file of only comments', async () => {
    const engine = await testEngine();
    for (const source of ['', '\n', '# just a comment\n', '\ufeff']) {
      const result = engine.analyzeText(source);
      result.tree.delete();
      assert.deepEqual(result.findings, []);
    }
  });
});

describe('fault isolation', () => {
  const source = 'import time\n\n\nasync def f():\n    time.sleep(1)\n    time.sleep(2)\n';

  it('drops the findings of a rule that throws, and keeps every other rule', async () => {
    const engine = await testEngine();
    const tree = engine.parse(source);
    const flaky = defineRule({
      meta: { code: 'AIO999', name: 'flaky', category: 'blocking-call', defaultSeverity: 'warning', summary: 'throws on its second call' },
      create(context) {
        let calls = 0;
        return {
          call(node) {
            context.report({ node, message: 'half a result' });
            if (++calls === 2) throw new Error('rule bug');
          },
        };
      },
    });
    const broken = defineRule({
      meta: { code: 'AIO998', name: 'broken', category: 'blocking-call', defaultSeverity: 'warning', summary: 'throws when created' },
      create() {
        throw new Error('cannot start');
      },
    });
    const result = analyzeTree(tree, source, {}, [...RULES, flaky, broken]);
    tree.delete();
    assert.deepEqual(result.ruleErrors.map((e) => e.code).sort(), ['AIO998', 'AIO999']);
    assert.deepEqual(result.findings.map((f) => f.code), ['AIO101', 'AIO101']);
  });

  it('stops at the time limit and says so', async () => {
    const engine = await testEngine();
    const big = source.repeat(3000);
    const unlimited = engine.analyzeText(big);
    unlimited.tree.delete();
    assert.equal(unlimited.timedOut, undefined);
    const limited = engine.analyzeText(big, { timeLimitMs: 0 });
    limited.tree.delete();
    assert.equal(limited.timedOut, true);
    assert.ok(limited.findings.length < unlimited.findings.length);
  });
});
