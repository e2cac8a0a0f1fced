/**
 * The root node of a tree that is edited but not re-parsed while typing stays in one function (see
 * `analyzeEditedFunction`), kept from one keystroke to the next with the nodes under it.
 *
 * web-tree-sitter caches a node's children lists on the node object, but `tree.rootNode` is a new
 * object every time, so each analysis created every node of the code outside functions again (a
 * call into wasm and a JavaScript object per node, and the garbage they leave): on a 10,000-line
 * file, a third or more of building the model. Starting from the same root object, the model walks the
 * cached lists instead. `tree.edit` updates the tree in wasm, not the start positions that node
 * objects hold, so the cached nodes are moved here by the same edits (`Node.edit`, which is what
 * tree-sitter documents for nodes kept across an edit).
 */
import { Edit, type Node, type Tree } from 'web-tree-sitter';
import type { TextChange } from './incremental';

interface KeptRoot {
  root: Node;
  /** The changes already applied to the cached nodes (the tree itself was edited by its owner). */
  applied: WeakSet<TextChange>;
}

/** A node as web-tree-sitter keeps it: its children lists, once read. */
interface CachingNode {
  _children?: Array<Node | null>;
  _namedChildren?: Array<Node | null>;
}

const keptRoots = new WeakMap<Tree, KeptRoot>();

/**
 * The root node of `tree`, kept across calls, its cached nodes moved by those of `changes` not
 * applied to them yet. Every edit made to `tree` since its root was first kept must be in
 * `changes` now or in an earlier call's: the caller passes the changes since its last analysis.
 * Undefined when this web-tree-sitter does not cache children lists where expected: use
 * `tree.rootNode` then.
 */
export function keptRootOf(tree: Tree, changes: readonly TextChange[]): Node | undefined {
  let kept = keptRoots.get(tree);
  if (!kept) {
    const root = tree.rootNode;
    if (!('_namedChildren' in root) || !('_children' in root)) return undefined;
    kept = { root, applied: new WeakSet(changes) };
    keptRoots.set(tree, kept);
    return root;
  }
  for (const change of changes) {
    if (kept.applied.has(change)) continue;
    kept.applied.add(change);
    moveCachedNodes(kept.root, new Edit(change));
  }
  return kept.root;
}

/**
 * `Node.edit`, without its garbage: it makes two objects per node, even for a node the edit does not
 * move, and the new position is kept by a long-lived node, so on a large file thousands of objects per
 * keystroke survived into the old generation (each node has a position object of its own: updated in place).
 */
function moveNode(node: Node, edit: Edit): void {
  // As `Edit.editPoint` does: a node starting where text is inserted moves with it.
  const start = node.startIndex;
  const point = node.startPosition as { row: number; column: number };
  const moved = node as { startIndex: number };
  if (start >= edit.oldEndIndex) {
    moved.startIndex = edit.newEndIndex + (start - edit.oldEndIndex);
    if (point.row === edit.oldEndPosition.row) point.column = edit.newEndPosition.column + (point.column - edit.oldEndPosition.column);
    point.row = edit.newEndPosition.row + (point.row - edit.oldEndPosition.row);
  } else if (start > edit.startIndex) {
    moved.startIndex = edit.newEndIndex;
    point.row = edit.newEndPosition.row;
    point.column = edit.newEndPosition.column;
  }
}

/** Applies `edit` to the nodes cached under `root` (those before it are left as they are). */
function moveCachedNodes(root: Node, edit: Edit): void {
  const stack: CachingNode[] = [root as unknown as CachingNode];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const list of [node._children, node._namedChildren]) {
      if (!list) continue;
      // A child ends where its next sibling starts, at the latest: the children before the one that
      // can hold the edit's start are left as they are, with everything under them.
      let first = list.length - 1;
      while (first > 0 && (list[first]?.startIndex ?? Infinity) > edit.startIndex) first--;
      for (let i = Math.max(0, first); i < list.length; i++) {
        const child = list[i];
        if (!child) continue;
        moveNode(child, edit);
        stack.push(child as unknown as CachingNode);
      }
    }
  }
}
