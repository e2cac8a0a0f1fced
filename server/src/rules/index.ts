/**
 * The registry of rules, sorted by code. Adding a rule: write its module (with the trigger words
 * the code it reports on must contain, `meta.triggers`; see core/prefilter.ts), add it here, add
 * docs/rules/<CODE>.md and test/fixtures/rules/<CODE>.py.
 */
import type { Rule } from '../core/rule';
import AIO101 from './AIO101-blocking-sleep';
import AIO102 from './AIO102-blocking-http-call';
import AIO103 from './AIO103-blocking-subprocess';
import AIO104 from './AIO104-blocking-process-wait';
import AIO105 from './AIO105-blocking-file-io';
import AIO106 from './AIO106-blocking-filesystem-call';
import AIO107 from './AIO107-blocking-input';
import AIO108 from './AIO108-blocking-network-call';
import AIO109 from './AIO109-blocking-database-call';
import AIO110 from './AIO110-blocking-sync-primitive';
import AIO111 from './AIO111-blocking-future-wait';
import AIO112 from './AIO112-indirect-blocking-call';
import AIO113 from './AIO113-configured-blocking-call';
import AIO201 from './AIO201-unawaited-coroutine';
import AIO202 from './AIO202-coroutine-never-awaited';
import AIO203 from './AIO203-coroutine-in-condition';
import AIO204 from './AIO204-coroutine-used-as-value';
import AIO301 from './AIO301-dangling-task';
import AIO302 from './AIO302-task-never-awaited';
import AIO303 from './AIO303-task-set-without-discard';
import AIO304 from './AIO304-gather-exceptions-unchecked';
import AIO305 from './AIO305-dropped-executor-future';
import AIO306 from './AIO306-coroutine-passed-to-wait';
import AIO307 from './AIO307-cancel-without-await';
import AIO401 from './AIO401-cancellation-swallowed';
import AIO402 from './AIO402-control-flow-in-finally';
import AIO403 from './AIO403-timeout-without-await';
import AIO501 from './AIO501-control-flow-in-taskgroup';
import AIO502 from './AIO502-single-task-taskgroup';
import AIO503 from './AIO503-busy-wait-polling';
import AIO504 from './AIO504-loop-without-await';
import AIO601 from './AIO601-cpu-bound-work-on-thread';
import AIO602 from './AIO602-thread-lock-across-await';
import AIO603 from './AIO603-eager-call-as-thread-target';
import AIO604 from './AIO604-asyncio-from-thread';
import AIO605 from './AIO605-thread-never-joined';
import AIO606 from './AIO606-unpicklable-process-target';
import AIO607 from './AIO607-process-without-main-guard';
import AIO608 from './AIO608-executor-never-shut-down';
import AIO701 from './AIO701-asyncio-run-in-async';
import AIO702 from './AIO702-get-event-loop-in-async';
import AIO703 from './AIO703-cached-coroutine-function';
import AIO704 from './AIO704-async-function-to-sync-api';
import AIO705 from './AIO705-await-on-sync-function';
import AIO706 from './AIO706-sync-with-on-async-context-manager';
import AIO707 from './AIO707-async-with-on-sync-context-manager';
import AIO708 from './AIO708-async-function-without-await';
import AIO709 from './AIO709-deprecated-asyncio-api';

export const RULES: readonly Rule[] = [
  AIO101, AIO102, AIO103, AIO104, AIO105, AIO106, AIO107, AIO108, AIO109, AIO110, AIO111, AIO112, AIO113,
  AIO201, AIO202, AIO203, AIO204,
  AIO301, AIO302, AIO303, AIO304, AIO305, AIO306, AIO307,
  AIO401, AIO402, AIO403,
  AIO501, AIO502, AIO503, AIO504,
  AIO601, AIO602, AIO603, AIO604, AIO605, AIO606, AIO607, AIO608,
  AIO701, AIO702, AIO703, AIO704, AIO705, AIO706, AIO707, AIO708, AIO709,
];
