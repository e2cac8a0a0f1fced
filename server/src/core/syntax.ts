/**
 * Small helpers over tree-sitter-python nodes, so rules read like Python
 * rather than like grammar field lookups.
 */
import type { Node } from 'web-tree-sitter';
import type { Range } from './types';

export const COMPREHENSION_TYPES = new Set([
  'list_comprehension',
  'set_comprehension',
  'dictionary_comprehension',
  'generator_expression',
]);

export function rangeOf(node: Node): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

export function isAsyncFunction(def: Node): boolean {
  return def.type === 'function_definition' && def.firstChild?.type === 'async';
}

/** `async with` / `async for` statements start with an `async` token too. */
export function hasAsyncKeyword(node: Node): boolean {
  return node.firstChild?.type === 'async';
}

/** The expression inside any number of parentheses. */
export function unparenthesize(node: Node): Node {
  let current = node;
  while (current.type === 'parenthesized_expression') {
    const inner = current.namedChildren.find((c) => c.type !== 'comment');
    if (!inner) break;
    current = inner;
  }
  return current;
}

/** The parent, skipping enclosing parentheses; also returns the child it came from. */
export function logicalParent(node: Node, parentOf: (n: Node) => Node | null = (n) => n.parent): { parent: Node | null; child: Node } {
  let child = node;
  let parent = parentOf(node);
  while (parent && parent.type === 'parenthesized_expression') {
    child = parent;
    parent = parentOf(parent);
  }
  return { parent, child };
}

export function sameNode(a: Node | null | undefined, b: Node | null | undefined): boolean {
  return !!a && !!b && a.id === b.id;
}

/** Positional (non-keyword) arguments of a call, in order. */
export function positionalArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return [];
  return args.namedChildren.filter(
    (a) =>
      a.type !== 'keyword_argument' &&
      a.type !== 'comment' &&
      a.type !== 'list_splat' &&
      a.type !== 'dictionary_splat',
  );
}

export function keywordArgument(call: Node, name: string): Node | undefined {
  const args = call.childForFieldName('arguments');
  if (!args) return undefined;
  for (const a of args.namedChildren) {
    if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) {
      return a.childForFieldName('value') ?? undefined;
    }
  }
  return undefined;
}

/** `args[index]` or the keyword `name`, whichever the call uses. */
export function argument(call: Node, index: number, name?: string): Node | undefined {
  return (name ? keywordArgument(call, name) : undefined) ?? positionalArguments(call)[index];
}

export function isFalseLiteral(node: Node | undefined): boolean {
  if (!node) return false;
  const n = unparenthesize(node);
  return n.type === 'false' || (n.type === 'integer' && n.text === '0');
}

/** Visits every descendant of `root` in document order without recursion (deep nesting is common in generated code). */
export function forEachDescendant(
  root: Node,
  visit: (node: Node) => boolean | void,
  /** A node to walk instead of the one found (see `SemanticModel.forEachDescendant`). */
  standIn?: (node: Node) => Node | undefined,
): void {
  const stack: Node[] = [...root.namedChildren].reverse();
  while (stack.length > 0) {
    let node = stack.pop()!;
    if (standIn) node = standIn(node) ?? node;
    // Returning false skips the node's subtree.
    if (visit(node) === false) continue;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}
