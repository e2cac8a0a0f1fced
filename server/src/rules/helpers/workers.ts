/**
 * Where a file starts threads and processes (AIO604–AIO608): which same-file functions run on a
 * worker thread, which expressions are process pools, and which statements run at import time
 * outside an `if __name__ == "__main__":` guard.
 */
import type { Node } from 'web-tree-sitter';
import type { Chunk, FunctionInfo, SemanticModel } from '../../core/semantic';
import { argument, logicalParent, sameNode, unparenthesize } from '../../core/syntax';
import { callableTarget } from './callable-apis';

export interface ThreadLaunch {
  fn: FunctionInfo;
  /** The call (or class) that makes `fn` run on another thread. */
  site: Node;
  /** How the launch is spelled in messages. */
  api: string;
}

interface ThreadApi {
  index: number;
  keyword?: string;
  api: string;
  /** Index of the executor argument (`run_in_executor`), which must not be a process pool. */
  executorIndex?: number;
}

const THREAD_APIS = new Map<string, ThreadApi>([
  ['threading.Thread', { index: 1, keyword: 'target', api: '`threading.Thread(target=...)`' }],
  ['threading.Timer', { index: 1, keyword: 'function', api: '`threading.Timer(...)`' }],
  ['concurrent.futures.ThreadPoolExecutor.submit', { index: 0, keyword: 'fn', api: '`executor.submit()`' }],
  ['concurrent.futures.ThreadPoolExecutor.map', { index: 0, keyword: 'fn', api: '`executor.map()`' }],
  ['asyncio.AbstractEventLoop.run_in_executor', { index: 1, api: '`loop.run_in_executor()`', executorIndex: 0 }],
  ['asyncio.to_thread', { index: 0, api: '`asyncio.to_thread()`' }],
  ['anyio.to_thread.run_sync', { index: 0, api: '`anyio.to_thread.run_sync()`' }],
  ['trio.to_thread.run_sync', { index: 0, api: '`trio.to_thread.run_sync()`' }],
]);

/** Words one of which the text of any launch site (or of a `threading.Thread` subclass) contains. */
const THREAD_API_WORDS = ['Thread', 'Timer', 'submit', '.map', 'run_in_executor', 'to_thread', 'run_sync'];

export const PROCESS_POOL_TYPES = new Set(['concurrent.futures.ProcessPoolExecutor']);
export const MP_POOL_TYPES = new Set(['multiprocessing.Pool', 'multiprocessing.pool.Pool']);

const launchCache = new WeakMap<object, Map<number, ThreadLaunch>>();

/** Where a same-file function is first run on a worker thread, if anywhere. */
export function threadLaunchOf(semantic: SemanticModel, fn: FunctionInfo): ThreadLaunch | undefined {
  if (!semantic.lazy) return threadTargets(semantic).get(fn.node.id);
  // A lazy model looks only at the code that can launch this function: what names it (or, for a
  // lambda, the function it is written in and the name it is assigned to: `self.callback = lambda:
  // ...` may be launched from another method), in functions that also name a threading API.
  let cache = launchCaches.get(semantic.cacheKey);
  if (!cache) launchCaches.set(semantic.cacheKey, (cache = { chunks: new Map(), byFunction: new Map() }));
  if (cache.byFunction.has(fn.node.id)) return cache.byFunction.get(fn.node.id);
  const names = fn.isLambda ? lambdaNames(semantic, fn.node) : [fn.name];
  const home = fn.isLambda ? semantic.chunkAt(fn.node) : undefined;
  let first = home ? undefined : outsideLaunchOf(semantic, fn, names);
  // The function's name, or a module-level alias of it (`job = process_items`).
  for (const [name, bindings] of fn.isLambda ? [] : semantic.module.bindings) {
    if (bindings.some((b) => b.kind === 'assign' && b.value?.text.includes(fn.name))) names.push(name);
  }
  for (const chunk of semantic.chunksMentioning(THREAD_API_WORDS, false)) {
    if (chunk !== home && !names.some((n) => semantic.chunkMentions(chunk, n))) continue;
    let launches = cache.chunks.get(chunk);
    if (!launches) {
      semantic.buildChunk(chunk);
      cache.chunks.set(chunk, (launches = collectLaunches(semantic, chunk.nodes)));
    }
    const launch = launches.get(fn.node.id);
    // The first launch site in the file wins, as in the full search.
    if (launch && (!first || launch.site.startIndex < first.site.startIndex)) first = launch;
  }
  cache.byFunction.set(fn.node.id, first);
  return first;
}

/**
 * The first launch of `fn` in the code outside functions: a statement there launches it only if it
 * names it (or an alias of it), a `threading.Thread` subclass launches its `run` method, and a lambda
 * written outside functions is launched where it is written. (A function's own lambdas cannot be
 * reached from module-level code; the caller skips this search for them.)
 */
function outsideLaunchOf(semantic: SemanticModel, fn: FunctionInfo, names: readonly string[]): ThreadLaunch | undefined {
  const nodes = names.length > 0 ? semantic.outsideNodesContaining(names) : [];
  if (fn.owner) nodes.push(fn.owner.node);
  if (fn.isLambda) for (let n = semantic.parentOf(fn.node); n; n = semantic.parentOf(n)) nodes.push(n);
  nodes.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  return collectLaunches(semantic, nodes).get(fn.node.id);
}

