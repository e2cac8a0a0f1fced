/**
 * AIO103 blocking-subprocess: Starting or waiting for a subprocess synchronously in async code.
 * Documentation: docs/rules/AIO103.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO103',
    name: 'blocking-subprocess',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'Starting or waiting for a subprocess synchronously in async code.',
  },
  groups: BLOCKING_CALLS.AIO103!,
  effect: 'blocks the event loop until the process starts or finishes',
});
