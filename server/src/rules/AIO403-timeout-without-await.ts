/**
 * AIO403 timeout-without-await: a timeout or cancel scope (`asyncio.timeout`, `trio.move_on_after`,
 * `anyio.fail_after`, `CancelScope()` ...) whose body never awaits, so it can never cancel anything.
 * Documentation: docs/rules/AIO403.md
 */
import type { Node } from 'web-tree-sitter';
import { defineRule } from '../core/rule';
import { forEachDescendant, hasAsyncKeyword, rangeOf } from '../core/syntax';
import { withManagers } from './helpers/context-managers';
import { cancelScopeName, findCheckpoint, findYield } from './helpers/cancel-scopes';

export default defineRule({
  meta: {
    code: 'AIO403',
    name: 'timeout-without-await',
    category: 'cancellation',
    defaultSeverity: 'warning',
    summary: 'A timeout or cancel scope whose body never awaits: there is no point at which it could cancel anything.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      with_statement(statement) {
        const fn = semantic.asyncFunctionOf(statement);
        const body = statement.childForFieldName('body');
        if (!fn || !body) return;
        const managers = withManagers(statement);
        // The other managers of an `async with` enter and exit inside the scope, and may suspend there.
        if (hasAsyncKeyword(statement) && managers.length > 1) return;
        // A `yield` suspends the function too (and is a problem of its own inside a scope).
        // `async with asyncio.timeout()` does not suspend on entry or exit: only what is inside it counts.
        const onlyScopes = (inner: Node) => withManagers(inner).every((m) => !!cancelScopeName(m, semantic));
        if (findCheckpoint(body, onlyScopes) || findYield(body)) return;
        for (const manager of managers) {
          const name = cancelScopeName(manager, semantic);
          if (!name || scopeObjectUsed(manager, fn.node)) continue;
          const isScope = name.endsWith('.CancelScope');
          const library = name.split('.')[0]!;
          const toThread = library === 'asyncio' ? 'asyncio.to_thread(...)' : `${library}.to_thread.run_sync(...)`;
          const effect = isScope
            ? 'so nothing in it can ever be cancelled'
            : 'so this timeout can never fire and the code inside runs to the end however long it takes';
          context.report({
            node: manager,
            message: `\`${name}()\` in \`async def ${fn.name}\` has no \`await\`, \`async for\` or \`async with\` in its body: cancellation is only delivered where the task is suspended, ${effect}; make the slow work awaitable (for blocking calls, \`await ${toThread}\`), or remove the ${isScope ? 'scope' : 'timeout'}`,
            related: [{ range: rangeOf(body), message: 'the body never suspends' }],
          });
        }
      },
    };
  },
});

/**
 * `async with asyncio.timeout(1) as cm:` with `cm` used again (`cm.expired()`, `cm.reschedule()`,
 * `scope.cancelled_caught`): the code is about the scope object itself (tests of timeouts, mostly).
 */
function scopeObjectUsed(manager: Node, fnNode: Node): boolean {
  const pattern = manager.parent;
  const alias = pattern?.type === 'as_pattern' ? pattern.childForFieldName('alias')?.namedChildren[0] : undefined;
  const body = fnNode.childForFieldName('body');
  if (alias?.type !== 'identifier' || !body) return false;
  let used = false;
  forEachDescendant(body, (node) => {
    if (node.type === 'identifier' && node.text === alias.text && node.id !== alias.id) used = true;
    return !used;
  });
  return used;
}
