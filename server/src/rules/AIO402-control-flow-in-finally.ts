/**
 * AIO402 control-flow-in-finally: `return`, `break` or `continue` in a `finally:` block in async code,
 * which throws away the exception in flight, cancellation included.
 * Documentation: docs/rules/AIO402.md
 */
import { defineRule } from '../core/rule';
import type { RelatedInformation } from '../core/types';
import { rangeOf } from '../core/syntax';
import { cancellationOf, findCheckpoint, jumpsOutOf } from './helpers/cancel-scopes';

const KEYWORD: Record<string, string> = {
  return_statement: 'return',
  break_statement: 'break',
  continue_statement: 'continue',
};

export default defineRule({
  meta: {
    code: 'AIO402',
    name: 'control-flow-in-finally',
    category: 'cancellation',
    // The statement silently discards every exception, whatever the code meant; Python 3.14 warns at compile time (PEP 765).
    defaultSeverity: 'error',
    summary: '`return`, `break` or `continue` in a `finally:` block discards the exception in flight, `CancelledError` included.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic } = context;
    return {
      finally_clause(clause) {
        const fn = semantic.asyncFunctionOf(clause);
        const block = clause.namedChildren.find((c) => c.type === 'block');
        if (!fn || !block) return;
        const tryStatement = semantic.parentOf(clause);
        const tryBody = tryStatement?.childForFieldName('body');
        const checkpoint = tryBody ? findCheckpoint(tryBody) : undefined;
        for (const jump of jumpsOutOf(block)) {
          const keyword = KEYWORD[jump.type] ?? jump.type;
          const related: RelatedInformation[] = checkpoint
            ? [{ range: rangeOf(checkpoint), message: 'a cancellation delivered here is discarded by the `finally:`' }]
            : [];
          const instead = keyword === 'return'
            ? 'return after the `try` statement instead'
            : `move the \`${keyword}\` after the \`try\` statement (or into the \`try\` body)`;
          context.report({
            node: jump,
            message: `\`${keyword}\` in the \`finally:\` block of \`async def ${fn.name}\` discards any exception in flight, \`${cancellationOf(semantic)}\` included: a cancelled task carries on as if nothing had happened and errors vanish without a trace; ${instead}`,
            related,
          });
        }
      },
    };
  },
});
