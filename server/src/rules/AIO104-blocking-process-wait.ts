/**
 * AIO104 blocking-process-wait: `os.wait*()` in async code: the event loop stops until a child process exits.
 * Documentation: docs/rules/AIO104.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO104',
    name: 'blocking-process-wait',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: '`os.wait*()` in async code: the event loop stops until a child process exits.',
  },
  groups: BLOCKING_CALLS.AIO104!,
  effect: 'blocks the event loop until a child process exits',
});
