/**
 * The workspace index and the cross-file rules: a small package under
 * test/fixtures/workspace whose modules import each other (relative imports,
 * re-exports, inherited methods, annotated parameters). Findings are checked
 * against the inline markers, exactly as the single-file fixtures are.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { absoluteImport } from '../server/src/core/workspace-types';
import { BackgroundIndexer } from '../server/src/lsp/indexer';
import { collectPythonFiles } from '../server/src/workspace/files';
import { LoadDeferred, StringPool, type WorkspaceIndex } from '../server/src/workspace/index';
import { PackageFolders } from '../server/src/workspace/module-names';
import { textFactsOf } from '../server/src/workspace/text-facts';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { compareExpectations, parseExpectations } from './helpers/expectations';

const WORKSPACE = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
const API = path.join(WORKSPACE, 'shop', 'api.py');

async function analyzeInWorkspace(file: string, text = fs.readFileSync(file, 'utf8'), index?: Awaited<ReturnType<typeof freshIndex>>) {
  const engine = await testEngine();
  const workspace = index ?? (await freshIndex());
  const { select } = parseExpectations(text);
  const result = engine.analyzeText(text, { select }, workspace.linkFor(file));
  result.tree.delete();
  return result;
}

async function freshIndex() {
  const engine = await testEngine();
  const index = engine.createWorkspaceIndex();
  index.addRoot(WORKSPACE);
  return index;
}

/** A temporary folder holding `files` in its package `pkg`, made before a suite's tests and removed after them. */
function packageFolder(prefix: string, files: Record<string, string>): () => string {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.mkdirSync(path.join(dir, 'pkg'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, 'pkg', name)), { recursive: true });
      fs.writeFileSync(path.join(dir, 'pkg', name), text);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

