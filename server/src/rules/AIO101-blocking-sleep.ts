/**
 * AIO101 blocking-sleep: `time.sleep()` in async code: it freezes the event loop instead of pausing one task.
 * Documentation: docs/rules/AIO101.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO101',
    name: 'blocking-sleep',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: '`time.sleep()` in async code: it freezes the event loop instead of pausing one task.',
  },
  groups: BLOCKING_CALLS.AIO101!,
  effect: 'blocks the whole event loop thread while it sleeps',
  asyncTwin: 'sleep',
});
