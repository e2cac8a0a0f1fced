/** Calls that start an event loop and run it until a coroutine finishes (or forever). */
export const LOOP_RUNNERS: ReadonlyMap<string, string> = new Map([
  ['asyncio.run', 'asyncio.run'],
  ['asyncio.AbstractEventLoop.run_until_complete', 'loop.run_until_complete'],
  ['asyncio.AbstractEventLoop.run_forever', 'loop.run_forever'],
  ['asyncio.Runner.run', 'runner.run'],
  ['trio.run', 'trio.run'],
  ['anyio.run', 'anyio.run'],
]);

/** Calls by which a sync function finds out whether a loop is already running (and so avoids starting one). */
export const RUNNING_LOOP_CHECKS: ReadonlySet<string> = new Set([
  'asyncio.get_running_loop', 'asyncio._get_running_loop', 'asyncio.events._get_running_loop', 'asyncio.get_event_loop',
  'asyncio.AbstractEventLoop.is_running', 'sniffio.current_async_library', 'trio.lowlevel.current_trio_token',
]);
