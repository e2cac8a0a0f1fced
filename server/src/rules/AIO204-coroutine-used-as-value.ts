/**
 * AIO204 coroutine-used-as-value: a coroutine call used as if it were its result (`fetch().json()`).
 * Documentation: docs/rules/AIO204.md
 */
import { coroutineRule } from './helpers/coroutine-rule';

export default coroutineRule(
  {
    code: 'AIO204',
    name: 'coroutine-used-as-value',
    category: 'missing-await',
    defaultSeverity: 'error',
    summary: 'A coroutine object is used as a value (attribute, arithmetic, iteration) instead of its result.',
  },
  ({ use, spelled }) =>
    use.kind === 'value'
      ? `\`${spelled}()\` returns a coroutine, not its result, and that coroutine is ${use.how} here; write \`(await ${spelled}(...))\``
      : undefined,
);
