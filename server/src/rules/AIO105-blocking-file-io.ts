/**
 * AIO105 blocking-file-io: Opening, reading or writing a file synchronously in async code.
 * Documentation: docs/rules/AIO105.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO105',
    name: 'blocking-file-io',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'Opening, reading or writing a file synchronously in async code.',
  },
  groups: BLOCKING_CALLS.AIO105!,
  effect: 'does disk I/O on the event loop thread',
});
