/**
 * AIO702 get-event-loop-in-async: `asyncio.get_event_loop()` inside a coroutine, where
 * `asyncio.get_running_loop()` says what is meant and never creates a loop.
 * Documentation: docs/rules/AIO702.md
 */
import { defineRule } from '../core/rule';
import { rangeOf } from '../core/syntax';
import { moduleReference } from './helpers/fixes';

export default defineRule({
  meta: {
    code: 'AIO702',
    name: 'get-event-loop-in-async',
    category: 'event-loop-misuse',
    // Inside a coroutine it still returns the running loop: a clarity and future-proofing issue, not a bug.
    defaultSeverity: 'information',
    summary: '`asyncio.get_event_loop()` in a coroutine: `asyncio.get_running_loop()` is the reliable call.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        if (semantic.calleeName(call) !== 'asyncio.get_event_loop') return;
        const fn = semantic.asyncFunctionOf(call);
        const callee = call.childForFieldName('function');
        if (!fn || !callee) return;
        const asyncio = moduleReference(semantic, 'asyncio');
        const replacement =
          callee.type === 'attribute' ? `${callee.childForFieldName('object')?.text ?? asyncio.name}.get_running_loop` : `${asyncio.name}.get_running_loop`;
        context.report({
          node: call,
          message: `\`asyncio.get_event_loop()\` in \`async def ${fn.name}\`: inside a coroutine use \`asyncio.get_running_loop()\`, which always returns the running loop; \`get_event_loop()\` depends on the event loop policy and is deprecated outside a running loop`,
          fixes: [
            {
              title: 'Replace with `asyncio.get_running_loop()`',
              edits: [...(callee.type === 'attribute' ? [] : asyncio.edits), { range: rangeOf(callee), newText: replacement }],
              safe: true,
            },
          ],
        });
      },
    };
  },
});
