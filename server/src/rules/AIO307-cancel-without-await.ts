/**
 * AIO307 cancel-without-await: `task.cancel()` in async code on a task that is then never awaited.
 * Documentation: docs/rules/AIO307.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule, type RuleContext } from '../core/rule';
import { rangeOf, unparenthesize } from '../core/syntax';
import { canAwaitHere, importedName, moduleReference, ownStatement } from './helpers/fixes';
import {
  assignedValues,
  calledMethod,
  holderOf,
  holderReferences,
  isAssignmentTarget,
  isOnlyInspected,
  isTaskFactoryCall,
  type Holder,
} from './helpers/task-handles';

/** Task methods that neither wait for the task nor retrieve its outcome. */
const QUERY_METHODS = new Set(['cancel', 'cancelled', 'done', 'cancelling', 'get_name', 'set_name', 'get_coro', 'get_stack', 'print_stack', 'uncancel']);

export default defineRule({
  meta: {
    code: 'AIO307',
    name: 'cancel-without-await',
    category: 'unhandled-task-error',
    defaultSeverity: 'warning',
    summary: '`task.cancel()` without awaiting the task afterwards: its cleanup has not run when the code goes on, and an error in it is never seen.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const fn = call.childForFieldName('function');
        if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'cancel') return;
        const owner = semantic.asyncFunctionOf(call);
        const object = fn.childForFieldName('object');
        if (!owner || !object) return;
        const holder = holderOf(object, semantic);
        if (!holder) return;
        // A task variable of another function (a closure, a module global) may be awaited where we cannot see.
        if (holder.kind === 'name' && holder.scope !== owner.scope) return;
        const references = holderReferences(holder, semantic);
        const created = taskCreations(holder, references, context);
        if (!created) return;
        if (references.some((ref) => !isHarmless(ref, context) || checksCompletionAfter(ref, call, context))) return;
        const spelled = unparenthesize(object).text;
        context.report({
          node: call,
          related: created.map((c) => ({ range: rangeOf(c), message: `the task in \`${spelled}\` is created here` })),
          fixes: awaitFix(call, spelled, context),
          message: `\`${spelled}.cancel()\` only asks the task to stop, and \`${spelled}\` is never awaited afterwards: \`${owner.name}\` goes on before the task's cleanup (its \`finally\` blocks and \`except CancelledError\` handlers) has run, and an exception raised by that cleanup is never retrieved; await the task after cancelling it (\`with contextlib.suppress(asyncio.CancelledError): await ${spelled}\`)`,
        });
      },
    };
  },
});

/** The task-creating calls assigned to the holder, when every value it ever gets is such a task or `None`. */
function taskCreations(holder: Holder, references: Node[], { semantic }: RuleContext): Node[] | undefined {
  const assigned = assignedValues(holder, references, semantic);
  if (holder.kind === 'name' && assigned.some((a) => a.value === undefined)) return undefined;
  const values = assigned.flatMap((a) => (a.value ? [unparenthesize(a.value)] : []));
  if (values.some((v) => v.type !== 'none' && !isTaskFactoryCall(v, semantic))) return undefined;
  const tasks = values.filter((v) => v.type !== 'none');
  return tasks.length > 0 ? tasks : undefined;
}

/** A use that neither awaits the task, nor hands it to someone who might, nor retrieves its outcome. */
function isHarmless(ref: Node, { semantic }: RuleContext): boolean {
  if (isAssignmentTarget(ref, semantic) || semantic.isBindingName(ref)) return true;
  const method = calledMethod(ref, semantic);
  if (method) return QUERY_METHODS.has(method.name);
  const parent = semantic.parentOf(ref);
  if (parent?.type === 'assignment' && !parent.childForFieldName('right')) return true;
  return isOnlyInspected(ref, semantic);
}

/**
 * `t.cancel()`, then later `t.done()` or `t.cancelled()` in the same function: the code looks at
 * whether the cancellation has finished (typically after yielding with `await asyncio.sleep(0)`).
 */
function checksCompletionAfter(ref: Node, cancel: Node, { semantic }: RuleContext): boolean {
  const method = calledMethod(ref, semantic);
  if (!method || (method.name !== 'done' && method.name !== 'cancelled')) return false;
  const fn = semantic.enclosingFunction(ref);
  if (!fn || fn !== semantic.enclosingFunction(cancel)) return false;
  if (ref.startIndex > cancel.endIndex) return true;
  // In a loop around the cancel, a check written above it runs again after it.
  for (let p = semantic.parentOf(cancel); p && p.id !== fn.node.id; p = semantic.parentOf(p)) {
    if ((p.type === 'while_statement' || p.type === 'for_statement') && ref.startIndex >= p.startIndex) return true;
  }
  return false;
}

function awaitFix(call: Node, spelled: string, context: RuleContext): Fix[] {
  const { semantic, source } = context;
  const own = ownStatement(call, semantic, source.split(/\r?\n/));
  if (!own || !canAwaitHere(call, semantic) || spelled.includes('\n')) return [];
  const suppress = importedName(semantic, 'contextlib', 'suppress');
  const asyncio = moduleReference(semantic, 'asyncio');
  const end = rangeOf(own.statement).end;
  return [
    {
      title: `Wait for the cancelled task: \`with suppress(CancelledError): await ${spelled}\``,
      edits: [
        ...suppress.edits,
        ...asyncio.edits,
        {
          range: { start: end, end },
          newText: `\n${own.indent}with ${suppress.name}(${asyncio.name}.CancelledError):\n${own.indent}    await ${spelled}`,
        },
      ],
      // The function now waits for the task's cleanup, and a cancellation of the waiting code itself is swallowed too.
      safe: false,
    },
  ];
}
