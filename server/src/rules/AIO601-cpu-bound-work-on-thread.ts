/**
 * AIO601 cpu-bound-work-on-thread: CPU-bound pure-Python work sent to a thread, where the GIL
 * lets it run no faster and slows the event loop down.
 * Documentation: docs/rules/AIO601.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import type { SemanticModel } from '../core/semantic';
import type { RelatedInformation } from '../core/types';
import { argument, rangeOf, unparenthesize } from '../core/syntax';
import { callableTarget } from './helpers/callable-apis';
import { CpuBoundAnalysis } from './helpers/cpu-bound';
import { importedName, moduleLevelDefinition, moduleReference } from './helpers/fixes';

interface ThreadOffload {
  /** Where the callable is: positional index and keyword name. */
  fnIndex: number;
  fnKeyword?: string;
  /** For `run_in_executor`: which argument names the executor. */
  executorIndex?: number;
  via: string;
}

const THREAD_OFFLOADS = new Map<string, ThreadOffload>([
  ['asyncio.to_thread', { fnIndex: 0, via: '`asyncio.to_thread()`' }],
  ['asyncio.AbstractEventLoop.run_in_executor', { fnIndex: 1, executorIndex: 0, via: '`loop.run_in_executor()` with a thread pool' }],
  ['threading.Thread', { fnIndex: 1, fnKeyword: 'target', via: '`threading.Thread`' }],
  ['concurrent.futures.ThreadPoolExecutor.submit', { fnIndex: 0, fnKeyword: 'fn', via: 'a `ThreadPoolExecutor`' }],
  ['concurrent.futures.ThreadPoolExecutor.map', { fnIndex: 0, fnKeyword: 'fn', via: 'a `ThreadPoolExecutor`' }],
  ['anyio.to_thread.run_sync', { fnIndex: 0, via: '`anyio.to_thread.run_sync()`' }],
  ['trio.to_thread.run_sync', { fnIndex: 0, via: '`trio.to_thread.run_sync()`' }],
]);

export default defineRule({
  meta: {
    code: 'AIO601',
    name: 'cpu-bound-work-on-thread',
    category: 'cpu-bound-thread',
    defaultSeverity: 'warning',
    summary: 'CPU-bound pure-Python work is sent to a thread, where the GIL gives it no parallelism.',
    triggers: ['asyncio', 'Thread', 'concurrent', 'anyio', 'trio'],
  },
  create(context) {
    const { semantic } = context;
    const analysis = new CpuBoundAnalysis(semantic);
    return {
      call(call) {
        const name = semantic.calleeName(call);
        const offload = name ? THREAD_OFFLOADS.get(name) : undefined;
        if (!offload) return;
        if (offload.executorIndex !== undefined && !isThreadPool(argument(call, offload.executorIndex), semantic)) return;
        const target = argument(call, offload.fnIndex, offload.fnKeyword);
        const work = target ? cpuBoundWork(target, semantic, analysis) : undefined;
        if (!work) return;
        context.report({
          node: call,
          fixes: work.moduleLevel ? processFixes(call, name!, offload, semantic) : [],
          message: `${work.label} does CPU-bound pure-Python work (${work.reason}; no I/O) and is sent to ${offload.via}: threads share the GIL, so it runs no faster than inline and slows the event loop and every other thread; run it in a \`ProcessPoolExecutor\` instead (e.g. \`await loop.run_in_executor(process_pool, ...)\`)`,
          related: work.related,
        });
      },
    };
  },
});

interface CpuBoundWork {
  label: string;
  reason: string;
  related: RelatedInformation[];
  /** A module-level function, which a process pool can pickle. */
  moduleLevel: boolean;
}

