/**
 * AIO305 dropped-executor-future: the future of `executor.submit()`, `loop.run_in_executor()` or
 * `asyncio.run_coroutine_threadsafe()` is dropped, or kept in a variable nobody checks.
 * Documentation: docs/rules/AIO305.md
 */
import { defineRule } from '../core/rule';
import { canAwaitHere, insertAwait } from './helpers/fixes';
import { logExceptionFix } from './helpers/observe-fix';
import { isEverObserved } from './helpers/observed';
import { classifyUse, isDropped } from './helpers/usage';

const FUTURE_FACTORIES = new Map([
  ['concurrent.futures.ThreadPoolExecutor.submit', 'executor.submit'],
  ['concurrent.futures.ProcessPoolExecutor.submit', 'executor.submit'],
  ['concurrent.futures.Executor.submit', 'executor.submit'],
  ['asyncio.AbstractEventLoop.run_in_executor', 'loop.run_in_executor'],
  ['asyncio.run_coroutine_threadsafe', 'asyncio.run_coroutine_threadsafe'],
]);

export default defineRule({
  meta: {
    code: 'AIO305',
    name: 'dropped-executor-future',
    category: 'unhandled-task-error',
    defaultSeverity: 'warning',
    summary: 'The future of work sent to an executor or another loop is never checked, so its exception vanishes.',
    triggers: ['asyncio', 'concurrent'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        const short = name ? FUTURE_FACTORIES.get(name) : undefined;
        if (!short) return;
        const use = classifyUse(call, semantic);
        const fix = short === 'loop.run_in_executor' ? '`await` it' : 'keep the future and call `.result()` on it (or add a done-callback that handles its exception)';
        if (isDropped(call, semantic)) {
          const awaitable = short === 'loop.run_in_executor' && canAwaitHere(call, semantic);
          context.report({
            node: call,
            fixes: awaitable
              ? [{ title: 'Add `await`', edits: insertAwait(call, semantic), safe: false }]
              : logExceptionFix(call, undefined, context),
            message: `the future from \`${short}()\` is dropped: if the work raises, the exception is stored in the future and never seen; ${fix}`,
          });
        } else if (use.kind === 'assigned' && !use.targets.some((t) => isEverObserved(t, semantic))) {
          context.report({
            node: call,
            fixes: logExceptionFix(call, use.targets[0]!.text, context),
            message: `the future from \`${short}()\` is stored in \`${use.targets[0]!.text}\` but never checked: if the work raises, the exception is never seen; ${fix}`,
          });
        }
      },
    };
  },
});
