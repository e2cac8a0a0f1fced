/**
 * AIO302 task-never-awaited: a task kept in a local variable that is never awaited, passed on, or checked.
 * Documentation: docs/rules/AIO302.md
 */
import { defineRule } from '../core/rule';
import { TASK_FACTORIES } from './AIO301-dangling-task';
import { logExceptionFix } from './helpers/observe-fix';
import { isEverObserved } from './helpers/observed';
import { classifyUse } from './helpers/usage';

export default defineRule({
  meta: {
    code: 'AIO302',
    name: 'task-never-awaited',
    category: 'unhandled-task-error',
    defaultSeverity: 'warning',
    summary: 'A task is stored in a variable that is never used again (not awaited, passed on, or asked anything), so its exception is lost.',
    triggers: ['asyncio'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        if (!name || !TASK_FACTORIES.has(name)) return;
        const use = classifyUse(call, semantic);
        if (use.kind !== 'assigned' || use.targets.some((t) => isEverObserved(t, semantic))) return;
        const variable = use.targets[0]!.text;
        context.report({
          node: call,
          fixes: logExceptionFix(call, variable, context),
          message: `the task stored in \`${variable}\` is never used again (not awaited, passed on, or asked for its result): if it fails, its exception is only logged as "Task exception was never retrieved" when it is garbage-collected; \`await ${variable}\` (or add \`${variable}.add_done_callback(...)\` that handles the exception)`,
        });
      },
    };
  },
});
