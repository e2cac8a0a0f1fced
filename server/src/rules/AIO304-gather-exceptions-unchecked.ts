/**
 * AIO304 gather-exceptions-unchecked: `await asyncio.gather(..., return_exceptions=True)` whose results are dropped or never checked for exceptions.
 * Documentation: docs/rules/AIO304.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule, type RuleContext } from '../core/rule';
import { keywordArgument, logicalParent, rangeOf, sameNode, unparenthesize } from '../core/syntax';
import { isTaskFactoryCall } from './helpers/task-handles';
import { classifyUse, usesOfBinding } from './helpers/usage';

/**
 * Names of the calls and functions of best-effort cleanup, where swallowing every error is what
 * `return_exceptions=True` is for (`await gather(*(c.close() for c in conns), return_exceptions=True)`).
 */
const CLEANUP = /close|shutdown|stop|clean|teardown|disconnect|cancel|terminate|kill|release|dispose|finali[sz]e|unsubscribe|exit|unregister|drain/i;

/** Calls that check what a result is: an exception check can hardly be written without one. */
const TYPE_CHECKS = new Set(['isinstance', 'issubclass', 'type']);

export default defineRule({
  meta: {
    code: 'AIO304',
    name: 'gather-exceptions-unchecked',
    category: 'unhandled-task-error',
    defaultSeverity: 'warning',
    summary: '`asyncio.gather(..., return_exceptions=True)` returns exceptions as list items, and nothing checks them: failures vanish silently.',
    triggers: ['asyncio'],
  },
  create(context) {
    const { semantic } = context;
    return {
      call(call) {
        if (semantic.calleeName(call) !== 'asyncio.gather') return;
        const flag = keywordArgument(call, 'return_exceptions');
        if (flag?.type !== 'true' || !semantic.isAwaited(call)) return;
        const { parent: awaitNode } = logicalParent(call, semantic.parentOf);
        if (awaitNode?.type !== 'await') return;
        const use = classifyUse(awaitNode, semantic);
        const targets = use.kind === 'assigned' ? use.targets : use.kind === 'consumed' ? unpackedTargets(awaitNode, semantic) : undefined;
        if (use.kind === 'discarded' || (targets && targets.every((t) => usesOfBinding(t, semantic).length === 0))) {
          const work = freshWork(call, context);
          if (!work || inCleanup(call, work, context)) return;
          const kept = targets ? `is stored in \`${targets.map((t) => t.text).join('`, `')}\`, which is never used` : 'is dropped';
          context.report({
            node: call,
            fixes: removeFlagFix(call, flag),
            message: `\`return_exceptions=True\` makes \`asyncio.gather()\` return the exceptions of ${work} as items of its result list, and that list ${kept}: every failure is silently lost; check the results (\`isinstance(result, BaseException)\`) and log or re-raise the exceptions, or drop \`return_exceptions=True\` so the first one propagates`,
          });
          return;
        }
        if (!targets || targets.length === 0) return;
        const uses = targets.flatMap((t) => usesOfBinding(t, semantic));
        // Returned, stored, passed to a function or awaited: someone else may check the exceptions.
        if (uses.some((u) => handsOn(u, context))) return;
        if (checksTypes(call, context)) return;
        const names = targets.map((t) => `\`${t.text}\``).join(', ');
        context.report({
          node: call,
          fixes: removeFlagFix(call, flag),
          message: `with \`return_exceptions=True\`, ${names} may hold exceptions in place of results, but nothing here checks for them: a failure flows on as if it were a result; test each item with \`isinstance(item, BaseException)\` and handle it, or drop \`return_exceptions=True\` so the first exception propagates`,
        });
      },
    };
  },
});

/** `a, b = await gather(...)`: the names of an unpacking whose elements are all plain names. */
function unpackedTargets(awaitNode: Node, semantic: RuleContext['semantic']): Node[] | undefined {
  const { parent, child } = logicalParent(awaitNode, semantic.parentOf);
  if (parent?.type !== 'assignment' || !sameNode(parent.childForFieldName('right'), child)) return undefined;
  const left = parent.childForFieldName('left');
  if (!left || !['pattern_list', 'tuple_pattern', 'list_pattern'].includes(left.type)) return undefined;
  const names = left.namedChildren.filter((c) => c.type !== 'comment');
  if (names.some((n) => n.type !== 'identifier')) return undefined;
  const scope = semantic.scopeAt(left);
  if (scope.kind === 'module' || scope.kind === 'class' || names.some((n) => scope.globals.has(n.text) || scope.nonlocals.has(n.text))) return undefined;
  return names;
}

