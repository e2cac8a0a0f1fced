/**
 * AIO203 coroutine-in-condition: a coroutine call tested for truth (`if self.is_stale():`) instead of its result.
 * Documentation: docs/rules/AIO203.md
 */
import { coroutineRule } from './helpers/coroutine-rule';

export default coroutineRule(
  {
    code: 'AIO203',
    name: 'coroutine-in-condition',
    category: 'missing-await',
    defaultSeverity: 'error',
    summary: 'A coroutine object is tested for truth; it is always true and the function never runs.',
  },
  ({ use, spelled }) =>
    use.kind === 'condition'
      ? `\`${spelled}()\` is tested for truth without \`await\`: a coroutine object is always true, and \`${spelled}\` never runs; write \`await ${spelled}(...)\``
      : undefined,
);
