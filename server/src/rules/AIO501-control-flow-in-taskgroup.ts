/**
 * AIO501 control-flow-in-taskgroup: `return`, `break` or `continue` that leaves the body of a task
 * group or nursery once tasks may have been started in it, and `yield` inside one in an async generator.
 * Documentation: docs/rules/AIO501.md
 */
import type { Node } from 'web-tree-sitter';
import { defineRule } from '../core/rule';
import type { SemanticModel } from '../core/semantic';
import { forEachDescendant, rangeOf, sameNode } from '../core/syntax';
import { findYield, jumpsOutOf, taskGroupsOf, type TaskGroupUse } from './helpers/cancel-scopes';

const KEYWORD: Record<string, string> = {
  return_statement: 'return',
  break_statement: 'break',
  continue_statement: 'continue',
};
/** Decorators that leave an async generator an async generator; any other may be a context-manager factory. */
const PLAIN_DECORATORS = new Set(['staticmethod', 'classmethod', 'abc.abstractmethod', 'typing.override', 'typing_extensions.override']);

export default defineRule({
  meta: {
    code: 'AIO501',
    name: 'control-flow-in-taskgroup',
    category: 'structured-concurrency',
    defaultSeverity: 'warning',
    summary: '`return`/`break`/`continue` out of a task group waits for all its tasks first; `yield` inside one in an async generator leaks it.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      with_statement(statement) {
        const fn = semantic.asyncFunctionOf(statement);
        const body = statement.childForFieldName('body');
        if (!fn || !body) return;
        for (const group of taskGroupsOf(statement, semantic)) {
          if (!group.alias) continue;
          const uses = usesOfGroup(body, group.alias, semantic);
          if (uses.length === 0) continue;
          const label = `\`async with ${group.manager.text} as ${group.alias.text}\``;
          for (const jump of jumpsOutOf(body)) {
            if (!uses.some((use) => mayRunBefore(use, jump, body, semantic))) continue;
            const keyword = KEYWORD[jump.type] ?? jump.type;
            const effect = keyword === 'return'
              ? 'the function does not return until every task in the group has finished, and if one of them fails the return value is dropped for the exception group'
              : `the \`${keyword}\` does not take effect until every task in the group has finished, and a failing task turns it into an exception group`;
            context.report({
              node: jump,
              message: `\`${keyword}\` inside ${label} in \`async def ${fn.name}\`: ${effect}; put the \`${keyword}\` after the \`async with\` block (cancel the ${group.noun} first if its tasks should stop)`,
              related: [{ range: rangeOf(group.manager), message: `the ${group.noun} waits here for its tasks` }],
            });
          }
          if (semantic.isGenerator(fn) && fn.decorators.every((d) => PLAIN_DECORATORS.has(semantic.decoratorName(d) ?? ''))) {
            const yielded = findYield(body);
            if (yielded) reportYield(yielded, group, fn.name, label);
          }
        }
      },
    };

    function reportYield(yielded: Node, group: TaskGroupUse, fnName: string, label: string): void {
      const effect = group.noun === 'nursery'
        ? "trio's cancel scopes then no longer nest the way the code reads, which trio reports as a corrupted cancel-scope stack"
        : 'a failing task cancels whichever task is iterating at an unrelated `await`, and if the consumer stops early the group is only closed when the generator is garbage-collected';
      context.report({
        node: yielded,
        message: `\`yield\` inside ${label} in async generator \`${fnName}\`: the generator is suspended here, with the ${group.noun} open and its tasks running, while the consumer runs arbitrary code; ${effect}; collect the results inside the ${group.noun} and yield them after it, or make \`${fnName}\` an \`@asynccontextmanager\``,
        related: [{ range: rangeOf(group.manager), message: `the ${group.noun} opened here stays open across the yield` }],
      });
    }
  },
});

/** References to the group's name inside the body (starting tasks, or handing it on). */
function usesOfGroup(body: Node, alias: Node, semantic: SemanticModel): Node[] {
  const uses: Node[] = [];
  forEachDescendant(body, (node) => {
    if (node.type !== 'identifier' || node.text !== alias.text || semantic.isBindingName(node)) return;
    const binding = semantic.lookup(node.text, node);
    if (binding?.kind === 'with' && sameNode(binding.node, alias)) uses.push(node);
  });
  return uses;
}

/** True when `use` can run before `jump`: earlier in the text, or in a loop (inside the body) that contains both. */
function mayRunBefore(use: Node, jump: Node, body: Node, semantic: SemanticModel): boolean {
  if (use.startIndex < jump.startIndex) return true;
  for (let p = semantic.parentOf(jump); p && !sameNode(p, body); p = semantic.parentOf(p)) {
    if ((p.type === 'for_statement' || p.type === 'while_statement') && use.startIndex >= p.startIndex && use.endIndex <= p.endIndex) return true;
  }
  return false;
}
