/**
 * AIO110 blocking-sync-primitive: Waiting on a `threading`/`queue`/`multiprocessing` primitive in async code.
 * Documentation: docs/rules/AIO110.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO110',
    name: 'blocking-sync-primitive',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'Waiting on a `threading`/`queue`/`multiprocessing` primitive in async code.',
  },
  groups: BLOCKING_CALLS.AIO110!,
  effect: 'blocks the event loop thread until another thread lets it go',
});
