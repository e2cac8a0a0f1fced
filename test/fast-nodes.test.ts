/**
 * core/fast-nodes.ts replaces web-tree-sitter's `namedChildren`, `childForFieldName`, `type` and
 * `endIndex` with versions that talk to the same WebAssembly module directly. They must answer
 * exactly as the library's own members do, node for node.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { libraryNodeMembers } from '../server/src/core/fast-nodes';
import { REPO_ROOT, testEngine } from './helpers/engine';

function pythonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.py') && !f.includes('.async-pitfalls-cache'))
    .map((f) => path.join(dir, f));
}

const describeNode = (n: Node | null) => (n ? `${n.id}@${n.startIndex}:${n.startPosition.row}:${n.startPosition.column}` : 'null');

describe('fast node members', () => {
  it('are installed on the pinned web-tree-sitter', async () => {
    await testEngine();
    assert.ok(libraryNodeMembers.namedChildren && libraryNodeMembers.childForFieldName && libraryNodeMembers.type && libraryNodeMembers.endIndex);
  });

  it('answer as the library does for every node of every fixture and example', async () => {
    const engine = await testEngine();
    const library = libraryNodeMembers as Required<typeof libraryNodeMembers>;
    const files = [...pythonFiles(path.join(REPO_ROOT, 'test', 'fixtures')), ...pythonFiles(path.join(REPO_ROOT, 'examples'))];
    let nodes = 0;
    for (const file of files) {
      // Invalid UTF-8, CRLF and syntax errors are all among the fixtures.
      const source = fs.readFileSync(file, 'utf8');
      const tree = engine.parse(source);
      try {
        const fields = tree.language.fields.filter((f): f is string => !!f);
        const stack: Node[] = [tree.rootNode];
        while (stack.length > 0) {
          const node = stack.pop()!;
          nodes++;
          const where = `${path.relative(REPO_ROOT, file)} at ${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
          assert.equal(node.type, library.type.call(node), where);
          assert.equal(node.endIndex, library.endIndex.call(node), where);
          const fast = node.namedChildren;
          assert.deepEqual(fast.map(describeNode), library.namedChildren.call(node).map(describeNode), where);
          for (const field of fields) {
            assert.equal(describeNode(node.childForFieldName(field)), describeNode(library.childForFieldName.call(node, field)), `${where} ${field}`);
          }
          assert.equal(node.childForFieldName('no_such_field'), null);
          // Children made here work with the library's other members (text, parent, end position).
          for (const child of fast) {
            assert.equal(child.text, source.slice(child.startIndex, child.endIndex), where);
            assert.equal(child.parent?.id, node.id, where);
          }
          for (let i = fast.length - 1; i >= 0; i--) stack.push(fast[i]!);
        }
      } finally {
        tree.delete();
      }
    }
    assert.ok(nodes > 20000, `${nodes} nodes`);
  });
});
