/**
 * AIO201 unawaited-coroutine: a coroutine function called as a statement of its own, without `await`.
 * Documentation: docs/rules/AIO201.md
 */
import { coroutineRule } from './helpers/coroutine-rule';

export default coroutineRule(
  {
    code: 'AIO201',
    name: 'unawaited-coroutine',
    category: 'missing-await',
    defaultSeverity: 'error',
    summary: 'A coroutine function is called without `await`, so its body never runs.',
  },
  ({ use, spelled }) =>
    use.kind === 'discarded'
      ? `\`${spelled}()\` creates a coroutine that is never awaited, so its body never runs (Python only warns "coroutine was never awaited" at garbage collection); add \`await\``
      : undefined,
);
