/**
 * Indentation that Python rejects but tree-sitter-python parses without an error node: its scanner
 * only emits an indent where a block may start, so a line indented deeper than its block (a `def`
 * line commented out, leaving its body behind) or dedented to a level no block has is read as one
 * more statement of an enclosing block, at another column. While typing, such a parse of a function
 * or a region alone is code that does not parse yet, not a new structure to analyze (the methods of
 * a class read as module-level functions after a character typed at column 0 between them).
 */
import type { Node } from 'web-tree-sitter';

/** Named nodes that hold blocks (compound statements and their clauses); expressions never do. */
function holdsBlocks(type: string): boolean {
  return type === 'block' || type.endsWith('_statement') || type.endsWith('_clause') || type.endsWith('_definition');
}

const ALIGNED_PARTS = new Set(['elif_clause', 'else_clause', 'except_clause', 'except_group_clause', 'finally_clause', 'decorator', 'function_definition', 'class_definition']);

/** Whether only spaces and tabs are between the start of its line and `offset`. */
function startsLine(source: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const ch = source.charCodeAt(i);
    if (ch === 10 || ch === 13) return true;
    if (ch !== 32 && ch !== 9 && ch !== 12) return false;
  }
  return true;
}

/**
 * Whether two statements of one block (or of `root`, the module or a range parsed alone) that each
 * start a line start at different columns ("unexpected indent", "unindent does not match any outer
 * indentation level" for Python), a clause or a decorator does not line up with its statement, or a
 * block has no statement ("expected an indented block").
 * Statements after a `;` or on a block's header line, and comments, may be at any column. With
 * `rootColumn` (where `root`, a range parsed alone, starts: 0 for module-level code), a statement of
 * `root` that starts a line right of it is misindented, and one left of it is not: the code after
 * the range, which the parse did not see, may well go on at that column (a method's last line
 * dedented to column 0 ends its class).
 */
export function misindented(root: Node, source: string, rootColumn?: number): boolean {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const isBlock = node === root || node.type === 'block';
    // The clauses of a compound statement (`else`, `except`, ...) and a definition's decorators line up with it.
    const aligned = node.type.endsWith('_statement') || node.type === 'decorated_definition' ? node.startPosition.column : -1;
    const fromRoot = node === root && rootColumn !== undefined;
    let column = -1;
    let statements = 0;
    for (const child of node.namedChildren) {
      if (isBlock && child.type !== 'comment') {
        statements++;
        if (startsLine(source, child.startIndex)) {
          if (fromRoot) {
            if (child.startPosition.column > rootColumn) return true;
          } else if (column < 0) column = child.startPosition.column;
          else if (child.startPosition.column !== column) return true;
        }
      }
      if (aligned >= 0 && ALIGNED_PARTS.has(child.type) && child.startPosition.column !== aligned && startsLine(source, child.startIndex)) return true;
      if (holdsBlocks(child.type) && child.type !== 'expression_statement') stack.push(child);
    }
    // A header whose only line was commented out: "expected an indented block".
    if (node.type === 'block' && statements === 0) return true;
  }
  return false;
}
