/**
 * AIO301 dangling-task: the task returned by `asyncio.create_task()` / `ensure_future()` / `loop.create_task()` is thrown away.
 * Documentation: docs/rules/AIO301.md
 */
import { defineRule } from '../core/rule';
import { isDropped } from './helpers/usage';

export const TASK_FACTORIES = new Set(['asyncio.create_task', 'asyncio.ensure_future', 'asyncio.AbstractEventLoop.create_task']);

export default defineRule({
  meta: {
    code: 'AIO301',
    name: 'dangling-task',
    category: 'unhandled-task-error',
    defaultSeverity: 'warning',
    summary: 'A task is created and its reference dropped: it can be garbage-collected mid-run and its exception is never seen.',
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
          message: `the task from \`${short}()\` is not kept: the event loop holds only a weak reference, so the task can be garbage-collected before it finishes, and an exception it raises is never seen; keep a reference and await it, or create it with \`asyncio.TaskGroup().create_task()\``,
        });
      },
    };
  },
});
