/**
 * The pre-filter (core/prefilter.ts): a full analysis visits only the functions whose text, or the
 * definitions of the names they use, hold a trigger word of an enabled rule, and the CLI does not
 * even parse a file with none. It must never change what is reported: every fixture and example
 * gives the same findings as visiting every function, and the fixtures under
 * test/fixtures/prefilter hold findings that only the names defined elsewhere lead to.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Tree } from 'web-tree-sitter';
import { codeOnly } from '../server/src/core/code-text';
import { scanImports } from '../server/src/core/import-scan';
import { analyzeEveryFunction, analyzeInSlices } from '../server/src/core/analyze';
import { chunksToVisit, fileMayReport, Triggers } from '../server/src/core/prefilter';
import { SemanticModel } from '../server/src/core/semantic';
import type { AnalyzeOptions, Finding } from '../server/src/core/types';
import type { WorkspaceLink } from '../server/src/core/workspace-types';
import { RULES } from '../server/src/rules';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { compareExpectations, parseExpectations } from './helpers/expectations';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');
const PREFILTER = path.join(FIXTURES, 'prefilter');

function pythonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.py') && !f.includes('.async-pitfalls-cache'))
    .sort()
    .map((f) => path.join(dir, f));
}

function drain<T>(steps: Generator<void, T>): T {
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

const describeFinding = (f: Finding) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.code} ${f.message}`;

/** The findings of the filtered analysis and of the one that visits every function. */
async function bothAnalyses(text: string, options: AnalyzeOptions, link?: () => WorkspaceLink | undefined) {
  const engine = await testEngine();
  const tree: Tree = engine.parse(text);
  try {
    const filtered = drain(analyzeInSlices(tree, text, options, link?.(), Infinity));
    const every = drain(analyzeEveryFunction(tree, text, options, link?.(), Infinity));
    return { filtered, every };
  } finally {
    tree.delete();
  }
}

async function indexOf(root: string) {
  const index = (await testEngine()).createWorkspaceIndex();
  index.addRoot(root);
  return index;
}

