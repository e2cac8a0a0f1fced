/**
 * AIO301 dangling-task: the task returned by `asyncio.create_task()` / `ensure_future()` / `loop.create_task()` is thrown away.
 * Documentation: docs/rules/AIO301.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule, type RuleContext } from '../core/rule';
import { rangeOf, unparenthesize } from '../core/syntax';
import { freshName, moduleLevelDefinition, ownStatement } from './helpers/fixes';
import { isDropped } from './helpers/usage';

export const TASK_FACTORIES = new Set(['asyncio.create_task', 'asyncio.ensure_future', 'asyncio.AbstractEventLoop.create_task']);

export default defineRule({
  meta: {
    code: 'AIO301',
    name: 'dangling-task',
    category: 'unhandled-task-error',
    defaultSeverity: 'warning',
    summary: 'A task is created and its reference dropped: it can be garbage-collected mid-run and its exception is never seen.',
    triggers: ['asyncio'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        if (!name || !TASK_FACTORIES.has(name)) return;
        if (!isDropped(call, semantic)) return;
        const short = name.replace('asyncio.AbstractEventLoop.', 'loop.');
        context.report({
          node: call,
          fixes: fixes(call, name, context),
          message: `the task from \`${short}()\` is not kept: the event loop holds only a weak reference, so the task can be garbage-collected before it finishes, and an exception it raises is never seen; keep a reference and await it, or create it with \`asyncio.TaskGroup().create_task()\``,
        });
      },
    };
  },
});

const BACKGROUND_SET = '_background_tasks';

function fixes(call: Node, name: string, context: RuleContext): Fix[] {
  const { semantic, source } = context;
  const result: Fix[] = [];
  const taskGroup = enclosingTaskGroup(call, context);
  const callee = call.childForFieldName('function');
  if (taskGroup && callee && name !== 'asyncio.ensure_future') {
    result.push({
      title: `Create it in the task group: \`${taskGroup}.create_task(...)\``,
      edits: [{ range: rangeOf(callee), newText: `${taskGroup}.create_task` }],
      // The group now waits for the task and cancels it when a sibling fails.
      safe: false,
    });
  }
  const own = ownStatement(call, semantic, source.split(/\r?\n/));
  if (own) {
    const task = freshName(semantic, call, 'task');
    const newline = `\n${own.indent}`;
    result.push({
      title: `Keep a reference in \`${BACKGROUND_SET}\` until the task is done`,
      edits: [
        ...moduleLevelDefinition(semantic, BACKGROUND_SET, `${BACKGROUND_SET} = set()  # strong references to running background tasks`),
        {
          range: rangeOf(own.statement),
          newText: `${task} = ${call.text}${newline}${BACKGROUND_SET}.add(${task})${newline}${task}.add_done_callback(${BACKGROUND_SET}.discard)`,
        },
      ],
      safe: false,
    });
  }
  return result;
}

/** The name bound by `async with asyncio.TaskGroup() as tg:` around the call, in the same function. */
function enclosingTaskGroup(call: Node, { semantic }: RuleContext): string | undefined {
  const fn = semantic.enclosingFunction(call);
  for (let p = semantic.parentOf(call); p && p.id !== fn?.node.id; p = semantic.parentOf(p)) {
    if (p.type !== 'with_statement' || p.firstChild?.type !== 'async') continue;
    for (const item of p.namedChildren.find((c) => c.type === 'with_clause')?.namedChildren ?? []) {
      const pattern = item.childForFieldName('value');
      if (pattern?.type !== 'as_pattern') continue;
      const manager = pattern.namedChildren[0];
      const alias = pattern.childForFieldName('alias')?.namedChildren[0];
      const value = manager ? semantic.resolve(unparenthesize(manager)) : undefined;
      if (alias?.type === 'identifier' && value?.kind === 'instance' && value.type === 'asyncio.TaskGroup') return alias.text;
    }
  }
  return undefined;
}
