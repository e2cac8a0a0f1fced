/**
 * AIO701 asyncio-run-in-async: starting an event loop (`asyncio.run`, `loop.run_until_complete`,
 * `trio.run`, ...) from inside a coroutine, where a loop is already running.
 * Documentation: docs/rules/AIO701.md
 */
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import { positionalArguments, rangeOf } from '../core/syntax';
import { CallGraph, chainInformation, startOf } from './helpers/call-graph';
import { canAwaitHere, insertAwait } from './helpers/fixes';
import { LOOP_RUNNERS } from './helpers/loop-runners';


export default defineRule({
  meta: {
    code: 'AIO701',
    name: 'asyncio-run-in-async',
    category: 'event-loop-misuse',
    defaultSeverity: 'warning',
    summary: 'An event loop is started inside a coroutine, where one is already running: it raises RuntimeError.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    let graph: CallGraph | undefined;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        const short = name ? LOOP_RUNNERS.get(name) : undefined;
        const fn = semantic.asyncFunctionOf(call);
        if (!fn) return;
        if (!short) {
          // A sync helper that starts a loop, called from the coroutine: `async def f(): sync_fetch()`.
          const fnNode = call.childForFieldName('function');
          if (!fnNode || semantic.isAwaited(call)) return;
          graph ??= new CallGraph(semantic);
          const start = startOf(fnNode, semantic, graph);
          const chain = start && !start.summary.isAsync ? graph.chainTo(start, 'loop', (s) => s.loopStart) : undefined;
          if (!chain) return;
          const spelled = fnNode.text.replace(/\s+/g, '');
          const path = [fn.name, ...chain.hops.map((h) => h.fn.name.split('.').pop()!), chain.callee].join(' -> ');
          context.report({
            node: call,
            message: `\`${spelled}()\` starts an event loop (\`${chain.callee}()\`, through ${path}) while \`async def ${fn.name}\` runs on one: it raises RuntimeError; make the helper async and \`await\` it, or give it a coroutine-friendly variant`,
            related: chainInformation(chain, () => 'starts an event loop'),
          });
          return;
        }
        const fixes: Fix[] = [];
        const args = call.childForFieldName('arguments');
        const positional = positionalArguments(call);
        const onlyTheCoroutine = args?.type === 'argument_list' && args.namedChildren.filter((a) => a.type !== 'comment').length === 1 && positional.length === 1;
        if ((name === 'asyncio.run' || short === 'loop.run_until_complete') && onlyTheCoroutine && canAwaitHere(call, semantic)) {
          const awaited = insertAwait(call, semantic).length > 1 ? `(await ${positional[0]!.text})` : `await ${positional[0]!.text}`;
          fixes.push({ title: `Await it instead: \`await ${positional[0]!.text}\``, edits: [{ range: rangeOf(call), newText: awaited }], safe: true });
        }
        context.report({
          node: call,
          message: `\`${short}()\` in \`async def ${fn.name}\` starts an event loop while one is already running: it raises RuntimeError, and a coroutine passed to it is never awaited; \`await\` the coroutine instead`,
          related: [{ range: rangeOf(fn.nameNode), message: `\`${fn.name}\` runs on the event loop that is already running` }],
          fixes,
        });
      },
    };
  },
});
