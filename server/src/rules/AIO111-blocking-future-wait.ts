/**
 * AIO111 blocking-future-wait: Waiting on a `concurrent.futures.Future` synchronously in async code.
 * Documentation: docs/rules/AIO111.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO111',
    name: 'blocking-future-wait',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'Waiting on a `concurrent.futures.Future` synchronously in async code.',
  },
  groups: BLOCKING_CALLS.AIO111!,
  effect: 'blocks the event loop until the future completes',
});
