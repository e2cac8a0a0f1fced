/**
 * AIO102 blocking-http-call: A synchronous HTTP request in async code: every other task waits for the response.
 * Documentation: docs/rules/AIO102.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO102',
    name: 'blocking-http-call',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'A synchronous HTTP request in async code: every other task waits for the response.',
  },
  groups: BLOCKING_CALLS.AIO102!,
  effect: 'waits for the network on the event loop thread',
});
