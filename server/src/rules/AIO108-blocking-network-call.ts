/**
 * AIO108 blocking-network-call: Blocking sockets, DNS lookups, SMTP or FTP in async code.
 * Documentation: docs/rules/AIO108.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO108',
    name: 'blocking-network-call',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'Blocking sockets, DNS lookups, SMTP or FTP in async code.',
  },
  groups: BLOCKING_CALLS.AIO108!,
  effect: 'waits for the network on the event loop thread',
});
