/**
 * Fixes that make a task or future observable: a done-callback that logs its
 * exception (through a small module-level helper), after the statement that
 * keeps it in a variable, or chained onto the call whose result was dropped.
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../../core/fix';
import type { RuleContext } from '../../core/rule';
import { logicalParent, rangeOf } from '../../core/syntax';
import { LOG_EXCEPTION_HELPER, logExceptionHelper, ownStatement } from './fixes';

export function logExceptionFix(call: Node, variable: string | undefined, { semantic, source }: RuleContext): Fix[] {
  const lines = source.split(/\r?\n/);
  if (variable) {
    const { parent: assignment } = logicalParent(call, semantic.parentOf);
    const own = assignment?.type === 'assignment' ? ownStatement(assignment, semantic, lines) : undefined;
    if (!own) return [];
    const end = rangeOf(own.statement).end;
    return [
      {
        title: `Log its exception: \`${variable}.add_done_callback(${LOG_EXCEPTION_HELPER})\``,
        edits: [...logExceptionHelper(semantic), { range: { start: end, end }, newText: `\n${own.indent}${variable}.add_done_callback(${LOG_EXCEPTION_HELPER})` }],
        safe: false,
      },
    ];
  }
  if (!ownStatement(call, semantic, lines)) return [];
  const end = rangeOf(call).end;
  return [
    {
      title: `Log its exception: \`.add_done_callback(${LOG_EXCEPTION_HELPER})\``,
      edits: [...logExceptionHelper(semantic), { range: { start: end, end }, newText: `.add_done_callback(${LOG_EXCEPTION_HELPER})` }],
      safe: false,
    },
  ];
}
