/**
 * The deprecated and removed asyncio APIs AIO709 knows, with the CPython versions of each step
 * (checked against the "What's New" pages and the library reference of 3.7 to 3.14) and what to
 * use instead, worded for the oldest Python the checked code must run on.
 */

export type Version = readonly [number, number];

export function atLeast(version: Version, minimum: Version): boolean {
  return version[0] > minimum[0] || (version[0] === minimum[0] && version[1] >= minimum[1]);
}

export function show(version: Version): string {
  return `${version[0]}.${version[1]}`;
}

export interface DeprecatedApi {
  /** How the message names it. */
  display: string;
  deprecated: Version;
  /** The release that removed it, or the one its removal is scheduled for (`planned`). */
  removed?: Version;
  planned?: boolean;
  /** What to do instead, given the target version. */
  replacement(target: Version): string;
}

/** asyncio implementation modules whose public names asyncio re-exports. */
const SUBMODULES = /^asyncio\.(?:base_events|coroutines|events|locks|queues|streams|subprocess|tasks|unix_events|windows_events)\./;

/** `asyncio.locks.Lock` -> `asyncio.Lock`. */
export function publicAsyncioName(name: string): string {
  return name.replace(SUBMODULES, 'asyncio.');
}

const POLICY_REPLACEMENT = (target: Version): string => `the whole event-loop policy system goes away; ${policyAlternative(target)}`;

function policyAlternative(target: Version): string {
  if (atLeast(target, [3, 12])) {
    return 'choose the loop with `loop_factory` instead: `asyncio.run(main(), loop_factory=asyncio.SelectorEventLoop)` or `asyncio.Runner(loop_factory=...)` (for uvloop, `uvloop.run(main())`)';
  }
  if (atLeast(target, [3, 11])) {
    return 'choose the loop with `with asyncio.Runner(loop_factory=...) as runner: runner.run(main())` instead (`asyncio.run(..., loop_factory=...)` needs Python 3.12, newer than the target 3.11)';
  }
  return `the replacements, \`asyncio.Runner(loop_factory=...)\` (3.11) and \`asyncio.run(..., loop_factory=...)\` (3.12), do not exist on Python ${show(target)}, the target version: until it is raised, create the loop yourself (\`loop = asyncio.SelectorEventLoop()\`, \`uvloop.new_event_loop()\`) and run it with \`loop.run_until_complete(main())\``;
}

const WATCHER_REPLACEMENT = (): string =>
  'delete it (since Python 3.8 the default child watcher works for event loops in any thread, and 3.14 watches child processes without any watcher API)';

function watcher(display: string): DeprecatedApi {
  return { display, deprecated: [3, 12], removed: [3, 14], replacement: WATCHER_REPLACEMENT };
}

function policy(display: string): DeprecatedApi {
  return { display, deprecated: [3, 14], removed: [3, 16], planned: true, replacement: POLICY_REPLACEMENT };
}

/** Deprecated names, reported wherever the code refers to them. */
export const DEPRECATED_NAMES: ReadonlyMap<string, DeprecatedApi> = new Map([
  [
    'asyncio.coroutine',
    {
      display: '`@asyncio.coroutine`',
      deprecated: [3, 8],
      removed: [3, 11],
      replacement: () => 'rewrite the generator-based coroutine as an `async def`, with `await` in place of `yield from`',
    },
  ],
  [
    'asyncio.Task.all_tasks',
    {
      display: '`asyncio.Task.all_tasks()`',
      deprecated: [3, 7],
      removed: [3, 9],
      replacement: () => 'use `asyncio.all_tasks()`, which must run in the event loop and returns only the tasks not yet done',
    },
  ],
  [
    'asyncio.Task.current_task',
    {
      display: '`asyncio.Task.current_task()`',
      deprecated: [3, 7],
      removed: [3, 9],
      replacement: () => 'use `asyncio.current_task()`, which raises RuntimeError instead of returning None when no loop is running',
    },
  ],
  ['asyncio.get_child_watcher', watcher('`asyncio.get_child_watcher()`')],
  ['asyncio.set_child_watcher', watcher('`asyncio.set_child_watcher()`')],
  ['asyncio.AbstractChildWatcher', watcher('`asyncio.AbstractChildWatcher`')],
  ['asyncio.SafeChildWatcher', watcher('`asyncio.SafeChildWatcher`')],
  ['asyncio.FastChildWatcher', watcher('`asyncio.FastChildWatcher`')],
  ['asyncio.MultiLoopChildWatcher', watcher('`asyncio.MultiLoopChildWatcher`')],
  ['asyncio.ThreadedChildWatcher', watcher('`asyncio.ThreadedChildWatcher`')],
  ['asyncio.PidfdChildWatcher', watcher('`asyncio.PidfdChildWatcher`')],
  [
    'asyncio.iscoroutinefunction',
    {
      display: '`asyncio.iscoroutinefunction()`',
      deprecated: [3, 14],
      removed: [3, 16],
      planned: true,
      replacement: () => 'use `inspect.iscoroutinefunction()`',
    },
  ],
  ['asyncio.get_event_loop_policy', policy('`asyncio.get_event_loop_policy()`')],
  ['asyncio.set_event_loop_policy', policy('`asyncio.set_event_loop_policy()`')],
  ['asyncio.AbstractEventLoopPolicy', policy('`asyncio.AbstractEventLoopPolicy`')],
  ['asyncio.DefaultEventLoopPolicy', policy('`asyncio.DefaultEventLoopPolicy`')],
  ['asyncio.WindowsSelectorEventLoopPolicy', policy('`asyncio.WindowsSelectorEventLoopPolicy`')],
  ['asyncio.WindowsProactorEventLoopPolicy', policy('`asyncio.WindowsProactorEventLoopPolicy`')],
]);

/**
 * The high-level functions and classes whose `loop` parameter was deprecated in 3.8 and removed
 * in 3.10 (bpo-42392). Low-level APIs (`ensure_future`, `run_coroutine_threadsafe`, `wrap_future`,
 * `all_tasks`, `current_task`, `Future`, `Task`, `StreamReader`) still take a loop and are not here.
 */
export const LOOP_PARAMETER_REMOVED: ReadonlyMap<string, 'function' | 'class'> = new Map([
  ...['sleep', 'gather', 'shield', 'wait_for', 'wait', 'as_completed', 'open_connection', 'start_server',
    'open_unix_connection', 'start_unix_server', 'create_subprocess_exec', 'create_subprocess_shell',
  ].map((n): [string, 'function'] => [`asyncio.${n}`, 'function']),
  ...['Queue', 'LifoQueue', 'PriorityQueue', 'Lock', 'Event', 'Condition', 'Semaphore', 'BoundedSemaphore']
    .map((n): [string, 'class'] => [`asyncio.${n}`, 'class']),
]);

/** "was deprecated in Python 3.8 and removed in 3.11", "is deprecated since Python 3.14 (removal planned for 3.16)". */
export function lifecycle(api: Pick<DeprecatedApi, 'deprecated' | 'removed' | 'planned'>): string {
  if (!api.removed) return `is deprecated since Python ${show(api.deprecated)}`;
  if (api.planned) return `is deprecated since Python ${show(api.deprecated)} (removal planned for ${show(api.removed)})`;
  return `was deprecated in Python ${show(api.deprecated)} and removed in ${show(api.removed)}`;
}
