/**
 * `misindented` against Python's own parser: where tree-sitter-python reads a text without an error
 * node, a text it calls misindented is one Python rejects, and one Python rejects for its indentation
 * is one it calls misindented.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../server/src/core/engine';
import { misindented } from '../server/src/core/indentation';
import { collectPythonFiles } from '../server/src/workspace/files';
import { lcg } from '../scripts/bench-typing';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { pythonSyntaxErrors } from './helpers/python';

const METHODS = ['class Store:', '    def __init__(self):', '        self.data = {}', '', '    async def put(self, key):', '        async with self.lock:', '            self.data[key] = 1', ''].join('\n');

/** Each case: the text, and whether Python rejects its indentation. */
const CASES: Array<[string, string, boolean]> = [
  ['methods', METHODS, false],
  ['a space before the first statement', ` ${METHODS}`, true],
  ['a character at column 0 between methods', METHODS.replace('\n\n    async def', '\n7\n    async def'), true],
  ['a def line commented out inside its name', METHODS.replace('    async def', '    asy#nc def'), true],
  ['the first line of a body commented out at column 0', METHODS.replace('        async with', '#        async with'), false],
  ['the first line of a body commented out at column 0, a line after it', `${METHODS}        return 2\n`.replace('        async with', '#        async with'), true],
  ['a misaligned except clause', 'try:\n    a()\n  except E:\n    b()\n', true],
  ['a misaligned decorator', '@dec\n  def f():\n    pass\n', true],
  ['a misaligned else', 'if a:\n    b()\n else:\n    c()\n', true],
  ['a line dedented to no level', 'def f():\n        a = 1\n    b = 2\n', true],
  ['a line indented deeper than its block', 'def f():\n    a = 1\n        b = 2\n', true],
  ['statements after semicolons', 'def f():\n    a = 1; b = 2\n    c = 3\n', false],
  ['a block on its header line', 'if x: a = 1\nb = 2\nwhile y: pass\n', false],
  ['comments at any column', 'def f():\n    a = 1\n# a comment\n        # another\n    b = 2\n', false],
  ['a continued line', 'def f():\n    a = (1,\n  2)\n    b = 1 + \\\n        2\n', false],
  ['tabs', 'def f():\n\ta = 1\n\tif a:\n\t\tb = 2\n\treturn a\n', false],
  ['clauses', 'try:\n    a()\nexcept E:\n    b()\nelse:\n    c()\nfinally:\n    d()\n', false],
  ['a dedent inside an except clause', 'try:\n    a()\nexcept E:\n        b()\n    c()\n', true],
  ['match cases', 'match x:\n    case 1:\n        a()\n    case _:\n        b()\n', false],
  ['a body commented out', 'def f():\n    for x in y:\n#        a(x)\n    return 1\n', true],
  ['decorators', '@dec\ndef f():\n    return 1\n\n@dec\nclass C:\n    x = 1\n', false],
];

describe('misindented: indentation Python rejects that tree-sitter-python parses', function () {
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  const check = (sources: Record<string, string>, expected?: Record<string, boolean>) => {
    const errors = pythonSyntaxErrors(sources);
    let positives = 0;
    for (const [name, text] of Object.entries(sources)) {
      const tree = engine.parse(text);
      try {
        if (tree.rootNode.hasError) continue;
        const found = misindented(tree.rootNode, text, 0);
        const indentError = /indent/i.test(errors[name] ?? '');
        if (expected) assert.equal(indentError, expected[name], `${name}: Python's verdict (${errors[name] ?? 'valid'})`);
        if (found) assert.ok(errors[name], `${name}: called misindented, but Python accepts it`);
        if (indentError) assert.ok(found, `${name}: Python rejects its indentation (${errors[name]}), not called misindented`);
        if (found) positives++;
      } finally {
        tree.delete();
      }
    }
    return positives;
  };

  it('agrees with Python on each case, all parsed by tree-sitter without an error node', () => {
    const sources = Object.fromEntries(CASES.map(([name, text]) => [name, text]));
    for (const [name, text] of CASES) {
      const tree = engine.parse(text);
      assert.equal(tree.rootNode.hasError, false, `${name}: tree-sitter reads it without an error`);
      tree.delete();
    }
    assert.equal(check(sources, Object.fromEntries(CASES.map(([name, , bad]) => [name, bad]))), CASES.filter(([, , bad]) => bad).length);
  });

  it('a method parsed alone from its column starts at that column', () => {
    const start = METHODS.indexOf('    async def') + 4;
    const end = METHODS.indexOf('= 1') + 3;
    const tree = engine.parseRange(METHODS, { startIndex: start, endIndex: end, startPosition: { row: 4, column: 4 }, endPosition: { row: 6, column: 29 } });
    try {
      assert.equal(tree.rootNode.namedChildren.length, 1);
      assert.equal(misindented(tree.rootNode, METHODS, 4), false);
      assert.equal(misindented(tree.rootNode, METHODS, 0), true, 'not where a module-level statement starts');
    } finally {
      tree.delete();
    }
  });

  it('agrees with Python on the examples and rule fixtures, and on them with characters typed at random places', () => {
    const files = [...collectPythonFiles([path.join(REPO_ROOT, 'examples')]), ...collectPythonFiles([path.join(REPO_ROOT, 'test', 'fixtures', 'rules')])];
    const random = lcg(7);
    const sources: Record<string, string> = {};
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      sources[file] = text;
      const lines = text.split('\n');
      for (let k = 0; k < 6; k++) {
        const line = Math.floor(random() * lines.length);
        const column = k % 2 === 0 ? 0 : Math.floor(random() * (lines[line]!.length + 1));
        const typed = '#x7 '[Math.floor(random() * 4)]!;
        const edited = [...lines];
        edited[line] = edited[line]!.slice(0, column) + typed + edited[line]!.slice(column);
        sources[`${file} with ${JSON.stringify(typed)} at ${line + 1}:${column}`] = edited.join('\n');
      }
    }
    const positives = check(sources);
    assert.ok(positives >= 10, `${positives} misindented texts among the typed ones`);
  });
});
