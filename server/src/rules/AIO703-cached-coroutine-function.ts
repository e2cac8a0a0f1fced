/**
 * AIO703 cached-coroutine-function: `functools.lru_cache` / `cache` / `cached_property` on an
 * `async def`, which caches a coroutine object that can be awaited only once.
 * Documentation: docs/rules/AIO703.md
 */
import type { Node } from 'web-tree-sitter';
import type { Fix } from '../core/fix';
import { defineRule } from '../core/rule';
import { rangeOf } from '../core/syntax';

const CACHES = new Set(['functools.lru_cache', 'functools.cache', 'functools.cached_property']);

export default defineRule({
  meta: {
    code: 'AIO703',
    name: 'cached-coroutine-function',
    category: 'event-loop-misuse',
    defaultSeverity: 'warning',
    summary: 'A functools cache on an `async def` caches a coroutine object, which can be awaited only once.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      function_definition(node) {
        const fn = semantic.scopeOfNode(node)?.fn;
        if (!fn?.isAsync) return;
        for (const decorator of fn.decorators) {
          const name = semantic.decoratorName(decorator);
          if (!name || !CACHES.has(name)) continue;
          context.report({
            node: decorator,
            message: `\`@${name.replace('functools.', '')}\` on \`async def ${fn.name}\` caches the coroutine object, not its result: the second call gets the same coroutine, already awaited, and awaiting it raises "RuntimeError: cannot reuse already awaited coroutine"; cache the awaited result instead (a dict guarded by an \`asyncio.Lock\`, or \`async_lru.alru_cache\`)`,
            related: [{ range: rangeOf(fn.nameNode), message: `\`${fn.name}\` is a coroutine function` }],
            fixes: removeDecorator(decorator, context.source, name),
          });
        }
      },
    };
  },
});

/** Deletes a decorator that sits on a line of its own (the function keeps working, uncached). */
function removeDecorator(decorator: Node, source: string, name: string): Fix[] {
  const { row, column } = decorator.startPosition;
  const lines = source.split(/\r?\n/);
  const line = lines[row] ?? '';
  const next = lines[row + 1];
  if (line.slice(0, column).trim() !== '' || line.slice(decorator.endPosition.column).trim() !== '' || decorator.endPosition.row !== row) return [];
  if (next === undefined || next.slice(0, column) !== line.slice(0, column)) return [];
  return [
    {
      title: `Remove \`@${name.replace('functools.', '')}\` (it cannot cache a coroutine's result)`,
      edits: [{ range: { start: { line: row, character: column }, end: { line: row + 1, character: column } }, newText: '' }],
      // Every call now does the work again: cache the awaited result instead if that matters.
      safe: false,
    },
  ];
}
