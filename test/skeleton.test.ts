/**
 * Skeletons of modules (function bodies left out) for the workspace index: checked against
 * Python's own parser (the skeleton of valid Python is valid Python with the same classes, functions,
 * decorators, arguments, lines and columns outside function bodies) and against the summaries and
 * body facts made from the whole text, on hand-written cases and on every example and fixture.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../server/src/core/engine';
import { SemanticModel } from '../server/src/core/semantic';
import { collectPythonFiles } from '../server/src/workspace/files';
import { skeletonOf } from '../server/src/workspace/skeleton';
import { moduleDetails, summarizeModule } from '../server/src/workspace/summary';
import { REPO_ROOT, testEngine } from './helpers/engine';

/** Per name: Python's outline of each text (or its syntax error), function bodies not entered. */
const OUTLINE = `
import ast, json, sys

def outline(node):
    out = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append([type(child).__name__, child.name, child.lineno, child.col_offset,
                        ast.dump(child.args), [ast.dump(d) for d in child.decorator_list],
                        ast.dump(child.returns) if child.returns else None])
        elif isinstance(child, ast.stmt):
            head = [type(child).__name__, child.lineno, child.col_offset]
            if isinstance(child, ast.ClassDef):
                head.append(child.name)
            out.append(head + [outline(child)])
    return out

result = {}
for name, texts in json.load(sys.stdin).items():
    outlines = []
    for text in texts:
        try:
            outlines.append(outline(ast.parse(text)))
        except SyntaxError as e:
            outlines.append(f"line {e.lineno}: {e.msg}")
    result[name] = outlines
json.dump(result, sys.stdout)
`;

