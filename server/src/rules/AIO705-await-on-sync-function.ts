/**
 * AIO705 await-on-sync-function: `await` on the result of a plain function (`await time.sleep(1)`,
 * `await save()` where `save` is a `def` returning nothing): it runs synchronously, then fails.
 * Documentation: docs/rules/AIO705.md
 */
import { defineRule } from '../core/rule';
import { rangeOf, unparenthesize } from '../core/syntax';
import { ALL_BLOCKING_NAMES } from './helpers/blocking-calls';
import { moduleReference } from './helpers/fixes';
import { alwaysReturnsNone } from './helpers/returns';

export default defineRule({
  meta: {
    code: 'AIO705',
    name: 'await-on-sync-function',
    category: 'event-loop-misuse',
    defaultSeverity: 'warning',
    summary: '`await` on a plain function call: the call runs synchronously, then awaiting its result raises TypeError.',
    triggers: ['await'],
  },
  create(context) {
    const { semantic } = context;
    return {
      await(node) {
        const inner = node.namedChildren[0];
        const call = inner ? unparenthesize(inner) : undefined;
        const calleeNode = call?.type === 'call' ? call.childForFieldName('function') : undefined;
        if (!call || !calleeNode) return;
        const callee = semantic.resolve(calleeNode);
        const awaitKeyword = node.firstChild;
        const removeAwait = awaitKeyword && inner ? [{ range: { start: rangeOf(awaitKeyword).start, end: rangeOf(inner).start }, newText: '' }] : [];
        if (callee?.kind === 'function' && alwaysReturnsNone(callee.fn, semantic)) {
          context.report({
            node: call,
            // The awaited value was None, so awaiting always raised: dropping the await only removes the crash.
            fixes: removeAwait.length ? [{ title: 'Remove `await`', edits: removeAwait, safe: true }] : [],
            message: `\`${callee.fn.name}\` is a plain \`def\` that returns nothing: \`${call.text}\` runs synchronously to the end, then \`await None\` raises "TypeError: object NoneType can't be used in 'await' expression"; drop the \`await\`, or make \`${callee.fn.name}\` an \`async def\``,
            related: [{ range: rangeOf(callee.fn.nameNode), message: `\`${callee.fn.name}\` is defined with a plain \`def\`` }],
          });
        } else if (callee?.kind === 'name' && ALL_BLOCKING_NAMES.has(callee.name)) {
          const asyncio = moduleReference(semantic, 'asyncio');
          context.report({
            node: call,
            fixes:
              callee.name === 'time.sleep'
                ? [{ title: 'Replace with `await asyncio.sleep(...)`', edits: [...asyncio.edits, { range: rangeOf(calleeNode), newText: `${asyncio.name}.sleep` }], safe: true }]
                : removeAwait.length
                  ? [{ title: 'Remove `await` (the call still blocks: see its blocking-call finding)', edits: removeAwait, safe: false }]
                  : [],
            message: `\`${callee.name}()\` is a blocking synchronous call: it runs to the end on the event loop thread, then awaiting its result raises TypeError; use its async equivalent${callee.name === 'time.sleep' ? ' (`await asyncio.sleep(...)`)' : ' or `await asyncio.to_thread(...)`'}`,
          });
        }
      },
    };
  },
});
