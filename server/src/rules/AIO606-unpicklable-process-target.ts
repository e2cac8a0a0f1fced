/**
 * AIO606 unpicklable-process-target: a lambda, a nested function or a function defined under
 * `if __name__ == "__main__":` sent to a process pool or `multiprocessing.Process`, which must
 * pickle it by name.
 * Documentation: docs/rules/AIO606.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import type { FunctionInfo, SemanticModel } from '../core/semantic';
import type { AnalyzeOptions } from '../core/types';
import { DEFAULT_TARGET_VERSION } from '../core/types';
import { argument, rangeOf, unparenthesize } from '../core/syntax';
import { callableTarget } from './helpers/callable-apis';
import { atLeast, enclosingMainGuard, FORKSERVER_DEFAULT, isProcessPool, MP_POOL_TYPES, usesForkStartMethod } from './helpers/workers';

interface ProcessSite {
  index: number;
  keyword?: string;
  api: string;
  /** The callable is pickled whatever the start method (it travels through a queue); else only under spawn/forkserver. */
  alwaysPickled: boolean;
  /** What the pickling error breaks. */
  outcome: string;
  executorIndex?: number;
}

const POOL_METHODS = ['map', 'map_async', 'imap', 'imap_unordered', 'starmap', 'starmap_async', 'apply', 'apply_async'];

const SITES = new Map<string, ProcessSite>([
  ['concurrent.futures.ProcessPoolExecutor.submit', { index: 0, keyword: 'fn', api: '`ProcessPoolExecutor.submit()`', alwaysPickled: true, outcome: 'the job fails' }],
  ['concurrent.futures.ProcessPoolExecutor.map', { index: 0, keyword: 'fn', api: '`ProcessPoolExecutor.map()`', alwaysPickled: true, outcome: 'the job fails' }],
  ['asyncio.AbstractEventLoop.run_in_executor', { index: 1, api: '`loop.run_in_executor()` with a process pool', alwaysPickled: true, outcome: 'the job fails', executorIndex: 0 }],
  ['anyio.to_process.run_sync', { index: 0, api: '`anyio.to_process.run_sync()`', alwaysPickled: true, outcome: 'the job fails' }],
  ...[...MP_POOL_TYPES].flatMap((type) =>
    POOL_METHODS.map((m): [string, ProcessSite] => [`${type}.${m}`, { index: 0, keyword: 'func', api: `\`Pool.${m}()\``, alwaysPickled: true, outcome: 'the job fails' }]),
  ),
  ['multiprocessing.Process', { index: 1, keyword: 'target', api: '`multiprocessing.Process(target=...)`', alwaysPickled: false, outcome: '`start()` raises' }],
  ['concurrent.futures.ProcessPoolExecutor', { index: 2, keyword: 'initializer', api: '`ProcessPoolExecutor(initializer=...)`', alwaysPickled: false, outcome: 'the pool cannot start its workers' }],
  ...[...MP_POOL_TYPES].map((type): [string, ProcessSite] => [type, { index: 1, keyword: 'initializer', api: '`Pool(initializer=...)`', alwaysPickled: false, outcome: 'the pool cannot start its workers' }]),
]);

export default defineRule({
  meta: {
    code: 'AIO606',
    name: 'unpicklable-process-target',
    category: 'threads-processes',
    defaultSeverity: 'error',
    summary: 'A lambda or nested function is sent to another process, which must pickle it by name and cannot.',
    triggers: ['concurrent', 'multiprocessing', 'anyio'],
  },
  create(context) {
    const { semantic } = context;
    let fork: boolean | undefined;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        const site = name ? SITES.get(name) : undefined;
        if (!site) return;
        if (site.executorIndex !== undefined && !isProcessPool(argument(call, site.executorIndex), semantic)) return;
        const target = argument(call, site.index, site.keyword);
        const fn = target ? callableTarget(target, semantic) : undefined;
        if (!target || !fn || fn.owner) return;
        const problem = whyUnpicklable(fn, semantic);
        if (!problem) return;
        const alwaysFails = site.alwaysPickled && !problem.spawnOnly;
        if (!alwaysFails && (fork ??= usesForkStartMethod(semantic))) return;
        const label = fn.isLambda ? 'this lambda' : `\`${fn.name}\``;
        const when = site.alwaysPickled
          ? `${site.api} pickles the function to send it to a worker process${problem.spawnOnly ? `, under the ${startMethods(context.options)}` : ''}`
          : `${site.api} pickles the function to start the child process under the ${startMethods(context.options)}`;
        context.report({
          node: target,
          message: `${label} ${problem.what}, but ${when}, and ${problem.failure}, so ${site.outcome}; ${problem.advice}`,
          related: fn.isLambda ? [] : [{ range: rangeOf(fn.nameNode), message: `\`${fn.name}\` is defined here` }],
          fixes: fn.isLambda ? lambdaFix(fn, semantic) : [],
        });
      },
    };
  },
});

