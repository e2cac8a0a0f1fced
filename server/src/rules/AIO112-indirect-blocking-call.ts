/**
 * AIO112 indirect-blocking-call: async code calls a sync function (of this file or of another
 * module of the workspace) that reaches a blocking call, possibly through further sync calls.
 * The finding sits on the call in the async function; the chain is its related information.
 * Documentation: docs/rules/AIO112.md
 */
import { defineRule } from '../core/rule';
import { isRuleEnabled } from '../core/selection';
import { blockingSiteOf } from './helpers/blocking-calls';
import { fixesFor } from './helpers/blocking-rule';
import { CallGraph, chainInformation, startOf } from './helpers/call-graph';
import { canAwaitHere } from './helpers/fixes';

/** What each blocking rule's calls do, completing "which ...". */
const BLOCKING_EFFECT: Readonly<Record<string, string>> = {
  AIO101: 'sleeps',
  AIO102: 'makes a synchronous HTTP request',
  AIO103: 'runs a subprocess synchronously',
  AIO104: 'waits for a child process',
  AIO105: 'does file I/O',
  AIO106: 'does filesystem I/O',
  AIO107: 'waits for console input',
  AIO108: 'does synchronous network I/O',
  AIO109: 'waits for a synchronous database call',
  AIO110: 'waits on a threading primitive',
  AIO111: 'waits for a concurrent future',
};

export default defineRule({
  meta: {
    code: 'AIO112',
    name: 'indirect-blocking-call',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'Async code calls a sync function that reaches a blocking call, in this file or another module.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic, options } = context;
    let graph: CallGraph | undefined;
    // A chain ending in a blocking call whose own rule is ignored or switched off is not reported
    // either; merely not selecting that rule (`--select AIO112`) does not count.
    const wanted = (code: string): boolean => isRuleEnabled(code, { ignore: options.ignore, severity: options.severity });
    return {
      call(call) {
        const asyncFn = semantic.asyncFunctionOf(call);
        if (!asyncFn || semantic.isAwaited(call) || blockingSiteOf(call, semantic)) return;
        const fnNode = call.childForFieldName('function');
        if (!fnNode) return;
        graph ??= new CallGraph(semantic);
        const start = startOf(fnNode, semantic, graph);
        if (!start || start.summary.isAsync) return;
        const chain = graph.blockingChain(start, wanted);
        if (!chain) return;
        const spelled = fnNode.text.replace(/\s+/g, '');
        const path = [asyncFn.name, ...chain.hops.map((h) => h.fn.name.split('.').pop()!), chain.callee].join(' -> ');
        const effect = BLOCKING_EFFECT[chain.code] ?? 'blocks';
        context.report({
          node: call,
          message: `\`${spelled}()\` blocks the event loop in \`async def ${asyncFn.name}\`: it reaches \`${chain.callee}()\`, which ${effect} (${chain.code}), through ${path}; run it with \`await ${semantic.library === 'asyncio' ? 'asyncio.to_thread' : `${semantic.library}.to_thread.run_sync`}(${spelled}, ...)\` or make the chain async`,
          related: chainInformation(chain, (code) => BLOCKING_EFFECT[code] ?? 'blocks'),
          fixes: canAwaitHere(call, semantic) ? fixesFor(call, semantic, undefined) : [],
        });
      },
    };
  },
});
