/**
 * AIO109 blocking-database-call: A synchronous database or cache driver used in async code.
 * Documentation: docs/rules/AIO109.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO109',
    name: 'blocking-database-call',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'A synchronous database or cache driver used in async code.',
  },
  groups: BLOCKING_CALLS.AIO109!,
  effect: 'waits for the database on the event loop thread',
});
