import type { Node } from 'web-tree-sitter';
import type { FunctionInfo, SemanticModel } from '../../core/semantic';
import { argument, unparenthesize } from '../../core/syntax';

/** The same-file function (or lambda) a callable argument denotes, looking through `functools.partial(f, ...)`. */
export function callableTarget(expr: Node, semantic: SemanticModel): FunctionInfo | undefined {
  let node = unparenthesize(expr);
  if (node.type === 'call' && semantic.calleeName(node) === 'functools.partial') {
    const inner = argument(node, 0);
    if (!inner) return undefined;
    node = unparenthesize(inner);
  }
  if (node.type === 'lambda') return semantic.scopeOfNode(node)?.fn;
  const value = semantic.resolve(node);
  return value?.kind === 'function' ? value.fn : undefined;
}

/** APIs that take a plain callable and call it later (in a thread, a process, the loop, at exit): where their callable argument is. */

export interface CallableSite {
  index: number;
  keyword?: string;
  api: string;
  /** The callable runs in another thread or process (as opposed to a loop or interpreter callback). */
  worker: boolean;
}

export const CALLABLE_APIS = new Map<string, CallableSite>([
  ['threading.Thread', { index: 1, keyword: 'target', api: '`threading.Thread(target=...)`', worker: true }],
  ['multiprocessing.Process', { index: 1, keyword: 'target', api: '`multiprocessing.Process(target=...)`', worker: true }],
  ['concurrent.futures.ThreadPoolExecutor.submit', { index: 0, keyword: 'fn', api: '`executor.submit()`', worker: true }],
  ['concurrent.futures.ProcessPoolExecutor.submit', { index: 0, keyword: 'fn', api: '`executor.submit()`', worker: true }],
  ['concurrent.futures.Executor.submit', { index: 0, keyword: 'fn', api: '`executor.submit()`', worker: true }],
  ['concurrent.futures.ThreadPoolExecutor.map', { index: 0, keyword: 'fn', api: '`executor.map()`', worker: true }],
  ['concurrent.futures.ProcessPoolExecutor.map', { index: 0, keyword: 'fn', api: '`executor.map()`', worker: true }],
  ['asyncio.AbstractEventLoop.run_in_executor', { index: 1, api: '`loop.run_in_executor()`', worker: true }],
  ['asyncio.to_thread', { index: 0, api: '`asyncio.to_thread()`', worker: true }],
  ['anyio.to_thread.run_sync', { index: 0, api: '`anyio.to_thread.run_sync()`', worker: true }],
  ['trio.to_thread.run_sync', { index: 0, api: '`trio.to_thread.run_sync()`', worker: true }],
  ['asyncio.AbstractEventLoop.call_soon', { index: 0, api: '`loop.call_soon()`', worker: false }],
  ['asyncio.AbstractEventLoop.call_soon_threadsafe', { index: 0, api: '`loop.call_soon_threadsafe()`', worker: false }],
  ['asyncio.AbstractEventLoop.call_later', { index: 1, api: '`loop.call_later()`', worker: false }],
  ['asyncio.AbstractEventLoop.call_at', { index: 1, api: '`loop.call_at()`', worker: false }],
  ['atexit.register', { index: 0, api: '`atexit.register()`', worker: false }],
  ['signal.signal', { index: 1, api: '`signal.signal()`', worker: false }],
]);