/**
 * A description of what the gather starts, when every argument is new work (coroutine calls, new
 * tasks, or a starred comprehension of them). Existing tasks passed by name are usually being
 * collected after `cancel()`, where ignoring their exceptions is the point.
 */
function freshWork(call: Node, { semantic }: RuleContext): string | undefined {
  const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment' && a.type !== 'keyword_argument') ?? [];
  if (args.length === 0) return undefined;
  const spelled: string[] = [];
  for (const arg of args) {
    let expr = unparenthesize(arg);
    if (expr.type === 'list_splat') {
      const inner = expr.namedChildren[0];
      const comprehension = inner ? unparenthesize(inner) : undefined;
      if (!comprehension || !['list_comprehension', 'generator_expression', 'set_comprehension'].includes(comprehension.type)) return undefined;
      const body = comprehension.childForFieldName('body');
      if (!body) return undefined;
      expr = unparenthesize(body);
    }
    if (expr.type !== 'call') return undefined;
    if (!semantic.coroutineCallee(expr) && !isTaskFactoryCall(expr, semantic)) return undefined;
    spelled.push(`\`${(expr.childForFieldName('function')?.text ?? 'call').replace(/\s+/g, '')}()\``);
  }
  const unique = [...new Set(spelled)];
  return unique.length > 3 ? `${unique.slice(0, 3).join(', ')}, ...` : unique.join(', ');
}

/** Best-effort cleanup: in a `finally`/`except`, in a closing function, or gathering closing calls. */
function inCleanup(call: Node, work: string, { semantic }: RuleContext): boolean {
  if (CLEANUP.test(work)) return true;
  const fn = semantic.enclosingFunction(call);
  if (fn && CLEANUP.test(fn.name)) return true;
  for (let p = semantic.parentOf(call); p && !sameNode(p, fn?.node); p = semantic.parentOf(p)) {
    if (p.type === 'finally_clause' || p.type === 'except_clause') return true;
  }
  return false;
}

function handsOn(use: Node, { semantic }: RuleContext): boolean {
  const kind = classifyUse(use, semantic).kind;
  return kind === 'awaited' || kind === 'consumed' || kind === 'assigned';
}

/** An `isinstance`/`issubclass`/`type` call after the gather in the same function: the results are probably checked. */
function checksTypes(call: Node, { semantic }: RuleContext): boolean {
  const fn = semantic.enclosingFunction(call);
  const body = fn ? fn.node.childForFieldName('body') : semantic.root;
  if (!body) return true;
  let found = false;
  semantic.forEachDescendant(body, (node) => {
    if (found) return false;
    if (node.type === 'call' && node.startIndex > call.endIndex) {
      const name = semantic.calleeName(node);
      if (name && TYPE_CHECKS.has(name)) found = true;
    }
    return true;
  });
  return found;
}

/** Deletes `return_exceptions=True` with the comma that separates it from its neighbour. */
function removeFlagFix(call: Node, flag: Node): Fix[] {
  const keyword = flag.parent;
  const args = call.childForFieldName('arguments');
  if (keyword?.type !== 'keyword_argument' || !args) return [];
  const siblings = args.namedChildren.filter((a) => a.type !== 'comment');
  const index = siblings.findIndex((a) => sameNode(a, keyword));
  const previous = siblings[index - 1];
  const next = siblings[index + 1];
  if (args.namedChildren.some((a) => a.type === 'comment')) return [];
  const range = previous
    ? { start: rangeOf(previous).end, end: rangeOf(keyword).end }
    : next
      ? { start: rangeOf(keyword).start, end: rangeOf(next).start }
      : rangeOf(keyword);
  return [
    {
      title: 'Remove `return_exceptions=True` (the first exception propagates)',
      edits: [{ range, newText: '' }],
      // The caller now gets the first exception instead of a list; the other awaitables keep running.
      safe: false,
    },
  ];
}
