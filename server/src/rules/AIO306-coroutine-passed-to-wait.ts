/**
 * AIO306 coroutine-passed-to-wait: coroutine objects given to `asyncio.wait()` (a TypeError since Python 3.11)
 * or to `asyncio.shield()` (which hides the task it creates).
 * Documentation: docs/rules/AIO306.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule, type RuleContext } from '../core/rule';
import { argument, rangeOf, unparenthesize } from '../core/syntax';
import type { RelatedInformation } from '../core/types';
import { moduleReference } from './helpers/fixes';

const COLLECTIONS = new Set(['list', 'set', 'tuple']);
const COMPREHENSIONS = new Set(['list_comprehension', 'set_comprehension', 'generator_expression']);

export default defineRule({
  meta: {
    code: 'AIO306',
    name: 'coroutine-passed-to-wait',
    category: 'unhandled-task-error',
    defaultSeverity: 'warning',
    summary: 'Coroutines passed straight to `asyncio.wait()` (a TypeError since Python 3.11) or `asyncio.shield()` (the task it creates has no other reference).',
    triggers: ['asyncio'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        if (name === 'asyncio.wait') checkWait(call, context);
        else if (name === 'asyncio.shield') checkShield(call, context);
      },
    };
  },
});

function checkWait(call: Node, context: RuleContext): void {
  const { semantic } = context;
  const args = call.childForFieldName('arguments');
  // `asyncio.wait(f() for ...)`: the generator is the whole argument list.
  const given = args && COMPREHENSIONS.has(args.type) ? args : argument(call, 0, 'fs');
  if (!given) return;
  let collection = unparenthesize(given);
  let related: RelatedInformation[] = [];
  let viaName = false;
  if (collection.type === 'identifier') {
    const binding = semantic.lookup(collection.text, collection);
    const fn = semantic.enclosingFunction(call);
    // Only a local built right here in the same function: anything else may have been filled with tasks since.
    if (binding?.kind !== 'assign' || !binding.value || !fn || binding.scope !== fn.scope) return;
    if ((fn.scope.bindings.get(collection.text) ?? []).length !== 1) return;
    related = [{ range: rangeOf(binding.node), message: `\`${collection.text}\` is built here from coroutine objects` }];
    collection = unparenthesize(binding.value);
    viaName = true;
  }
  const coroutines = coroutinesIn(collection, context);
  if (coroutines.length === 0) return;
  const spelled = [...new Set(coroutines.map((c) => `\`${(c.childForFieldName('function')?.text ?? '').replace(/\s+/g, '')}()\``))].join(', ');
  context.report({
    node: call,
    related,
    fixes: createTaskFix(call, coroutines, viaName, context),
    message: `\`asyncio.wait()\` is given coroutine objects (${spelled}) instead of tasks: since Python 3.11 this raises \`TypeError\` (before, it wrapped them in tasks you cannot match against the returned \`done\`/\`pending\` sets); wrap each one in \`asyncio.create_task()\``,
  });
}

/** The coroutine calls a collection literal or comprehension holds, if all its elements are coroutine calls. */
function coroutinesIn(collection: Node, { semantic }: RuleContext): Node[] {
  let elements: Node[];
  if (COLLECTIONS.has(collection.type)) {
    elements = collection.namedChildren.filter((c) => c.type !== 'comment');
  } else if (COMPREHENSIONS.has(collection.type)) {
    const body = collection.childForFieldName('body');
    elements = body ? [body] : [];
  } else {
    return [];
  }
  const calls = elements.map((e) => unparenthesize(e));
  // A mix of tasks and coroutines is rare; requiring all keeps the message and the fix exact.
  if (calls.length === 0 || calls.some((c) => c.type !== 'call' || !semantic.coroutineCallee(c))) return [];
  return calls;
}

function createTaskFix(call: Node, coroutines: Node[], viaName: boolean, context: RuleContext): Fix[] {
  const { semantic } = context;
  // create_task needs a running loop: only where an async def runs the code itself.
  if (!semantic.asyncFunctionOf(call) || !coroutines.every((c) => semantic.asyncFunctionOf(c))) return [];
  const asyncio = moduleReference(semantic, 'asyncio');
  const edits = coroutines.flatMap((c) => {
    const range = rangeOf(c);
    return [
      { range: { start: range.start, end: range.start }, newText: `${asyncio.name}.create_task(` },
      { range: { start: range.end, end: range.end }, newText: ')' },
    ];
  });
  return [
    {
      title: 'Wrap each coroutine in `asyncio.create_task()`',
      edits: [...asyncio.edits, ...edits],
      // Inline, this is what `wait()` did itself before 3.11; a list built earlier starts its tasks earlier.
      safe: !viaName,
    },
  ];
}

function checkShield(call: Node, context: RuleContext): void {
  const { semantic } = context;
  const inner = argument(call, 0, 'arg');
  const coroutine = inner ? unparenthesize(inner) : undefined;
  if (coroutine?.type !== 'call' || !semantic.coroutineCallee(coroutine)) return;
  const callee = (coroutine.childForFieldName('function')?.text ?? '').replace(/\s+/g, '');
  context.report({
    node: call,
    message: `\`asyncio.shield()\` wraps \`${callee}()\` in a task that nothing else references: if the code awaiting the shield is cancelled, that task keeps running unseen, and asyncio marks its exception as retrieved, so a later failure is silently lost; create the task yourself, keep a reference to it (for example in a set, with a done-callback that logs its exception), and shield the task`,
  });
}
