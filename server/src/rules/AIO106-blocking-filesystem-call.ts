/**
 * AIO106 blocking-filesystem-call: Synchronous filesystem calls (`os`, `os.path`, `shutil`, `glob`, `pathlib`) in async code.
 * Documentation: docs/rules/AIO106.md
 */
import { BLOCKING_CALLS } from './helpers/blocking-calls';
import { blockingCallRule } from './helpers/blocking-rule';

export default blockingCallRule({
  meta: {
    code: 'AIO106',
    name: 'blocking-filesystem-call',
    category: 'blocking-call',
    defaultSeverity: 'warning',
    summary: 'Synchronous filesystem calls (`os`, `os.path`, `shutil`, `glob`, `pathlib`) in async code.',
  },
  groups: BLOCKING_CALLS.AIO106!,
  effect: 'does filesystem I/O on the event loop thread',
});
