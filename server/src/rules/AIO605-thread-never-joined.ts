/**
 * AIO605 thread-never-joined: a non-daemon `threading.Thread` started in a function and then
 * forgotten: never joined, returned, stored or handed on.
 * Documentation: docs/rules/AIO605.md
 */
import type { Node } from 'web-tree-sitter';
import { defineRule } from '../core/rule';
import type { SemanticModel } from '../core/semantic';
import { argument, isFalseLiteral, keywordArgument, logicalParent, rangeOf, sameNode } from '../core/syntax';
import { classifyUse, usesOfBinding } from './helpers/usage';

/** Attributes that only read or set a thread's label: using them does not mean anyone tracks the thread. */
const LABEL_ATTRIBUTES = new Set(['name', 'ident', 'native_id', 'getName', 'setName']);

export default defineRule({
  meta: {
    code: 'AIO605',
    name: 'thread-never-joined',
    category: 'threads-processes',
    defaultSeverity: 'information',
    summary: 'A non-daemon thread is started and forgotten: nothing waits for it or sees its exception.',
    triggers: ['Thread'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        if (semantic.calleeName(call) !== 'threading.Thread') return;
        // At module level the thread belongs to the program itself, and the interpreter joins it at exit.
        const fn = semantic.enclosingFunction(call);
        if (!fn) return;
        const daemon = keywordArgument(call, 'daemon');
        if (daemon && !isFalseLiteral(daemon) && daemon.type !== 'none') return;
        const start = startedInline(call, semantic) ?? startedThroughVariable(call, semantic);
        if (!start) return;
        const target = argument(call, 1, 'target');
        const work = target ? `\`${target.text}\`` : 'the thread';
        const coroutine = fn.isAsync && !fn.isLambda;
        const instead = coroutine
          ? `in a coroutine, \`await ${offload(semantic)}(${target?.text ?? 'fn'}, ...)\` runs it on a thread and raises its exception here`
          : 'keep the thread and `join()` it where the work must be finished (or submit it to an executor and check the future)';
        context.report({
          node: start.node,
          message: `${start.variable ? `the thread in \`${start.variable}\`` : 'this thread'} is started and never joined, returned or stored: nobody waits for ${work} or learns whether it failed (its exception is only printed to stderr by \`threading.excepthook\`), and as a non-daemon thread it can outlive \`${fn.isLambda ? 'the lambda' : fn.name}\` and holds up interpreter exit until it ends; ${instead}`,
          related: start.variable ? [{ range: rangeOf(call), message: 'the thread is created here' }] : [],
        });
      },
    };
  },
});

function offload(semantic: SemanticModel): string {
  switch (semantic.library) {
    case 'trio':
      return 'trio.to_thread.run_sync';
    case 'anyio':
      return 'anyio.to_thread.run_sync';
    default:
      return 'asyncio.to_thread';
  }
}

/** `threading.Thread(...).start()` as a statement of its own. */
function startedInline(call: Node, semantic: SemanticModel): { node: Node; variable?: string } | undefined {
  const { parent } = logicalParent(call, semantic.parentOf);
  if (parent?.type !== 'attribute' || parent.childForFieldName('attribute')?.text !== 'start') return undefined;
  const startCall = semantic.parentOf(parent);
  if (startCall?.type !== 'call' || !sameNode(startCall.childForFieldName('function'), parent)) return undefined;
  return semantic.parentOf(startCall)?.type === 'expression_statement' ? { node: startCall } : undefined;
}

/** `t = threading.Thread(...)` then `t.start()`, and `t` used for nothing but its name. */
function startedThroughVariable(call: Node, semantic: SemanticModel): { node: Node; variable: string } | undefined {
  const use = classifyUse(call, semantic);
  if (use.kind !== 'assigned' || use.targets.length !== 1) return undefined;
  const variable = use.targets[0]!;
  let start: Node | undefined;
  for (const ref of usesOfBinding(variable, semantic)) {
    const parent = semantic.parentOf(ref);
    if (parent?.type !== 'attribute' || !sameNode(parent.childForFieldName('object'), ref)) return undefined;
    const attribute = parent.childForFieldName('attribute')?.text ?? '';
    const outer = semantic.parentOf(parent);
    if (attribute === 'start' && outer?.type === 'call' && sameNode(outer.childForFieldName('function'), parent)) {
      start ??= outer;
    } else if (!LABEL_ATTRIBUTES.has(attribute)) {
      // join(), is_alive(), daemon = True, ...: the code keeps track of the thread.
      return undefined;
    }
  }
  return start ? { node: start, variable: variable.text } : undefined;
}
