/**
 * AIO704 async-function-to-sync-api: an `async def` handed to an API that calls its argument as a
 * plain function (thread targets, executors, loop callbacks, done-callbacks, atexit, signal handlers).
 * Documentation: docs/rules/AIO704.md
 */
import type { Node } from 'web-tree-sitter';
import { defineRule } from '../core/rule';
import type { SemanticModel } from '../core/semantic';
import { argument, rangeOf, unparenthesize } from '../core/syntax';

/** Where each API takes its callable: positional index and keyword. */
const SYNC_CALLABLE_APIS = new Map<string, { index: number; keyword?: string; api: string }>([
  ['threading.Thread', { index: 1, keyword: 'target', api: '`threading.Thread(target=...)`' }],
  ['multiprocessing.Process', { index: 1, keyword: 'target', api: '`multiprocessing.Process(target=...)`' }],
  ['concurrent.futures.ThreadPoolExecutor.submit', { index: 0, keyword: 'fn', api: '`executor.submit()`' }],
  ['concurrent.futures.ProcessPoolExecutor.submit', { index: 0, keyword: 'fn', api: '`executor.submit()`' }],
  ['concurrent.futures.Executor.submit', { index: 0, keyword: 'fn', api: '`executor.submit()`' }],
  ['concurrent.futures.ThreadPoolExecutor.map', { index: 0, keyword: 'fn', api: '`executor.map()`' }],
  ['concurrent.futures.ProcessPoolExecutor.map', { index: 0, keyword: 'fn', api: '`executor.map()`' }],
  ['asyncio.AbstractEventLoop.run_in_executor', { index: 1, api: '`loop.run_in_executor()`' }],
  ['asyncio.to_thread', { index: 0, api: '`asyncio.to_thread()`' }],
  ['anyio.to_thread.run_sync', { index: 0, api: '`anyio.to_thread.run_sync()`' }],
  ['trio.to_thread.run_sync', { index: 0, api: '`trio.to_thread.run_sync()`' }],
  ['asyncio.AbstractEventLoop.call_soon', { index: 0, api: '`loop.call_soon()`' }],
  ['asyncio.AbstractEventLoop.call_soon_threadsafe', { index: 0, api: '`loop.call_soon_threadsafe()`' }],
  ['asyncio.AbstractEventLoop.call_later', { index: 1, api: '`loop.call_later()`' }],
  ['asyncio.AbstractEventLoop.call_at', { index: 1, api: '`loop.call_at()`' }],
  ['atexit.register', { index: 0, api: '`atexit.register()`' }],
  ['signal.signal', { index: 1, api: '`signal.signal()`' }],
]);

export default defineRule({
  meta: {
    code: 'AIO704',
    name: 'async-function-to-sync-api',
    category: 'event-loop-misuse',
    defaultSeverity: 'warning',
    summary: 'An `async def` is passed where a plain function is called: it only creates a coroutine nobody awaits.',
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        const callee = call.childForFieldName('function');
        let site = name ? SYNC_CALLABLE_APIS.get(name) : undefined;
        // Every add_done_callback (asyncio and concurrent.futures alike) calls its argument synchronously.
        if (!site && callee?.type === 'attribute' && callee.childForFieldName('attribute')?.text === 'add_done_callback') {
          site = { index: 0, api: '`add_done_callback()`' };
        }
        if (!site) return;
        const target = argument(call, site.index, site.keyword);
        const fn = target ? coroutineFunction(target, semantic) : undefined;
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

function coroutineFunction(expr: Node, semantic: SemanticModel) {
  let node = unparenthesize(expr);
  if (node.type === 'call' && semantic.calleeName(node) === 'functools.partial') {
    const inner = argument(node, 0);
    if (!inner) return undefined;
    node = unparenthesize(inner);
  }
  const value = semantic.resolve(node);
  return value?.kind === 'function' && value.fn.isAsync && !semantic.isGenerator(value.fn) ? value.fn : undefined;
}
