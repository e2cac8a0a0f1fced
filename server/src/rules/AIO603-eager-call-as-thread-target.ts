/**
 * AIO603 eager-call-as-thread-target: `Thread(target=work())`, `submit(work())`,
 * `to_thread(work())`: the function runs right here and its `None` is handed over.
 * Documentation: docs/rules/AIO603.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import { argument, rangeOf, unparenthesize } from '../core/syntax';
import { CALLABLE_APIS } from './helpers/callable-apis';
import { alwaysReturnsNone } from './helpers/returns';

export default defineRule({
  meta: {
    code: 'AIO603',
    name: 'eager-call-as-thread-target',
    category: 'threads-processes',
    defaultSeverity: 'warning',
    summary: 'A function is called where it should be passed: it runs in the calling thread and `None` is handed over.',
    triggers: ['Thread', 'multiprocessing', 'concurrent', 'asyncio', 'anyio', 'trio'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        const name = semantic.calleeName(call);
        const site = name ? CALLABLE_APIS.get(name) : undefined;
        if (!site?.worker) return;
        const target = argument(call, site.index, site.keyword);
        const inner = target ? unparenthesize(target) : undefined;
        if (inner?.type !== 'call') return;
        const calleeNode = inner.childForFieldName('function');
        const callee = calleeNode ? semantic.resolve(calleeNode) : undefined;
        if (callee?.kind !== 'function' || !alwaysReturnsNone(callee.fn, semantic)) return;
        const fn = callee.fn;
        const args = inner.childForFieldName('arguments');
        const argsText = args?.type === 'argument_list' ? args.text.slice(1, -1).trim() : '';
        const inAsync = semantic.asyncFunctionOf(call);
        context.report({
          fixes: separateFix(call, target!, inner, calleeNode!.text, args, site.keyword),
          node: inner,
          message: `\`${inner.text}\` calls \`${fn.name}\` right here${inAsync ? ', on the event loop thread,' : ''} and hands its result, \`None\`, to ${site.api}, which then has nothing to run; pass the function and its arguments separately (\`${calleeNode!.text}${argsText ? `, ${argsText}` : ''}\`)`,
          related: [{ range: rangeOf(fn.nameNode), message: `\`${fn.name}\` returns nothing, so its call is not a callable` }],
        });
      },
    };
  },
});

/**
 * `submit(work(3))` -> `submit(work, 3)` when the call is the last argument; `Thread(target=work(1))` ->
 * `Thread(target=work, args=(1,))` when the thread has no `args`/`kwargs` yet. Positional arguments only.
 */
function separateFix(call: Node, target: Node, inner: Node, callee: string, args: Node | null, keyword: string | undefined): Fix[] {
  if (args?.type !== 'argument_list' || args.namedChildren.some((a) => a.type !== 'comment' && (a.type === 'keyword_argument' || a.type.endsWith('splat')))) return [];
  const positional = args.namedChildren.filter((a) => a.type !== 'comment').map((a) => a.text);
  const outer = call.childForFieldName('arguments');
  const items = outer?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
  let newText: string;
  if (target.parent?.type === 'keyword_argument' && keyword) {
    if (items.some((a) => a.type === 'keyword_argument' && ['args', 'kwargs'].includes(a.childForFieldName('name')?.text ?? ''))) return [];
    newText = positional.length ? `${callee}, args=(${positional.join(', ')},)` : callee;
    return [{ title: `Pass \`${callee}\` and its arguments separately`, edits: [{ range: rangeOf(inner), newText }], safe: false }];
  }
  if (items[items.length - 1]?.id !== target.id) return [];
  newText = [callee, ...positional].join(', ');
  return [{ title: `Pass \`${callee}\` and its arguments separately`, edits: [{ range: rangeOf(inner), newText }], safe: false }];
}