describe('pre-filter', () => {
  it('knows the words of every rule', () => {
    for (const rule of RULES) assert.ok(rule.meta.triggers && rule.meta.triggers.length > 0, `${rule.meta.code} names no trigger words`);
  });

  it('finds what visiting every function finds, in every fixture and example (each file on its own)', async () => {
    const files = [...pythonFiles(FIXTURES), ...pythonFiles(path.join(REPO_ROOT, 'examples'))];
    assert.ok(files.length > 100);
    let compared = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const { select, options } = parseExpectations(text);
      for (const run of [{ ...options, select }, {}]) {
        const { filtered, every } = await bothAnalyses(text, run);
        assert.deepEqual(filtered.findings.map(describeFinding), every.findings.map(describeFinding), path.relative(REPO_ROOT, file));
        compared += every.findings.length;
      }
    }
    assert.ok(compared > 1000, `${compared} findings compared`);
  });

  it('finds what visiting every function finds with imports followed', async () => {
    for (const root of [path.join(FIXTURES, 'workspace'), path.join(PREFILTER, 'workspace'), path.join(PREFILTER, 'own-package')]) {
      const index = await indexOf(root);
      for (const file of pythonFiles(root)) {
        const { filtered, every } = await bothAnalyses(fs.readFileSync(file, 'utf8'), {}, () => index.linkFor(file));
        assert.deepEqual(filtered.findings.map(describeFinding), every.findings.map(describeFinding), path.relative(REPO_ROOT, file));
      }
    }
  });

  it('reaches findings through names defined elsewhere in the file', async () => {
    const engine = await testEngine();
    const files = pythonFiles(path.join(PREFILTER, 'single'));
    let marked = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const { expectations } = parseExpectations(text);
      const result = engine.analyzeText(text, {});
      try {
        const problems = compareExpectations(path.relative(REPO_ROOT, file), expectations, result.findings);
        assert.deepEqual(problems, []);
        // The point of these fixtures: functions that do not say the words of the rule reporting in them.
        const lines = text.split('\n');
        const reachedOnlyThroughNames = result.findings.filter((finding) => {
          const chunk = result.chunks?.find((c) => c.node.startPosition.row <= finding.range.start.line && finding.range.start.line <= c.node.endPosition.row);
          if (!chunk) return false;
          const words = RULES.find((r) => r.meta.code === finding.code)!.meta.triggers!;
          const own = lines.slice(chunk.node.startPosition.row, chunk.node.endPosition.row + 1).join('\n');
          return !words.some((w) => own.includes(w));
        });
        assert.ok(reachedOnlyThroughNames.length > 0, `${path.basename(file)}: every finding is in a function that says its rule's words`);
        marked += reachedOnlyThroughNames.length;
      } finally {
        result.tree.delete();
      }
    }
    assert.ok(marked >= 25, `${marked} findings`);
  });

  it('reaches findings that other modules lead to, with imports followed, and parses those files only then', async () => {
    const engine = await testEngine();
    for (const root of [path.join(PREFILTER, 'workspace'), path.join(PREFILTER, 'own-package')]) {
      const index = await indexOf(root);
      for (const file of pythonFiles(root)) {
        const text = fs.readFileSync(file, 'utf8');
        const { expectations } = parseExpectations(text);
        if (expectations.length === 0) continue;
        const result = engine.analyzeFile(text, {}, index.linkFor(file));
        assert.equal(result.parsed, true, file);
        assert.deepEqual(compareExpectations(path.relative(REPO_ROOT, file), expectations, result.findings), []);
        // On its own the file names no async API at all: not even parsed.
        const alone = engine.analyzeFile(text, {});
        assert.equal(alone.parsed, false, file);
        assert.deepEqual(alone.findings, []);
      }
    }
  });

  it('keeps what fuzzing found: a lone \\r ends a comment, and a def header can bind a module name', async () => {
    const cases: Array<[string, string[]]> = [
      // Python ends the comment at the lone \r: the next line is code.
      ['def f():#\rasync def fetch(url):\n    open("x").read()\n', ['AIO105']],
      // Error recovery leaves the import in the def, beside its body: it binds at module level.
      ['ProcessPoolExecutor().submit(work)\nasync def fetch(url):\n    from concurrent.futures import ProcessPoolExecutor)\nasync def g():\n', ['AIO305', 'AIO607']],
      // A walrus in a default binds in the enclosing scope.
      ['import asyncio\ndef make(loop=(LOOP := asyncio.new_event_loop())):\n    return loop\nLOOP.create_task(work())\n', ['AIO301']],
    ];
    for (const [text, codes] of cases) {
      const { filtered, every } = await bothAnalyses(text, {});
      assert.deepEqual(every.findings.map((f) => f.code), codes, text);
      assert.deepEqual(filtered.findings.map(describeFinding), every.findings.map(describeFinding), text);
    }
    assert.equal(codeOnly('x = 1  # a\rimport asyncio\n'), 'x = 1     \rimport asyncio\n');
    assert.deepEqual(scanImports('x = 1  # a\rimport asyncio\n')?.imports, [{ name: 'asyncio', target: 'asyncio' }]);
  });

  it('builds and visits only the functions that can be reported on', async () => {
    const text = [
      'import time',
      'import threading',
      '',
      'def helper(x):',
      '    return x + 1',
      '',
      'def launch():',
      '    threading.Thread(target=helper, args=(1,)).start()',
      '',
      'async def handler():',
      '    time.sleep(1)',
      '',
    ].join('\n');
    const engine = await testEngine();
    const built = (options: AnalyzeOptions) => {
      const tree = engine.parse(text);
      try {
        const result = drain(analyzeInSlices(tree, text, options, undefined, Infinity));
        return { names: result.chunks!.filter((c) => c.built).map((c) => c.fn.name), codes: result.findings.map((f) => f.code) };
      } finally {
        tree.delete();
      }
    };
    assert.deepEqual(built({}), { names: ['launch', 'handler'], codes: ['AIO605', 'AIO101'] });
    assert.deepEqual(built({ select: ['AIO1'] }), { names: ['handler'], codes: ['AIO101'] });
    assert.deepEqual(built({ select: ['AIO605'] }), { names: ['launch'], codes: ['AIO605'] });
  });

  it('follows a long chain of names to its end', async () => {
    // Each function names the one before: past a few search rounds, the names are indexed instead.
    const chain = Array.from({ length: 12 }, (_, i) => (i === 0 ? 'def f0():\n    return asyncio.get_event_loop()\n' : `def f${i}():\n    return f${i - 1}()\n`));
    const text = ['import asyncio', '', ...chain, 'def unrelated():', '    return 1', ''].join('\n');
    const engine = await testEngine();
    const tree = engine.parse(text);
    try {
      const semantic = new SemanticModel(tree.rootNode, undefined, { lazyBodies: true, source: text });
      const visited = chunksToVisit(semantic, text, Triggers.of(RULES, {})).map((c) => c.fn.name);
      assert.deepEqual(visited, Array.from({ length: 12 }, (_, i) => `f${i}`));
    } finally {
      tree.delete();
    }
  });

  it('does not parse a file that holds none of the enabled rules\' words', async () => {
    const engine = await testEngine();
    const plain = 'import os\n\ndef size(path):\n    return os.path.getsize(path)\n';
    assert.equal(engine.analyzeFile(plain).parsed, false);
    const blocking = 'import time\n\nasync def main():\n    time.sleep(1)\n';
    const result = engine.analyzeFile(blocking);
    assert.equal(result.parsed, true);
    assert.deepEqual(result.findings.map((f) => f.code), ['AIO101']);
    // Only a thread rule selected: the coroutine is not its business.
    assert.equal(engine.analyzeFile(blocking, { select: ['AIO605'] }).parsed, false);
    assert.equal(fileMayReport(blocking, Triggers.of(RULES, { ignore: ['AIO'] })), false);
  });

  it('parses a file for the thread rules only where it can name `threading.Thread`, not for a lock', async () => {
    const engine = await testEngine();
    // logging, queue, ...: the module for its locks only. None of the thread rules can report on it.
    const locks = 'import threading\n\n_lock = threading.RLock()\n\ndef emit(record):\n    with _lock:\n        print(record)\n';
    assert.equal(engine.analyzeFile(locks).parsed, false);
    const forgotten = 'import threading as th\n\ndef work():\n    pass\n\ndef spawn():\n    th.Thread(target=work).start()\n';
    const aliased = 'from threading import Thread as T\n\ndef work():\n    pass\n\ndef spawn():\n    T(target=work).start()\n';
    const eager = 'import threading\n\nStarter = threading.Thread\n\ndef work():\n    pass\n\ndef spawn():\n    t = Starter(target=work())\n    t.start()\n    t.join()\n';
    for (const [text, codes] of [[forgotten, ['AIO605']], [aliased, ['AIO605']], [eager, ['AIO603']]] as const) {
      const result = engine.analyzeFile(text);
      assert.equal(result.parsed, true, text);
      assert.deepEqual(result.findings.map((f) => f.code), codes, text);
    }
  });

  it('with imports followed, parses a file that names a coroutine function of the workspace, and not one that names plain functions', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prefilter-'));
    try {
      fs.mkdirSync(path.join(dir, 'app'));
      const files: Record<string, string> = {
        'app/__init__.py': '',
        'app/db.py': 'async def fetch():\n    return 1\n\ndef load():\n    return 2\n\nclass Pool:\n    async def get(self):\n        return 3\n',
        'app/uses_async.py': 'from app.db import fetch\n\ndef main():\n    fetch()\n',
        'app/uses_class.py': 'from app import db\n\ndef main():\n    db.Pool().get()\n',
        'app/uses_module.py': 'import app.db\n\ndef main():\n    app.db.fetch()\n',
        'app/uses_plain.py': 'from app.db import load\nfrom app import db\n\ndef main():\n    return load() + db.load()\n',
        'app/passes_module.py': 'from app import db\n\ndef main():\n    return run(db)\n',
      };
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
      const index = await indexOf(dir);
      const triggers = Triggers.of(RULES, {});
      const mayReport = (name: string) => fileMayReport(files[name]!, triggers, index.linkFor(path.join(dir, name)));
      assert.equal(mayReport('app/uses_async.py'), true);
      assert.equal(mayReport('app/uses_class.py'), true);
      assert.equal(mayReport('app/uses_module.py'), true);
      assert.equal(mayReport('app/uses_plain.py'), false);
      // A module handed on as a value: what is done with it is not written here.
      assert.equal(mayReport('app/passes_module.py'), true);
      const engine = await testEngine();
      assert.deepEqual(engine.analyzeFile(files['app/uses_async.py']!, {}, index.linkFor(path.join(dir, 'app/uses_async.py'))).findings.map((f) => f.code), ['AIO201']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('import scan', () => {
  const scan = (text: string) => scanImports(text)?.imports.map((i) => `${i.name}=${i.target}`);

  it('reads every form of import statement', () => {
    assert.deepEqual(scan('import os\nimport a.b.c\nimport a.b as ab, c\n'), ['os=os', 'a=a', 'ab=a.b', 'c=c']);
    assert.deepEqual(scan('from x.y import a, b as c\nfrom . import d\nfrom ..p import (e,\n    f as g,  # note\n)\n'), ['a=x.y.a', 'c=x.y.b', 'd=.d', 'e=..p.e', 'g=..p.f']);
    assert.deepEqual(scan('from m import *\nif TYPE_CHECKING: import typing; import json\n'), ['typing=typing', 'json=json']);
    assert.deepEqual(scan('from m \\\n    import a\nimport b \\\n    as c\n'), ['a=m.a', 'c=b']);
    assert.deepEqual(scan('def f():\n    import inner\n    return inner\n'), ['inner=inner']);
    assert.deepEqual(scan('x = 1  # we import nothing\n'), []);
  });

  it('places each statement from its first word to its end', () => {
    const statements = (text: string) => scanImports(text)?.statements.map((s) => text.slice(s.start, s.end));
    assert.deepEqual(statements('import re\nimport sys as system\n'), ['import re', 'import sys as system']);
    assert.deepEqual(statements('x = 1; from a import b\nif T:  from c \\\n  import d\n'), ['from a import b', 'from c \\\n  import d']);
  });

  it('with imports followed, a file that starts with an import is not parsed for the statement itself', () => {
    // The module `re` is in the workspace and leads to nothing async; naming it bare would count.
    const link = { moduleName: 'm', isPackage: false, findFunction: () => undefined, isClass: () => false, classify: (name: string) => (name === 're' ? ('module' as const) : ('inert' as const)) };
    const triggers = Triggers.of(RULES, {});
    assert.equal(fileMayReport('import re\n\nPATTERN = re.compile("x")\n', triggers, link), false);
    assert.equal(fileMayReport('import re\n\nengine = re\n', triggers, link), true);
  });

  it('with imports followed, a name imported from a module that spells a word counts where the code mentions it', () => {
    const link = { moduleName: 'asyncio.helpers', isPackage: false, findFunction: () => undefined, isClass: () => false, classify: () => 'inert' as const };
    const triggers = Triggers.of(RULES, {});
    // `from . import tasks` in `asyncio/` imports `asyncio.tasks`: a package re-exporting its modules mentions nothing.
    assert.equal(fileMayReport('from . import tasks\nfrom .events import get_event_loop as gel\n__all__ = ["tasks"]\n', triggers, link), false);
    assert.equal(fileMayReport('from . import tasks\n\nTask = tasks.Task\n', triggers, link), true);
    assert.equal(fileMayReport('from .events import get_event_loop as gel\n\ndef f():\n    return gel()\n', triggers, link), true);
    assert.equal(fileMayReport('def f():\n    from . import tasks\n    return tasks\n', triggers, link), true);
  });

  it('with imports followed, a name bound to a coroutine function or an async class counts where the code mentions it', () => {
    const link = { moduleName: 'app.api', isPackage: false, findFunction: () => undefined, isClass: () => false, classify: (name: string) => (name === 'app.db.fetch' || name === 'app.db.Pool' ? ('async' as const) : ('inert' as const)) };
    const triggers = Triggers.of(RULES, {});
    // Re-exported only: nothing here can call it, await it or subclass it.
    assert.equal(fileMayReport('from app.db import fetch as fetch, Pool\n__all__ = ["fetch", "Pool"]\n', triggers, link), false);
    assert.equal(fileMayReport('from app.db import fetch\n\ndef main():\n    fetch()\n', triggers, link), true);
    assert.equal(fileMayReport('from app.db import fetch as get\n\nget()\n', triggers, link), true);
    assert.equal(fileMayReport('from app.db import Pool\n\nclass Mine(Pool):\n    pass\n', triggers, link), true);
    assert.equal(fileMayReport('from app.db import Pool\n\ndef make() -> Pool: ...\n', triggers, link), true);
    assert.equal(fileMayReport('from app.db import Pool; p = Pool()\n', triggers, link), true);
    // A longer name holding it is another name.
    assert.equal(fileMayReport('from app.db import fetch\n\nprefetch = 1\n', triggers, link), false);
  });

  it('with imports followed, a module\'s name called counts as what the analysis calls: the parent module\'s attribute', () => {
    // `unittest/main.py` exists, and `unittest/__init__.py` binds `main` to a plain function of it.
    const kinds: Record<string, 'async' | 'module' | 'inert'> = { 'unittest.main': 'module', 'pkg.run': 'module', 'pkg.Sub': 'module' };
    const callees: Record<string, 'async' | 'module' | 'inert'> = { 'unittest.main': 'inert', 'pkg.run': 'async', 'pkg.Sub': 'inert' };
    const link = {
      moduleName: 'm',
      isPackage: false,
      findFunction: () => undefined,
      isClass: () => false,
      classify: (name: string) => kinds[name] ?? 'inert',
      classifyCallee: (name: string) => callees[name] ?? 'inert',
    };
    const triggers = Triggers.of(RULES, {});
    const mayReport = (code: string) => fileMayReport(code, triggers, link);
    for (const code of ['from unittest import main\nmain()\n', 'from unittest import main\n\nif __name__ == "__main__":\n    main(module="x",\n         exit=False)\n', 'from unittest import main\nmain \\\n  ()\n']) {
      assert.equal(mayReport(code), false, code);
    }
    for (const code of [
      // Handed on as a value: the analysis takes it as the module, whose attributes may be async.
      'from unittest import main\nrunner = main\nrunner.foo()\n',
      'from unittest import main\nf(main, 1)\n',
      // The attribute is a coroutine function.
      'from pkg import run\nrun()\n',
      // Looks like a class: the analysis types the result, and looks its methods up in the submodule.
      'from pkg import Sub\nx = Sub()\n',
    ]) {
      assert.equal(mayReport(code), true, code);
    }
    // Without the callee's classification (an older link), a call counts as before.
    assert.equal(fileMayReport('from unittest import main\nmain()\n', triggers, { ...link, classifyCallee: undefined }), true);
  });

  it('with imports followed, a module named where it cannot become another name\'s value does not count', () => {
    const link = { moduleName: 'm', isPackage: false, findFunction: () => undefined, isClass: () => false, classify: (name: string) => (name === 'db' ? ('module' as const) : ('inert' as const)) };
    const triggers = Triggers.of(RULES, {});
    const mayReport = (code: string) => fileMayReport(`import db\n${code}\n`, triggers, link);
    for (const code of ['del db', 'if hasattr(db, "x"): pass', 'x = getattr( db, "x", None)', 'try:\n    pass\nexcept ImportError:\n    db = None', 'f(db=1)', 'def f(db=None): pass', 'class db: pass']) {
      assert.equal(mayReport(code), false, code);
    }
    for (const code of ['x = db', 'return db', 'f(db)', 'x = [db]', 'hasattr(x, db)', 'if db == x: pass', 'f(db=db)', 'mydel db', 'obj.del db', 'x = (db := y)']) {
      assert.equal(mayReport(code), true, code);
    }
  });

  it('gives up on an `import` word it cannot place', () => {
    assert.equal(scanImports('"""This module will import everything."""\n'), undefined);
    assert.equal(scanImports('x = "#"; import os as\n'), undefined);
    assert.equal(scanImports('from import x\n'), undefined);
    assert.equal(scanImports('import os, \n'), undefined);
  });
});

describe('pre-filter on hostile text', () => {
  // Each of these took time quadratic in the length of one line before; a hang fails on the test's time-out.
  it('reads a line of 200,000 import statements once', () => {
    const scanned = scanImports(`${'import a; '.repeat(200_000)}\n`);
    assert.equal(scanned?.imports.length, 200_000);
  });

  it('gives up on f-strings nested 10,000 deep, keeping the text', () => {
    const text = `x = ${'f"{'.repeat(10_000)}1${'}"'.repeat(10_000)}  # asyncio\n`;
    const code = codeOnly(text);
    assert.equal(code.length, text.length);
  });

  it('follows attributes on a 1 MB line of annotations without quadratic work', async () => {
    const text = `import asyncio\n\nasync def f(a):\n    ${'a.b: int; '.repeat(100_000)}\n`;
    const engine = await testEngine();
    const tree = engine.parse(text);
    try {
      const semantic = new SemanticModel(tree.rootNode, undefined, { lazyBodies: true, source: text });
      assert.equal(chunksToVisit(semantic, text, Triggers.of(RULES, {})).length, 1);
    } finally {
      tree.delete();
    }
  });
});

describe('code text', () => {
  it('blanks comments and plain strings, keeps f-strings and every offset', () => {
    const cases: Array<[string, string]> = [
      ['x = "asyncio"  # asyncio\ny = 1\n', 'x =                     \ny = 1\n'],
      ["s = '''\nimport asyncio\n'''\nz = f\"{asyncio.sleep(1)}\" + rb'async'\n", "s =    \n              \n   \nz = f\"{asyncio.sleep(1)}\" + rb       \n"],
      ['a = f"{x["k"]} {{asyncio}}" # c\nb = "esc\\"aped async" + \'it\\\'s\'\n', 'a = f"{x["k"]} {{asyncio}}"    \nb =                   +        \n'],
      // A string left open: the rest stays as it is (more code counts, never less).
      ['u = """open\nv = asyncio\n', 'u = """open\nv = asyncio\n'],
      ['def f():\r\n    return "x"  # async\r\n', `def f():\r\n    return${' '.repeat(13)}\r\n`],
    ];
    for (const [text, expected] of cases) {
      const code = codeOnly(text);
      assert.equal(code, expected);
      assert.equal(code.length, text.length);
    }
  });

  it('does not count words of comments and docstrings', async () => {
    const engine = await testEngine();
    const text = '"""Unlike asyncio, this module uses threads."""\n# import asyncio\n\ndef size(path):\n    """Not async."""\n    return len(path)\n';
    assert.equal(engine.analyzeFile(text).parsed, false);
    assert.equal(engine.analyzeFile(`${text}\nasync def main():\n    return size("x")\n`).parsed, true);
  });
});
