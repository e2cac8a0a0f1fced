/**
 * AIO608 executor-never-shut-down: a `ThreadPoolExecutor`, `ProcessPoolExecutor` or
 * `multiprocessing.Pool` created in a function, given work, and then neither shut down, managed by
 * `with`, nor kept anywhere.
 * Documentation: docs/rules/AIO608.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import type { SemanticModel } from '../core/semantic';
import { argument, logicalParent, rangeOf, sameNode } from '../core/syntax';
import { classifyUse, usesOfBinding } from './helpers/usage';

interface PoolKind {
  short: string;
  workers: 'threads' | 'processes';
  /** `multiprocessing` pools are closed, executors shut down. */
  closes: boolean;
}

const POOLS = new Map<string, PoolKind>([
  ['concurrent.futures.ThreadPoolExecutor', { short: 'ThreadPoolExecutor', workers: 'threads', closes: false }],
  ['concurrent.futures.ProcessPoolExecutor', { short: 'ProcessPoolExecutor', workers: 'processes', closes: false }],
  ['multiprocessing.Pool', { short: 'Pool', workers: 'processes', closes: true }],
  ['multiprocessing.pool.Pool', { short: 'Pool', workers: 'processes', closes: true }],
  ['multiprocessing.pool.ThreadPool', { short: 'ThreadPool', workers: 'threads', closes: true }],
  ['multiprocessing.dummy.Pool', { short: 'Pool', workers: 'threads', closes: true }],
]);

/** Methods that hand work to the pool: calling only these means nobody ever shuts it down. */
const WORK_METHODS = new Set([
  'submit', 'map', 'map_async', 'imap', 'imap_unordered', 'starmap', 'starmap_async', 'apply', 'apply_async',
]);
const RUN_IN_EXECUTOR = 'asyncio.AbstractEventLoop.run_in_executor';

export default defineRule({
  meta: {
    code: 'AIO608',
    name: 'executor-never-shut-down',
    category: 'threads-processes',
    defaultSeverity: 'warning',
    summary: 'A thread or process pool is created in a function, given work and never shut down, so each call starts new workers.',
    triggers: ['concurrent', 'multiprocessing'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const type = semantic.calleeName(call);
        const kind = type ? POOLS.get(type) : undefined;
        // Module-level pools live as long as the program, on purpose.
        const fn = semantic.enclosingFunction(call);
        if (!kind || !fn || fn.isLambda) return;
        const inline = workUse(call, semantic);
        let variable: string | undefined;
        if (!inline) {
          const use = classifyUse(call, semantic);
          if (use.kind !== 'assigned' || use.targets.length !== 1) return;
          const uses = usesOfBinding(use.targets[0]!, semantic);
          if (uses.length === 0 || !uses.every((u) => workUse(u, semantic))) return;
          variable = use.targets[0]!.text;
        }
        const creation = `a new \`${kind.short}\`${variable ? ` (\`${variable}\`)` : ''} is created on each call of \`${fn.name}\``;
        const message = kind.closes
          ? `${creation} and never closed (no \`with\`, no \`close()\`/\`terminate()\`): its worker ${kind.workers} are left to the garbage collector, which may never finalize the pool and can hang the program at exit; use \`with ${kind.short}() as pool:\`, or call \`close()\` and \`join()\` when done`
          : `${creation} and never shut down (no \`with\`, no \`shutdown()\`): every call starts new worker ${kind.workers} (so \`max_workers\` limits nothing across calls), they stop only when the garbage collector reclaims the executor, and nothing waits for the submitted work; create one executor and reuse it, or use \`with ${kind.short}() as pool:\``;
        context.report({
          node: call,
          message: inline === 'run_in_executor' && kind.short === 'ThreadPoolExecutor'
            ? `${message.slice(0, message.lastIndexOf(';'))}; pass \`None\` to use the loop's default executor, or reuse one executor`
            : message,
          fixes: inline === 'run_in_executor' && kind.short === 'ThreadPoolExecutor' ? defaultExecutorFix(call) : [],
        });
      },
    };
  },
});

/** How `expr` (the pool, or a name holding it) is used, when that is only to give it work. */
function workUse(expr: Node, semantic: SemanticModel): 'method' | 'run_in_executor' | undefined {
  const { parent, child } = logicalParent(expr, semantic.parentOf);
  if (parent?.type === 'attribute' && sameNode(parent.childForFieldName('object'), child)) {
    const outer = semantic.parentOf(parent);
    const called = outer?.type === 'call' && sameNode(outer.childForFieldName('function'), parent);
    return called && WORK_METHODS.has(parent.childForFieldName('attribute')?.text ?? '') ? 'method' : undefined;
  }
  if (parent?.type === 'argument_list') {
    const call = semantic.parentOf(parent);
    if (call?.type === 'call' && semantic.calleeName(call) === RUN_IN_EXECUTOR && sameNode(argument(call, 0), child)) return 'run_in_executor';
  }
  return undefined;
}

/** `run_in_executor(ThreadPoolExecutor(), f)` -> `run_in_executor(None, f)`: the loop's default pool, created once. */
function defaultExecutorFix(call: Node): Fix[] {
  return [{
    title: "Use the loop's default executor (`None`)",
    edits: [{ range: rangeOf(call), newText: 'None' }],
    // The default pool has its own size and thread names, and is shared with the rest of the program.
    safe: false,
  }];
}