function startMethods(options: AnalyzeOptions): string {
  const version = options.targetVersion ?? DEFAULT_TARGET_VERSION;
  return atLeast(version, FORKSERVER_DEFAULT)
    ? '`spawn` and `forkserver` start methods (the defaults on every platform from Python 3.14)'
    : '`spawn` start method (the default on macOS and Windows) and `forkserver` (the default on Linux from Python 3.14)';
}

interface Problem {
  what: string;
  failure: string;
  advice: string;
  /** Only a child that re-imports the main module (spawn, forkserver) misses the function. */
  spawnOnly: boolean;
}

function whyUnpicklable(fn: FunctionInfo, semantic: SemanticModel): Problem | undefined {
  if (fn.isLambda) {
    return {
      what: 'has no importable name',
      failure: 'pickle cannot serialize a lambda (`PicklingError`)',
      advice: 'pass a function defined at module level (with `functools.partial` for fixed arguments)',
      spawnOnly: false,
    };
  }
  const parent = fn.scope.parent;
  if (parent && (parent.kind === 'function' || parent.kind === 'lambda')) {
    const outer = parent.fn?.name ?? 'its enclosing function';
    return {
      what: `is defined inside \`${outer}\``,
      failure: `pickle cannot find a local function by name ("Can't pickle local object '${outer}.<locals>.${fn.name}'")`,
      advice: 'move it to module level and pass what it captured as arguments',
      spawnOnly: false,
    };
  }
  if (parent?.kind === 'module' && enclosingMainGuard(fn.node, semantic)) {
    return {
      what: 'is defined under `if __name__ == "__main__":`',
      failure: `the child re-imports the main module as \`__mp_main__\` without running that block, where unpickling it fails ("Can't get attribute '${fn.name}' on <module '__mp_main__'>")`,
      advice: 'define it at module level, above the guard',
      spawnOnly: true,
    };
  }
  return undefined;
}

/** `lambda a, b: f(a, b)` -> `f`, when the lambda only forwards its parameters, in order, to a module-level function. */
function lambdaFix(fn: FunctionInfo, semantic: SemanticModel): Fix[] {
  const lambda = fn.node;
  const params = lambda.childForFieldName('parameters');
  const names = params ? params.namedChildren.filter((c) => c.type !== 'comment') : [];
  if (names.some((n) => n.type !== 'identifier')) return [];
  const body = lambda.childForFieldName('body');
  const call = body ? unparenthesize(body) : undefined;
  if (call?.type !== 'call') return [];
  const callee = call.childForFieldName('function');
  const args = call.childForFieldName('arguments');
  if (!callee || args?.type !== 'argument_list' || !isDottedName(callee)) return [];
  const passed = args.namedChildren.filter((c) => c.type !== 'comment');
  if (passed.length !== names.length || passed.some((a, i) => a.type !== 'identifier' || a.text !== names[i]!.text)) return [];
  const root = leftmostName(callee);
  if (names.some((n) => n.text === root.text)) return [];
  const value = semantic.resolve(callee);
  let safe: boolean;
  if (value?.kind === 'function') {
    const target = value.fn;
    if (target.isLambda || target.owner || target.scope.parent?.kind !== 'module' || enclosingMainGuard(target.node, semantic)) return [];
    // A module-level function of this file pickles by name and does exactly what the lambda did.
    safe = true;
  } else if (value?.kind === 'name') {
    // Imported functions pickle by reference too, but an imported callable object might not.
    safe = false;
  } else {
    return [];
  }
  return [{ title: `Pass \`${callee.text}\` itself instead of the lambda`, edits: [{ range: rangeOf(lambda), newText: callee.text }], safe }];
}

function isDottedName(node: Node): boolean {
  if (node.type === 'identifier') return true;
  if (node.type !== 'attribute') return false;
  const object = node.childForFieldName('object');
  return !!object && isDottedName(object);
}

function leftmostName(node: Node): Node {
  let current = node;
  while (current.type === 'attribute') current = current.childForFieldName('object') ?? current;
  return current;
}
