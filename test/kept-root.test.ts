/**
 * The root node kept across keystrokes (`keptRootOf`): the nodes cached under it follow the edits
 * made to their tree, so an analysis that walks them sees what a fresh walk of the tree sees.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Edit, type Node, type Tree } from 'web-tree-sitter';
import type { Engine } from '../server/src/core/engine';
import type { TextChange } from '../server/src/core/incremental';
import { keptRootOf } from '../server/src/core/kept-root';
import { REPO_ROOT, testEngine } from './helpers/engine';

/** The change that replaces `text[start, end)` by `inserted`. */
function replacement(text: string, start: number, end: number, inserted: string): TextChange {
  const at = (offset: number, within = text) => {
    const before = within.slice(0, offset);
    return { row: (before.match(/\n/g) ?? []).length, column: offset - (before.lastIndexOf('\n') + 1) };
  };
  const after = text.slice(0, start) + inserted + text.slice(end);
  return { startIndex: start, oldEndIndex: end, newEndIndex: start + inserted.length, startPosition: at(start), oldEndPosition: at(end), newEndPosition: at(start + inserted.length, after) };
}

/** Every named node under `root` in pre-order, as type, start and end (reading the children lists, so they are cached). */
function walk(root: Node): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(`${node.type} ${node.startIndex}-${node.endIndex} ${node.startPosition.row}:${node.startPosition.column}`);
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) if (children[i]) stack.push(children[i]!);
  }
  return out;
}

describe('the root node kept across keystrokes', () => {
  let engine: Engine;
  before(async () => {
    engine = await testEngine();
  });

  it('moves its cached nodes with every edit, so a walk of them equals a walk of the edited tree', () => {
    const original = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'clean_service.py'), 'utf8');
    let seed = 5;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const tree = engine.parse(original);
    const trees: Tree[] = [tree];
    try {
      let text = original;
      const root = keptRootOf(tree, []);
      assert.ok(root, 'this web-tree-sitter caches children lists');
      walk(root);
      for (let i = 0; i < 60; i++) {
        // Insertions, deletions and replacements anywhere, single characters and whole lines.
        const start = Math.floor(random() * text.length);
        const end = random() < 0.5 ? start : Math.min(text.length, start + 1 + Math.floor(random() * 12));
        const inserted = ['', 'x', '\n', '    y = 1\n', ' '][Math.floor(random() * 5)]!;
        const change = replacement(text, start, end, inserted);
        text = text.slice(0, start) + inserted + text.slice(end);
        tree.edit(new Edit(change));
        const kept = keptRootOf(tree, [change]);
        assert.equal(kept, root, 'the same root object');
        // Both walks read the stale tree (edited, not re-parsed): one from the kept nodes, one from fresh ones.
        assert.deepEqual(walk(root), walk(tree.rootNode), `edit ${i}: ${JSON.stringify(inserted)} over ${start}-${end}`);
      }
      // A change passed again (an analysis that is run again with the same changes) is not applied twice.
      const again = replacement(text, 10, 10, 'z');
      text = text.slice(0, 10) + 'z' + text.slice(10);
      tree.edit(new Edit(again));
      keptRootOf(tree, [again]);
      keptRootOf(tree, [again]);
      assert.deepEqual(walk(root), walk(tree.rootNode));
    } finally {
      for (const t of trees) t.delete();
    }
  });

  it('is kept per tree: another tree gets its own root', () => {
    const text = 'async def f():\n    await g()\n';
    const first = engine.parse(text);
    const second = engine.parse(text);
    try {
      const a = keptRootOf(first, []);
      const b = keptRootOf(second, []);
      assert.ok(a && b);
      assert.notEqual(a, b);
      assert.equal(keptRootOf(first, []), a);
    } finally {
      first.delete();
      second.delete();
    }
  });
});
