/**
 * AIO701 asyncio-run-in-async: starting an event loop (`asyncio.run`, `loop.run_until_complete`,
 * `trio.run`, ...) from inside a coroutine, where a loop is already running.
 * Documentation: docs/rules/AIO701.md
 */
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import { positionalArguments, rangeOf } from '../core/syntax';
import { canAwaitHere, insertAwait } from './helpers/fixes';

const LOOP_RUNNERS = new Map([
  ['asyncio.run', 'asyncio.run'],
  ['asyncio.AbstractEventLoop.run_until_complete', 'loop.run_until_complete'],
  ['asyncio.AbstractEventLoop.run_forever', 'loop.run_forever'],
  ['trio.run', 'trio.run'],
  ['anyio.run', 'anyio.run'],
]);

export default defineRule({
  meta: {
    code: 'AIO701',
    name: 'asyncio-run-in-async',
    category: 'event-loop-misuse',
    defaultSeverity: 'warning',
    summary: 'An event loop is started inside a coroutine, where one is already running: it raises RuntimeError.',
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        const short = name ? LOOP_RUNNERS.get(name) : undefined;
        const fn = semantic.asyncFunctionOf(call);
        if (!short || !fn) return;
        const fixes: Fix[] = [];
        const args = call.childForFieldName('arguments');
        const positional = positionalArguments(call);
        const onlyTheCoroutine = args?.type === 'argument_list' && args.namedChildren.filter((a) => a.type !== 'comment').length === 1 && positional.length === 1;
        if ((name === 'asyncio.run' || short === 'loop.run_until_complete') && onlyTheCoroutine && canAwaitHere(call, semantic)) {
          const awaited = insertAwait(call, semantic).length > 1 ? `(await ${positional[0]!.text})` : `await ${positional[0]!.text}`;
          fixes.push({ title: `Await it instead: \`await ${positional[0]!.text}\``, edits: [{ range: rangeOf(call), newText: awaited }], safe: true });
        }
        context.report({
          node: call,
          message: `\`${short}()\` in \`async def ${fn.name}\` starts an event loop while one is already running: it raises RuntimeError, and a coroutine passed to it is never awaited; \`await\` the coroutine instead`,
          related: [{ range: rangeOf(fn.nameNode), message: `\`${fn.name}\` runs on the event loop that is already running` }],
          fixes,
        });
      },
    };
  },
});
