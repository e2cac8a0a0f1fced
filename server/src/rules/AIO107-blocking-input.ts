/**
 * AIO107 blocking-input: `input()` in async code: the event loop stops until the user types a line.
 * Documentation: docs/rules/AIO107.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO107',
    name: 'blocking-input',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: '`input()` in async code: the event loop stops until the user types a line.',
  },
  groups: BLOCKING_CALLS.AIO107!,
  effect: 'stops the event loop until the user types a line',
});
