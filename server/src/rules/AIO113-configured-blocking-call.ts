/**
 * AIO113 configured-blocking-call: a call the project's configuration lists as blocking
 * (`[tool.async-pitfalls.blocking-calls]` in pyproject.toml) made in async code.
 * Documentation: docs/rules/AIO113.md
 */
import { defineRule } from '../core/rule';
import { rangeOf } from '../core/syntax';
import { describeCall, fixesFor } from './helpers/blocking-rule';
import { canAwaitHere } from './helpers/fixes';

/** `legacy.db.*` -> one name part; `legacy.**` -> any number of parts. */
export function patternToRegExp(pattern: string): RegExp {
  const body = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^.]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

export default defineRule({
  meta: {
    code: 'AIO113',
    name: 'configured-blocking-call',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'A call that the project configuration lists as blocking is made in async code.',
    triggers: ['async'],
  },
  create(context) {
    const { semantic, options } = context;
    const configured = Object.entries(options.extraBlockingCalls ?? {}).map(([pattern, instead]) => ({ pattern, instead, regex: patternToRegExp(pattern) }));
    if (configured.length === 0) return {};
    return {
      call(call) {
        const asyncFn = semantic.asyncFunctionOf(call);
        if (!asyncFn || semantic.isAwaited(call)) return;
        const name = semantic.calleeName(call);
        const entry = name ? configured.find((c) => c.regex.test(name)) : undefined;
        if (!name || !entry) return;
        context.report({
          node: call,
          message: `${describeCall(call, name)} in \`async def ${asyncFn.name}\` is blocking (listed as \`"${entry.pattern}"\` in the project's \`[tool.async-pitfalls.blocking-calls]\`): it stalls the event loop while it runs${entry.instead ? `; ${entry.instead}` : ''}`,
          related: [{ range: rangeOf(asyncFn.nameNode), message: `\`${asyncFn.name}\` is a coroutine function: its body runs on the event loop thread` }],
          fixes: canAwaitHere(call, semantic) ? fixesFor(call, semantic, undefined) : [],
        });
      },
    };
  },
});