function pythonOutlines(pairs: Record<string, [string, string]>): Record<string, [unknown, unknown]> {
  const result = spawnSync('python3', ['-c', OUTLINE], { input: JSON.stringify(pairs), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, [unknown, unknown]>;
}

const BODY = ['    total = 0', '    for item in items:', '        total += item.price * item.count', '    return total'].join('\n');

/** Each case: its text, and whether some body is left out. */
const CASES: Array<[string, string, boolean]> = [
  ['functions and methods', `import os\n\ndef total(items):\n${BODY}\n\nclass Cart:\n    def add(self, item):\n        self.items.append(item)\n        return len(self.items) + 1000\n\n    async def save(self):\n        await self.db.write(self.items, timeout=30)\n`, true],
  ['a generator keeps its body', `def walk(items):\n${BODY.replace('return total', 'yield total')}\n`, false],
  ['global and nonlocal keep their bodies', `def setup():\n    global CONFIG\n${BODY}\n\ndef outer():\n    def inner():\n        nonlocal x\n${BODY.replace(/^/gm, '    ')}\n`, false],
  ['a nested function of a kept body is left out', `def outer():\n    yield 1\n    def inner(items):\n${BODY.replace(/^/gm, '    ')}\n    return inner\n`, true],
  ['a body on the def line', `def short(items): return sum(i.price * i.count for i in items) + 1000\nx = 1\n`, false],
  ['strings and comments that look like code', `def f():\n    s = """\ndef g():\n    pass\n"""  # def h(): (\n    t = f"{s!r} ) ] }}" + 'def'\n    return s + t + "x" * 1000\n\ny = 2\n`, true],
  ['brackets and backslashes across lines', `def f(a,\n      b):  # a comment after the colon\n    x = [1,\n2, 3]\n    y = a + \\\nb\n    return x, y, 1000000000000\n\nz = 3\n`, true],
  ['windows line breaks', 'def f():\r\n    x = compute(1, 2, 3)\r\n    return x * 1000000000000\r\n\r\nclass C:\r\n    pass\r\n', true],
  ['a docstring-only body', 'def f():\n    """A docstring long enough to be left out of the skeleton."""\n\ndef g():\n    pass\n', true],
  ['decorators, annotations, defaults with colons', `@app.route("/x:y")\nasync def handler(request: dict[str, int] = {"a": 1}, key=lambda r: r[1:2]) -> list[int]:\n${BODY}\n`, true],
  ['definitions in compound statements', `if sys.version_info >= (3, 11):\n    def f(items):\n${BODY.replace(/^/gm, '    ')}\nelse:\n    async def f(items):\n${BODY.replace(/^/gm, '    ')}\ntry:\n    import uvloop\nexcept ImportError:\n    uvloop = None\n`, true],
  ['a body ending at the end of the text', `def f(items):\n${BODY}`, true],
  ['comments at lower indentation inside a body', `def f(items):\n    total = 0\n# a comment at column 0\n    for item in items:\n        total += item\n    return total * 1000\nx = 1\n`, true],
  ['a walrus in a default', `def f(items, n=(m := 10)):\n${BODY}\n`, true],
];

describe('module skeletons for the workspace index', function () {
  this.timeout(120_000);
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  const summaryOf = (text: string) => {
    const tree = engine.parse(text);
    try {
      const summary = summarizeModule(new SemanticModel(tree.rootNode, undefined, { source: text, lazyBodies: true }), 'm', 'file:///m.py', false, () => undefined);
      return {
        functions: [...summary.functions].map(([name, f]) => [name, f.qualname, f.isAsync, f.isGenerator, f.plainDecorators, f.nameRange]),
        classes: [...summary.classes],
        imports: [...summary.imports],
      };
    } finally {
      tree.delete();
    }
  };

  const hasSyntaxError = (text: string) => {
    const tree = engine.parse(text);
    const error = tree.rootNode.hasError;
    tree.delete();
    return error;
  };

  const detailsOf = (text: string) => {
    const tree = engine.parse(text);
    try {
      return [...moduleDetails(new SemanticModel(tree.rootNode, undefined, { source: text }), 'm')];
    } finally {
      tree.delete();
    }
  };

  /** Lines of the skeleton: the text's own, an empty line, or `...` at a body's indentation. */
  const assertLinesKept = (name: string, text: string, skeleton: string) => {
    const lines = text.split('\n');
    const kept = skeleton.split('\n');
    assert.equal(kept.length, lines.length, `${name}: line count`);
    kept.forEach((line, i) => {
      if (line === lines[i] || line === '' || line === '\r') return;
      assert.match(line, /^ *\.\.\.\r?$/, `${name}: line ${i + 1} is neither kept nor blank`);
      assert.ok(lines[i]!.startsWith(line.slice(0, line.indexOf('.'))), `${name}: line ${i + 1} keeps its indentation`);
    });
  };

  it('keeps what Python sees outside function bodies, and the summary, on hand-written cases', () => {
    const pairs: Record<string, [string, string]> = {};
    for (const [name, text, shortened] of CASES) {
      const skeleton = skeletonOf(text);
      if (!shortened) {
        assert.equal(skeleton, undefined, `${name}: nothing to leave out`);
        continue;
      }
      assert.ok(skeleton !== undefined && skeleton.length < text.length, `${name}: a body is left out`);
      assertLinesKept(name, text, skeleton);
      assert.deepEqual(summaryOf(skeleton), summaryOf(text), `${name}: summary`);
      pairs[name] = [text, skeleton];
    }
    for (const [name, [original, skeleton]] of Object.entries(pythonOutlines(pairs))) {
      assert.equal(typeof original, 'object', `${name}: the case itself is valid Python (${String(original)})`);
      assert.deepEqual(skeleton, original, `${name}: Python's outline`);
    }
  });

  it('leaves out the bodies of the functions it can, in a nested function of a kept body too', () => {
    const skeleton = skeletonOf(CASES[3]![1])!;
    assert.match(skeleton, /yield 1/);
    assert.doesNotMatch(skeleton, /total \+= item/);
    const windows = skeletonOf(CASES[7]![1])!;
    assert.equal(windows.split('\r\n').length, CASES[7]![1].split('\r\n').length, 'line breaks kept as written');
  });

  it('gives up on what it does not follow: tabs in indentation, a lone carriage return, a string that never ends', () => {
    assert.equal(skeletonOf(`def f(items):\n\ttotal = 0\n\tfor item in items:\n\t\ttotal += item\n\treturn total * 1000\n`), undefined);
    assert.equal(skeletonOf(`def f(items):\r${BODY.replace(/\n/g, '\r')}\r`), undefined);
    assert.equal(skeletonOf(`def f(items):\n${BODY}\n\nx = """never closed\n`), undefined);
  });

  it('parses the whole text of deeply nested functions that keep their bodies instead of scanning them once per level', () => {
    let nested = '';
    for (let i = 0; i < 1500; i++) nested += `${' '.repeat(i)}def f${i}():\n`;
    nested += `${' '.repeat(1500)}yield 1\n\ndef g(items):\n${BODY}\n`;
    // Without the limit this scans about 1500 times the text and leaves out g's body.
    assert.equal(skeletonOf(nested), undefined);
    assert.ok(skeletonOf(`def f():\n    yield 1\n\ndef g(items):\n${BODY}\n`) !== undefined);
  });

  it('with asyncOnly, leaves out only async bodies that assign no attribute, and the body facts stay the same', () => {
    const text = `import time\n\nclass Client:\n    def connect(self):\n        time.sleep(1)\n        return self.sock.recv(1024)\n\n    async def open(self):\n        await self.loop.run(self.connect, timeout=10)\n\n    async def attach(self):\n        self.sock = await make_socket(self.host, self.port)\n`;
    const skeleton = skeletonOf(text, { asyncOnly: true })!;
    assert.match(skeleton, /time\.sleep\(1\)/);
    assert.doesNotMatch(skeleton, /self\.loop\.run/);
    assert.match(skeleton, /self\.sock = await make_socket/);
    assert.deepEqual(detailsOf(skeleton), detailsOf(text));
  });

  it('gives the summaries and body facts of the whole text on every example and fixture, as Python sees it', () => {
    const files = [...collectPythonFiles([path.join(REPO_ROOT, 'examples'), path.join(REPO_ROOT, 'test', 'fixtures')])];
    const pairs: Record<string, [string, string]> = {};
    let shortened = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const skeleton = skeletonOf(text);
      if (skeleton !== undefined) {
        shortened++;
        assertLinesKept(file, text, skeleton);
        pairs[file] = [text, skeleton];
        // Around a syntax error in a body, error recovery may lose what follows; the skeleton does not.
        if (!hasSyntaxError(text)) assert.deepEqual(summaryOf(skeleton), summaryOf(text), `${file}: summary`);
      }
      const asyncOnly = skeletonOf(text, { asyncOnly: true });
      if (asyncOnly !== undefined && !hasSyntaxError(text)) assert.deepEqual(detailsOf(asyncOnly), detailsOf(text), `${file}: body facts`);
    }
    assert.ok(shortened > 50, `skeletons made for ${shortened} of ${files.length} files`);
    let compared = 0;
    for (const [file, [original, skeleton]] of Object.entries(pythonOutlines(pairs))) {
      // A fixture with a syntax error on purpose: the skeleton may drop it with the body.
      if (typeof original === 'string') continue;
      compared++;
      assert.deepEqual(skeleton, original, `${file}: Python's outline`);
    }
    assert.ok(compared > 50, `${compared} outlines compared`);
  });
});