/** The callable sent to a thread, when it certainly does CPU-bound work: a def or lambda of this file, or a function of another workspace module. */
function cpuBoundWork(target: Node, semantic: SemanticModel, analysis: CpuBoundAnalysis): CpuBoundWork | undefined {
  const fn = callableTarget(target, semantic);
  if (fn) {
    const evidence = analysis.evidenceFor(fn);
    if (!evidence) return undefined;
    return {
      label: fn.isLambda ? 'this lambda' : `\`${fn.name}\``,
      reason: evidence.reason,
      related: [
        { range: rangeOf(evidence.node), message: `CPU-bound: ${evidence.reason}` },
        ...(fn.isLambda ? [] : [{ range: rangeOf(fn.nameNode), message: `\`${fn.name}\` is defined here` }]),
      ],
      moduleLevel: !fn.isLambda && !fn.owner && fn.scope.parent?.kind === 'module',
    };
  }
  const name = semantic.qualifiedName(unparenthesize(target));
  const external = name ? semantic.workspace?.findFunction(name) : undefined;
  const cpu = external?.summary.cpu;
  if (!external || !cpu) return undefined;
  const uri = external.module.uri;
  // A reason that goes on to another function already names where its loop is.
  const reason = cpu.reason.startsWith('calls ') ? cpu.reason : `${cpu.reason} of ${external.module.moduleName}`;
  return {
    label: `\`${external.qualifiedName}\``,
    reason,
    related: [
      { uri, range: cpu.range, message: `CPU-bound: ${cpu.reason}` },
      { uri, range: external.summary.nameRange, message: `\`${external.summary.qualname}\` is defined here` },
    ],
    moduleLevel: !external.summary.qualname.includes('.'),
  };
}

/** `None` (the loop's default thread pool) or a known `ThreadPoolExecutor`. */
function isThreadPool(executor: Node | undefined, semantic: SemanticModel): boolean {
  if (!executor) return false;
  const expr = unparenthesize(executor);
  if (expr.type === 'none') return true;
  const value = semantic.resolve(expr);
  return value?.kind === 'instance' && value.type === 'concurrent.futures.ThreadPoolExecutor';
}


const PROCESS_POOL = '_process_pool';

/**
 * Moves the work to processes. Only for module-level functions, which a process pool can pickle;
 * never safe to apply blindly: arguments are pickled too, and globals are not shared.
 */
function processFixes(call: Node, name: string, offload: ThreadOffload, semantic: SemanticModel): Fix[] {
  const pool = (): Fix['edits'] => {
    const executor = importedName(semantic, 'concurrent.futures', 'ProcessPoolExecutor');
    return [...executor.edits, ...moduleLevelDefinition(semantic, PROCESS_POOL, `${PROCESS_POOL} = ${executor.name}()  # CPU-bound work runs in other processes`)];
  };
  const fix = (title: string, edits: Fix['edits']): Fix[] => [{ title, edits, safe: false }];
  const args = call.childForFieldName('arguments');
  switch (name) {
    case 'asyncio.to_thread': {
      if (!args || args.type !== 'argument_list' || args.namedChildren.some((a) => a.type === 'keyword_argument' || a.type === 'dictionary_splat')) return [];
      const asyncio = moduleReference(semantic, 'asyncio');
      return fix(`Run it in a process pool: \`loop.run_in_executor(${PROCESS_POOL}, ...)\``, [
        ...pool(),
        ...asyncio.edits,
        { range: rangeOf(call), newText: `${asyncio.name}.get_running_loop().run_in_executor(${PROCESS_POOL}, ${args.text.slice(1, -1).trim()})` },
      ]);
    }
    case 'asyncio.AbstractEventLoop.run_in_executor':
    case 'concurrent.futures.ThreadPoolExecutor.submit':
    case 'concurrent.futures.ThreadPoolExecutor.map': {
      const target = offload.executorIndex !== undefined ? argument(call, offload.executorIndex) : call.childForFieldName('function')?.childForFieldName('object');
      if (!target) return [];
      return fix(`Run it in a process pool (\`${PROCESS_POOL}\`)`, [...pool(), { range: rangeOf(target), newText: PROCESS_POOL }]);
    }
    case 'threading.Thread': {
      const callee = call.childForFieldName('function');
      if (!callee) return [];
      const multiprocessing = moduleReference(semantic, 'multiprocessing');
      return fix('Run it in a process: `multiprocessing.Process(...)`', [...multiprocessing.edits, { range: rangeOf(callee), newText: `${multiprocessing.name}.Process` }]);
    }
    default:
      return [];
  }
}
