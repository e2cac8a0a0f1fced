/**
 * AIO706 sync-with-on-async-context-manager: `with asyncio.Lock():`, `with asyncio.timeout(1):`,
 * `with aiohttp.ClientSession() as s:` where only `async with` works.
 * Documentation: docs/rules/AIO706.md
 */
import { defineRule } from '../core/rule';
import { hasAsyncKeyword, rangeOf } from '../core/syntax';
import { managerKind, withManagers } from './helpers/context-managers';

export default defineRule({
  meta: {
    code: 'AIO706',
    name: 'sync-with-on-async-context-manager',
    category: 'event-loop-misuse',
    defaultSeverity: 'warning',
    summary: 'A plain `with` on a context manager that supports only `async with`: it raises TypeError.',
    triggers: ['asyncio', 'asyncpg', 'aiohttp', 'httpx', 'anyio', 'trio', 'aiofiles', 'aiosqlite', '__aenter__'],
  },
  create(context) {
    const { semantic } = context;
    return {
      with_statement(statement) {
        if (hasAsyncKeyword(statement)) return;
        const managers = withManagers(statement);
        const single = managers.length === 1;
        for (const manager of managers) {
          const { kind, what } = managerKind(manager, semantic);
          if (kind !== 'async-only') continue;
          const inAsync = !!semantic.asyncFunctionOf(statement);
          context.report({
            fixes: inAsync && single ? [{ title: 'Use `async with`', edits: [{ range: { start: rangeOf(statement).start, end: rangeOf(statement).start }, newText: 'async ' }], safe: true }] : [],
            node: manager,
            message: `\`${what}\` supports only \`async with\`: a plain \`with\` looks for \`__enter__\` and raises TypeError; write \`async with\`${inAsync ? '' : ' (inside an `async def`)'}`,
          });
        }
      },
    };
  },
});
