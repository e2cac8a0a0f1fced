/**
 * AIO707 async-with-on-sync-context-manager: `async with open(...)`, `async with threading.Lock()`:
 * these objects have no `__aenter__`.
 * Documentation: docs/rules/AIO707.md
 */
import { defineRule } from '../core/rule';
import { hasAsyncKeyword, rangeOf } from '../core/syntax';
import { managerKind, withManagers } from './helpers/context-managers';

export default defineRule({
  meta: {
    code: 'AIO707',
    name: 'async-with-on-sync-context-manager',
    category: 'event-loop-misuse',
    defaultSeverity: 'warning',
    summary: '`async with` on a context manager that supports only `with`: it raises TypeError.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      with_statement(statement) {
        if (!hasAsyncKeyword(statement)) return;
        const managers = withManagers(statement);
        const single = managers.length === 1;
        for (const manager of managers) {
          const { kind, what } = managerKind(manager, semantic);
          if (kind !== 'sync-only') continue;
          const asyncKeyword = statement.firstChild!;
          const withKeyword = statement.child(1);
          context.report({
            fixes:
              single && withKeyword
                ? [{ title: 'Use a plain `with`', edits: [{ range: { start: rangeOf(asyncKeyword).start, end: rangeOf(withKeyword).start }, newText: '' }], safe: false }]
                : [],
            node: manager,
            message: `\`${what}\` supports only a plain \`with\`: \`async with\` looks for \`__aenter__\` and raises TypeError; use \`with\` (moving blocking work to a thread) or an async counterpart`,
          });
        }
      },
    };
  },
});