/** The name a lambda is assigned to (`handler = lambda: ...`, `self.handler = lambda: ...`), if any. */
function lambdaNames(semantic: SemanticModel, lambda: Node): string[] {
  const { parent, child } = logicalParent(lambda, semantic.parentOf);
  if (parent?.type !== 'assignment' || !sameNode(parent.childForFieldName('right'), child)) return [];
  const target = parent.childForFieldName('left');
  const name = target?.type === 'attribute' ? target.childForFieldName('attribute') : target;
  return name?.type === 'identifier' ? [name.text] : [];
}

const launchCaches = new WeakMap<
  object,
  { chunks: Map<Chunk, Map<number, ThreadLaunch>>; byFunction: Map<number, ThreadLaunch | undefined> }
>();

/** Same-file functions that run on a worker thread, keyed by their node id; the first launch site wins. */
export function threadTargets(semantic: SemanticModel): Map<number, ThreadLaunch> {
  const cached = launchCache.get(semantic.cacheKey);
  if (cached) return cached;
  const targets = collectLaunches(semantic, semantic.nodesMentioning(THREAD_API_WORDS));
  launchCache.set(semantic.cacheKey, targets);
  return targets;
}

function collectLaunches(semantic: SemanticModel, nodes: readonly Node[]): Map<number, ThreadLaunch> {
  const targets = new Map<number, ThreadLaunch>();
  const add = (fn: FunctionInfo | undefined, site: Node, api: string) => {
    if (fn && !fn.isAsync && !targets.has(fn.node.id)) targets.set(fn.node.id, { fn, site, api });
  };
  for (const node of nodes) {
    if (node.type === 'call') {
      const name = semantic.calleeName(node);
      const api = name ? THREAD_APIS.get(name) : undefined;
      if (!api) continue;
      if (api.executorIndex !== undefined && isProcessPool(argument(node, api.executorIndex), semantic)) continue;
      const target = argument(node, api.index, api.keyword);
      if (target) add(callableTarget(target, semantic), node, api.api);
    } else if (node.type === 'class_definition') {
      // `class Worker(threading.Thread): def run(self): ...` runs `run` on the new thread.
      const cls = semantic.scopeOfNode(node)?.cls;
      if (!cls || !cls.bases.some((b) => semantic.qualifiedName(b) === 'threading.Thread')) continue;
      const run = cls.scope.bindings.get('run')?.at(-1);
      if (run?.kind === 'function') add(run.fn, node.childForFieldName('name') ?? node, `a \`threading.Thread\` subclass (\`${cls.name}.run\`)`);
    }
  }
  return targets;
}

/** A `ProcessPoolExecutor` (or `multiprocessing.Pool`) instance, as far as the file shows. */
export function isProcessPool(expr: Node | undefined, semantic: SemanticModel): boolean {
  if (!expr) return false;
  const value = semantic.resolve(unparenthesize(expr));
  return value?.kind === 'instance' && (PROCESS_POOL_TYPES.has(value.type) || MP_POOL_TYPES.has(value.type));
}

/** `if __name__ == "__main__":` (either operand order, either quote). */
export function isMainGuard(statement: Node): boolean {
  if (statement.type !== 'if_statement') return false;
  const condition = statement.childForFieldName('condition');
  const test = condition ? unparenthesize(condition) : undefined;
  if (test?.type !== 'comparison_operator' || test.namedChildren.length !== 2) return false;
  if (!test.children.some((c) => c.type === '==')) return false;
  const texts = test.namedChildren.map((c) => c.text.replace(/'/g, '"'));
  return texts.includes('__name__') && texts.includes('"__main__"');
}

/** The `if __name__ == "__main__":` statement whose body holds `node`, if any. */
export function enclosingMainGuard(node: Node, semantic: SemanticModel): Node | undefined {
  for (let p = semantic.parentOf(node); p; p = semantic.parentOf(p)) {
    if (isMainGuard(p)) {
      const consequence = p.childForFieldName('consequence');
      if (consequence && node.startIndex >= consequence.startIndex && node.endIndex <= consequence.endIndex) return p;
    }
  }
  return undefined;
}

/** True when `node` runs while the module is imported: not in a function, class body or main guard. */
export function runsAtImport(node: Node, semantic: SemanticModel): boolean {
  if (semantic.enclosingFunction(node)) return false;
  for (let p = semantic.parentOf(node); p; p = semantic.parentOf(p)) {
    if (p.type === 'class_definition' || p.type === 'function_definition' || p.type === 'lambda') return false;
    const consequence = isMainGuard(p) ? p.childForFieldName('consequence') : null;
    if (consequence && node.startIndex >= consequence.startIndex && node.endIndex <= consequence.endIndex) return false;
  }
  return true;
}

/** The file picks the `fork` start method explicitly, so children do not re-import or unpickle the main module. */
export function usesForkStartMethod(semantic: SemanticModel): boolean {
  if (!semantic.mentions('set_start_method') && !semantic.mentions('get_context')) return false;
  let fork = false;
  semantic.forEachDescendant(semantic.root, (node) => {
    if (fork) return false;
    if (node.type !== 'call') return true;
    const name = semantic.calleeName(node);
    if (name !== 'multiprocessing.set_start_method' && name !== 'multiprocessing.get_context') return true;
    const method = argument(node, 0, 'method');
    if (method && /^["']fork["']$/.test(unparenthesize(method).text)) fork = true;
    return true;
  });
  return fork;
}

/** The Python version from which Linux defaults to `forkserver` instead of `fork`. */
export const FORKSERVER_DEFAULT: readonly [number, number] = [3, 14];

export function atLeast(version: readonly [number, number], wanted: readonly [number, number]): boolean {
  return version[0] > wanted[0] || (version[0] === wanted[0] && version[1] >= wanted[1]);
}
