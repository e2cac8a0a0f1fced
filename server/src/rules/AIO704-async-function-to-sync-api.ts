/**
 * AIO704 async-function-to-sync-api: an `async def` handed to an API that calls its argument as a
 * plain function (thread targets, executors, loop callbacks, done-callbacks, atexit, signal handlers).
 * Documentation: docs/rules/AIO704.md
 */
import { defineRule } from '../core/rule';
import { argument, rangeOf } from '../core/syntax';
import { CALLABLE_APIS, callableTarget, type CallableSite } from './helpers/callable-apis';

export default defineRule({
  meta: {
    code: 'AIO704',
    name: 'async-function-to-sync-api',
    category: 'event-loop-misuse',
    defaultSeverity: 'warning',
    summary: 'An `async def` is passed where a plain function is called: it only creates a coroutine nobody awaits.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        const callee = call.childForFieldName('function');
        let site: Pick<CallableSite, 'index' | 'keyword' | 'api'> | undefined = name ? CALLABLE_APIS.get(name) : undefined;
        // Every add_done_callback (asyncio and concurrent.futures alike) calls its argument synchronously.
        if (!site && callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'add_done_callback') {
          site = { index: 0, api: '`add_done_callback()`' };
        }
        if (!site) return;
        const target = argument(call, site.index, site.keyword);
        const targetFn = target ? callableTarget(target, semantic) : undefined;
        const fn = targetFn?.isAsync && !semantic.isGenerator(targetFn) ? targetFn : undefined;
        if (!target || !fn) return;
        context.report({
          node: target,
          message: `\`${fn.name}\` is an \`async def\` passed to ${site.api}, which calls it as a plain function: that only creates a coroutine nobody awaits, so \`${fn.name}\` never runs (Python warns "coroutine was never awaited"); schedule it on the event loop instead (\`asyncio.create_task(${fn.name}())\`, or \`asyncio.run_coroutine_threadsafe(${fn.name}(), loop)\` from another thread), or make it a plain \`def\``,
          related: [{ range: rangeOf(fn.nameNode), message: `\`${fn.name}\` is declared \`async def\` here` }],
        });
      },
    };
  },
});