describe('workspace index', () => {
  it('names modules the way the import system does', () => {
    const packages = new PackageFolders();
    assert.deepEqual(packages.locate(API), { name: 'shop.api', isPackage: false, root: WORKSPACE });
    assert.deepEqual(packages.locate(path.join(WORKSPACE, 'shop', 'services', '__init__.py')), {
      name: 'shop.services',
      isPackage: true,
      root: WORKSPACE,
    });
    assert.equal(absoluteImport('.db.save', 'shop.api', false), 'shop.db.save');
    assert.equal(absoluteImport('..db.load', 'shop.services.setup', false), 'shop.db.load');
    assert.equal(absoluteImport('.db', 'shop', true), 'shop.db');
    assert.equal(absoluteImport('...x', 'shop.api', false), undefined);
  });

  it('finds module files from folder listings read once, case and all, until told files were created', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ap-folders-'));
    try {
      fs.mkdirSync(path.join(dir, 'pkg'));
      fs.writeFileSync(path.join(dir, 'pkg', '__init__.py'), '');
      fs.writeFileSync(path.join(dir, 'pkg', 'db.py'), 'async def save(): ...\n');
      const engine = await testEngine();
      const index = engine.createWorkspaceIndex();
      index.addRoot(dir);
      const link = index.linkFor(path.join(dir, 'main.py'));
      assert.equal(link?.findFunction?.('pkg.db.save')?.summary.isAsync, true);
      assert.equal(link?.findFunction?.('pkg.Db.save'), undefined, 'module names are case-sensitive');
      assert.equal(link?.findFunction?.('pkg.nothere.deep.save'), undefined);
      assert.equal(link?.findFunction?.('other.db.save'), undefined);
      fs.writeFileSync(path.join(dir, 'pkg', 'cache.py'), 'async def get(): ...\n');
      assert.equal(index.linkFor(path.join(dir, 'main.py'))?.findFunction?.('pkg.cache.get'), undefined, 'listings are kept until files are created');
      index.invalidate(path.join(dir, 'pkg', 'cache.py'), true);
      assert.equal(index.linkFor(path.join(dir, 'main.py'))?.findFunction?.('pkg.cache.get')?.summary.isAsync, true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds functions through re-exports and inherited methods', async () => {
    const index = await freshIndex();
    assert.equal(index.findFunction('shop.save_order')?.qualifiedName, 'shop.db.save_order');
    assert.equal(index.findFunction('shop.db.Repository.fetch')?.summary.isAsync, true);
    assert.equal(index.findFunction('shop.db.load_config')?.summary.blocking?.code, 'AIO105');
    assert.equal(index.findFunction('shop.db.nothing'), undefined);
    assert.equal(index.findFunction('os.path.join'), undefined);
    assert.ok(index.isClass('shop.db.Repository'));
  });

  it('works out function details only when asked (the CLI), the same as all at once (the editor)', async () => {
    const engine = await testEngine();
    const eager = engine.createWorkspaceIndex();
    eager.addRoot(WORKSPACE);
    const lazy = engine.createWorkspaceIndex({ lazyDetails: true });
    lazy.addRoot(WORKSPACE);
    const plain = (summary: object | undefined) => JSON.parse(JSON.stringify(summary, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v))) as unknown;
    const details = (f: { blocking?: unknown; loopStart?: unknown; calls: unknown; cpu?: unknown } | undefined) => f && plain({ blocking: f.blocking, loopStart: f.loopStart, calls: f.calls, cpu: f.cpu });
    let compared = 0;
    for (const file of collectPythonFiles([path.join(WORKSPACE, 'shop')])) {
      const fromLazy = lazy.summaryOfFile(file)!;
      const loadsBefore = lazy.loads;
      const fromEager = eager.summaryOfFile(file)!;
      // The shape without any body walked yet.
      const shape = (s: typeof fromLazy) => [...s.functions].map(([name, f]) => [name, f.qualname, f.isAsync, f.isGenerator, f.plainDecorators, f.nameRange]);
      assert.deepEqual(shape(fromLazy), shape(fromEager), file);
      assert.equal(lazy.loads, loadsBefore);
      for (const [name, fn] of fromEager.functions) {
        assert.deepEqual(details(fromLazy.functions.get(name)), details(fn), `${file} ${name}`);
        compared++;
      }
    }
    assert.ok(compared > 10, `${compared} functions`);
    const crunch = eager.findFunction('shop.compute.crunch')?.summary.cpu;
    assert.ok(crunch?.reason.includes('loop'));
    assert.deepEqual(lazy.findFunction('shop.compute.crunch')?.summary.cpu, crunch);
  });

  it('reports cross-file findings exactly where the markers say', async () => {
    const text = fs.readFileSync(API, 'utf8');
    const result = await analyzeInWorkspace(API, text);
    assert.deepEqual(result.ruleErrors, []);
    const problems = compareExpectations('shop/api.py', parseExpectations(text).expectations, result.findings);
    assert.ok(problems.length === 0, `\n${problems.join('\n')}`);
  });

  it('points related information at the other files, one hop at a time', async () => {
    const result = await analyzeInWorkspace(API);
    const missing = result.findings.find((f) => f.code === 'AIO201' && f.message.startsWith('`save_order()`'))!;
    assert.equal(missing.related[0]?.uri, pathToFileURL(path.join(WORKSPACE, 'shop', 'db.py')).href);
    assert.equal(missing.related[0]?.range.start.line, 4);
    const chain = result.findings.find((f) => f.code === 'AIO112' && f.message.includes('prepare'))!;
    assert.deepEqual(
      chain.related.map((r) => [path.basename(new URL(r.uri!).pathname), r.range.start.line + 1]),
      [
        ['setup.py', 5],
        ['db.py', 10],
      ],
    );
  });

  it('analyzes a file alone (no workspace) without cross-file findings', async () => {
    const engine = await testEngine();
    const text = fs.readFileSync(API, 'utf8');
    const result = engine.analyzeText(text, { select: ['AIO1', 'AIO2', 'AIO6'] });
    result.tree.delete();
    assert.deepEqual(result.findings.map((f) => f.code), []);
  });

  it('sees the editor text of another module instead of the file on disk', async () => {
    const index = await freshIndex();
    const db = path.join(WORKSPACE, 'shop', 'db.py');
    const before = await analyzeInWorkspace(API, undefined, index);
    const mentionsSave = (f: { related: Array<{ message: string }> }): boolean => f.related.some((r) => r.message.includes('shop.db.save_order'));
    assert.ok(before.findings.some(mentionsSave));
    index.setOverlay(db, fs.readFileSync(db, 'utf8').replace('async def save_order', 'def save_order'));
    const after = await analyzeInWorkspace(API, undefined, index);
    assert.ok(!after.findings.some(mentionsSave));
    index.setOverlay(db, undefined);
    const restored = await analyzeInWorkspace(API, undefined, index);
    assert.equal(restored.findings.length, before.findings.length);
  });

  it('survives import cycles and modules that cannot be read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aio-ws-'));
    try {
      fs.mkdirSync(path.join(dir, 'loop'));
      fs.writeFileSync(path.join(dir, 'loop', '__init__.py'), 'from .a import ping\n');
      fs.writeFileSync(path.join(dir, 'loop', 'a.py'), 'from .b import pong as ping\n\ndef helper():\n    return ping()\n');
      fs.writeFileSync(path.join(dir, 'loop', 'b.py'), 'from .a import ping as pong\nfrom .a import helper\n\ndef again():\n    return helper()\n');
      fs.writeFileSync(path.join(dir, 'loop', 'bin.py'), Buffer.from([0, 1, 2, 3]));
      const main = path.join(dir, 'loop', 'main.py');
      const text = 'from . import bin\nfrom .b import again\nfrom .a import ping\n\nasync def run():\n    again()\n    ping()\n    bin.thing()\n';
      fs.writeFileSync(main, text);
      const engine = await testEngine();
      const index = engine.createWorkspaceIndex();
      const result = engine.analyzeText(text, {}, index.linkFor(main));
      result.tree.delete();
      assert.deepEqual(result.ruleErrors, []);
      assert.deepEqual(result.findings, []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('workspace index memory and background loading', () => {
  /** A package whose modules load each other through imports, re-exports and base classes, plus an import cycle. */
  const PACKAGE: Record<string, string> = {
    '__init__.py': 'from .service import run_report\n',
    'util.py': 'def render(rows):\n    return ", ".join(rows)\n',
    'store.py':
      'import time\nfrom .util import render\n\nclass Store:\n    def read(self):\n        time.sleep(1)\n        return render([])\n\n' +
      'def load_rows():\n    with open("rows.txt") as f:\n        return f.read()\n',
    'service.py':
      'from .store import Store, load_rows\nfrom . import util\n\ndef run_report():\n    return util.render(load_rows())\n\n' +
      'class Reporter(Store):\n    def go(self):\n        return self.read()\n',
    'cli.py': 'from . import run_report\nfrom .service import Reporter\n\ndef main():\n    Reporter().go()\n    run_report()\n',
    'cycle_a.py': 'from .cycle_b import pong\n\ndef ping():\n    return pong()\n',
    'cycle_b.py': 'from .cycle_a import ping\n\ndef pong():\n    return ping()\n',
  };
  const CYCLE = new Set(['cycle_a.py', 'cycle_b.py']);
  const folder = packageFolder('aio-index-', PACKAGE);

  const file = (name: string): string => path.join(folder(), 'pkg', name);
  const plain = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (v instanceof Map ? [...v] : v));

  async function indexOf(): Promise<WorkspaceIndex> {
    const index = (await testEngine()).createWorkspaceIndex();
    index.addRoot(folder());
    return index;
  }

  it('copies the strings of summaries without changing them', () => {
    const pool = new StringPool();
    const source = `${'x'.repeat(100)}def a_rather_long_function_name(): pass`;
    const name = source.slice(104, 133);
    const shared = { target: `pkg.mod.${name}`, range: { start: { line: 1, character: 2 }, end: { line: 1, character: 9 } } };
    const summary = {
      moduleName: 'pkg.mod',
      functions: new Map([[name, { qualname: name, calls: [shared, shared] }]]),
      imports: new Map([['alias', `pkg.other.${name}`]]),
      names: new Set([name, `set.${name}`]),
    };
    const before = plain(summary);
    const interned = pool.internAll(summary);
    assert.equal(interned, summary);
    assert.equal(plain(interned), before);
    const calls = interned.functions.get(name)!.calls;
    assert.equal(calls[0], calls[1], 'an object referenced twice stays one object');
    // Equal strings share one pooled copy: `name` and the pooled key of `functions` and the two targets' prefixes.
    assert.equal(pool.size, new Set(['pkg.mod', name, `pkg.mod.${name}`, 'alias', `pkg.other.${name}`, `set.${name}`]).size);
    assert.deepEqual([...interned.names], [name, `set.${name}`]);
  });

  it('forgets the modules of a load abandoned halfway, and loads them again when asked', async () => {
    const index = await indexOf();
    const store = file('store.py');
    const deferUtil = (wanted: string): boolean => {
      if (wanted === file('util.py')) throw new LoadDeferred();
      return true;
    };
    assert.throws(() => index.summaryOfFile(file('service.py'), deferUtil), LoadDeferred);
    assert.deepEqual(index.loadingChain, []);
    assert.equal(index.moduleCount, 0, 'service.py and store.py were half-done: neither is cached');
    const service = index.summaryOfFile(file('service.py'));
    assert.ok(service, 'not cached as unreadable');
    assert.equal(index.findFunction('pkg.store.Store.read')?.summary.blocking?.code, 'AIO101');
    assert.ok(index.summaryOfFile(store));
    assert.equal(index.moduleCount, 3);
  });

  it('indexes in the background in short steps, to the summaries of loading each file in one go', async () => {
    const files = [...collectPythonFiles([folder()])];
    const direct = await indexOf();
    for (const f of files) direct.summaryOfFile(f);
    let abandoned = 0;
    let reloaded = 0;
    // A clock that ticks once per reading: the slice runs out after a set number of module loads, the same on every run.
    for (let sliceMs = -1; sliceMs <= 12; sliceMs++) {
      const background = await indexOf();
      const load = background.summaryOfFile.bind(background);
      const completed = new Set<string>();
      background.summaryOfFile = (f, spend) => {
        const topLevel = background.loadingChain.length === 0;
        try {
          const summary = load(f, spend);
          // Loaded from the top twice: the first summary was dropped for the modules it asked for.
          if (topLevel && completed.has(f)) reloaded++;
          if (topLevel) completed.add(f);
          return summary;
        } catch (error) {
          if (error instanceof LoadDeferred) abandoned++;
          throw error;
        }
      };
      const errors: string[] = [];
      const connection = { console: { info: () => undefined, error: (m: string) => errors.push(m) } } as unknown as Connection;
      let clock = 0;
      const result = await new BackgroundIndexer(connection, background, () => false, { sliceMs, now: () => clock++ }).run([folder()]);
      assert.deepEqual(errors, []);
      assert.equal(result.cancelled, false);
      assert.equal(result.modules, files.length);
      for (const f of files) {
        if (CYCLE.has(path.basename(f))) assert.ok(background.summaryOfFile(f), f);
        else assert.equal(plain(background.summaryOfFile(f)), plain(direct.summaryOfFile(f)), `${f}, slice of ${sliceMs}`);
      }
    }
    assert.ok(abandoned > 0 && reloaded > 0, `both ways of deferring were exercised: ${abandoned} loads abandoned, ${reloaded} loaded again`);
  });

  it('leaves very large files out of the background pass, to be loaded when something imports them', async () => {
    const big = file('generated.py');
    // 600 KB of data and one function: over the background limit, cheap to parse.
    fs.writeFileSync(big, `TABLE = """${'x'.repeat(600 * 1024)}"""\n\ndef lookup():\n    return TABLE\n`);
    try {
      const index = await indexOf();
      const logs: string[] = [];
      const connection = { console: { info: (m: string) => logs.push(m), error: (m: string) => logs.push(m) } } as unknown as Connection;
      const result = await new BackgroundIndexer(connection, index, () => false).run([folder()]);
      assert.equal(result.files, Object.keys(PACKAGE).length);
      assert.equal(index.moduleCount, Object.keys(PACKAGE).length);
      assert.match(logs.join('\n'), /1 over 512 KB left until an open file imports them/);
      assert.equal(index.findFunction('pkg.generated.lookup')?.summary.isAsync, false, 'loaded on demand');
      assert.equal(index.moduleCount, Object.keys(PACKAGE).length + 1);
    } finally {
      fs.rmSync(big);
    }
  });
});

describe('workspace index: names answered from a module text', () => {
  const PACKAGE: Record<string, string> = {
    '__init__.py': '',
    'plain.py':
      'import os\nfrom .deep import Base as B\n\n# async is only in this comment\n"""and in async docstrings"""\n' +
      'class Helper:\n    pass\n\nclass Err(ValueError):\n    pass\n\nclass Sub(B):\n    pass\n\nclass Local(Helper):\n    pass\n\ndef work():\n    return os.getcwd()\n',
    'deep.py': 'class Base:\n    async def go(self):\n        pass\n',
    'coro.py': 'async def fetch():\n    pass\n',
    'reexport.py': 'from .coro import fetch\nfrom .plain import work\n',
    'rebound.py': 'from .deep import Base\nValueError = Base\n\nclass E(ValueError):\n    pass\n',
    'mixed.py': 'import asyncio\n\nasync def fetch():\n    await asyncio.sleep(1)\n\ndef plain():\n    return 1\n\nclass Svc:\n    async def go(self):\n        pass\n\nclass Calm:\n    def stay(self):\n        pass\n\n' +
      'class Nested:\n    def run(self):\n        async def inner():\n            pass\n        return inner\n',
    // A package binding the names of its submodules to what they define (as unittest binds `main`).
    'runner/__init__.py': 'from .main import main\nfrom .go import go\nfrom .tool import tool\n',
    'runner/tool.py': 'class tool:\n    def use(self):\n        pass\n',
    'runner/main.py': 'def main():\n    pass\n',
    'runner/go.py': 'async def go():\n    pass\n',
  };
  const folder = packageFolder('aio-text-', PACKAGE);

  async function index() {
    const made = (await testEngine()).createWorkspaceIndex({ lazyDetails: true });
    made.addRoot(folder());
    return made;
  }

  it('answers inert without summarizing a module that has no async code', async () => {
    for (const name of ['pkg.plain.work', 'pkg.plain.Helper', 'pkg.plain.Err', 'pkg.plain.Local', 'pkg.reexport.work', 'pkg.plain.missing', 'pkg.mixed.plain', 'pkg.mixed.plain.attr']) {
      const fresh = await index();
      assert.equal(fresh.classify(name), 'inert', name);
      assert.equal(fresh.loads, 0, `${name} was answered from the text`);
    }
  });

  it('follows re-exports and base classes to async code, and asks the summary when the text cannot tell', async () => {
    const expected: Record<string, string> = {
      'pkg.plain.Sub': 'async',
      'pkg.reexport.fetch': 'async',
      'pkg.rebound.E': 'async',
      'pkg.coro.fetch': 'async',
      'pkg.deep.Base': 'async',
      'pkg.plain': 'module',
      'pkg.mixed.fetch': 'async',
      'pkg.mixed.Svc': 'async',
      'pkg.mixed.Svc.go': 'async',
      'pkg.mixed.Calm': 'inert',
    };
    for (const [name, kind] of Object.entries(expected)) assert.equal((await index()).classify(name), kind, name);
    // In a module with async code, a class is told from the text: inert without an `async def` in its
    // body, async with one; what its methods are is the summary's to say.
    const calm = await index();
    calm.classify('pkg.mixed.Calm');
    assert.equal(calm.classify('pkg.mixed.Svc'), 'async');
    assert.equal(calm.loads, 0);
    calm.classify('pkg.mixed.Svc.go');
    assert.equal(calm.loads, 1);
    // An `async def` nested in a method makes the class async to the pre-filter, which may take more
    // code than needed, never less; the summary knows it has no async method.
    const nested = await index();
    assert.equal(nested.classify('pkg.mixed.Nested'), 'async');
    assert.equal(nested.loads, 0);
    assert.equal(nested.findFunction('pkg.mixed.Nested.run')?.summary.isAsync, false);
    assert.equal(nested.isClass('pkg.mixed.Nested'), true);
  });

  it('classifies a called name as the analysis resolves a callee: the package\'s attribute, not the submodule', async () => {
    const fresh = await index();
    assert.equal(fresh.classify('pkg.runner.main'), 'module');
    assert.equal(fresh.classifyCallee('pkg.runner.main'), 'inert');
    assert.equal(fresh.findFunction('pkg.runner.main')?.summary.isAsync, false);
    assert.equal(fresh.classify('pkg.runner.go'), 'module');
    assert.equal(fresh.classifyCallee('pkg.runner.go'), 'async');
    assert.equal(fresh.findFunction('pkg.runner.go')?.summary.isAsync, true);
    // A class: the analysis makes the call an instance, and looks its methods up under the submodule's name too.
    assert.equal(fresh.classify('pkg.runner.tool'), 'module');
    assert.equal(fresh.classifyCallee('pkg.runner.tool'), 'module');
    // A module's own function, and a name nobody binds.
    assert.equal(fresh.classifyCallee('pkg.coro.fetch'), 'async');
    assert.equal(fresh.classifyCallee('pkg.runner.missing'), 'inert');
  });

  it('tells the analysis which callees surely are no coroutine functions', async () => {
    const link = (await index()).linkFor(path.join(folder(), 'pkg', 'reexport.py'))!;
    assert.equal(link.surelyNotAsync!('pkg.plain.work'), true);
    assert.equal(link.surelyNotAsync!('pkg.reexport.work'), true);
    assert.equal(link.surelyNotAsync!('pkg.reexport.fetch'), false);
    assert.equal(link.surelyNotAsync!('pkg.plain'), false);
    assert.equal(link.findFunction('pkg.reexport.fetch')?.summary.isAsync, true);
  });

  it('reads base lists from the text', () => {
    const facts = textFactsOf(
      'from abc import ABCMeta\nclass A(Generic[T], metaclass=ABCMeta): pass\nclass B[T](x . Y):\n    pass\nclass C(make_base()): pass\nclass D: pass\n# class X(Y)\ns = "class Z(W)"\n' +
        'class A(\n    Other,\n): pass\n',
    );
    assert.equal(facts.mayDefineAsync, false);
    assert.deepEqual(Object.fromEntries(facts.classes), { A: [['Generic'], ['Other']], B: [['x.Y']], C: undefined, D: [] });
    assert.deepEqual([...facts.imports!.keys()], ['ABCMeta']);
    assert.deepEqual([...textFactsOf('class E(Exception): pass\nException = 1\n').reboundBuiltins], ['Exception']);
    assert.deepEqual([...textFactsOf('class E(Exception): pass\nif Exception == 1: pass\n').reboundBuiltins], []);
    const mixed = textFactsOf('async def f(): pass\nclass A(B):\n    async  def g(self): pass\n    def h(self): pass\n# async def c(): pass\n');
    assert.deepEqual([...mixed.asyncDefs], ['f', 'g']);
    assert.deepEqual([...mixed.classes.keys()], ['A']);
  });

  it('tells from the text which class bodies may hold an async def', () => {
    const withAsync = (code: string) => [...textFactsOf(code).classesWithAsyncDefs].sort();
    const q = '"""';
    const code =
      'async def top(): pass\nclass Plain(B):\n    def h(self): pass\nclass Own:\n    async def g(self): pass\n' +
      'class Outer:\n    class Inner:\n        async def m(self): pass\n' +
      `class Doc:\n    ${q}\ndef fake(): pass\n${q}\n    async def late(self): pass\n` +
      `class Kept:\n    x = f${q}\ndef fake(): pass\n${q}\n    def sync(self): pass\n` +
      'def outer():\n    class Local:\n        pass\n    async def beside(): pass\n' +
      'class Last:\n    x = 1\nasync def after(): pass\n';
    // `Kept`: an f-string keeps its text, where a line that looks like a `def` may not end the class.
    assert.deepEqual(withAsync(code), ['Doc', 'Inner', 'Kept', 'Outer', 'Own']);
    assert.deepEqual(withAsync('class T:\n\tdef f(self): pass\nasync def g(): pass\n'), ['T'], 'a tab in the indentation: may');
    assert.deepEqual(withAsync('class N:\n    pass\n'), []);
    assert.deepEqual(withAsync('class C:\r\n    y = \\\r\ndef x(): pass\r\nasync def z(): pass\r\n'), ['C'], 'a line continued by a backslash: may');
  });

  it('reads class bodies in time linear in the text, however many classes (a hang fails on the time-out)', () => {
    // Each class used to look back for a `\r` that is not there, to the start of the file: 68 s for these.
    const many = textFactsOf(`import os\n${'class X:\n    pass\n'.repeat(100_000)}async def z(): pass\n`);
    assert.deepEqual([...many.classesWithAsyncDefs], []);
    // Nested 3,000 deep (the first read to their end, the rest "may" once a budget of reading is spent), or 50,000 on one line ("may").
    const nested = textFactsOf(`import os\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}class C${i}:\n`).join('')}${' '.repeat(3000)}pass\nasync def z(): pass\n`);
    assert.ok(!nested.classesWithAsyncDefs.has('C0') && nested.classesWithAsyncDefs.has('C2999'));
    assert.ok(textFactsOf(`import os\n${'x = 1; class X: pass; '.repeat(50_000)}\nasync def z(): pass\n`).classesWithAsyncDefs.has('X'));
  });
});
