/** What the async vocabulary hovers say: what each construct does, its pitfalls, and its concept note. */

export interface VocabularyEntry {
  title: string;
  what: string;
  pitfalls: string;
  concept: string;
}

const entries: Array<[string, VocabularyEntry]> = [
  ['async def', {
    title: 'async def: a coroutine function',
    what: 'Calling it runs nothing: it returns a coroutine object, whose body runs only when awaited or wrapped in a task. Its body runs on the event loop thread, between other tasks.',
    pitfalls: 'A call without `await` is silently skipped (AIO201-AIO204). Any blocking call inside it (`time.sleep`, `requests.get`, `open`) stalls every task of the loop (AIO101-AIO111).',
    concept: 'coroutines-and-await',
  }],
  ['await', {
    title: 'await',
    what: 'Runs the awaitable (a coroutine, task or future) until it has a result, letting other tasks run whenever it waits. Only valid inside `async def`.',
    pitfalls: 'Awaiting in a loop runs the steps one after the other; use a `TaskGroup` or `gather` for concurrency. `await` binds tighter than anything but attribute access, calls and subscripts: write `(await fetch()).json()`.',
    concept: 'coroutines-and-await',
  }],
  ['asyncio.create_task', {
    title: 'asyncio.create_task(coro)',
    what: 'Schedules the coroutine to run concurrently as a Task and returns the task right away.',
    pitfalls: 'The loop keeps only a weak reference: keep the task (a set plus `add_done_callback(set.discard)`) or it may be garbage-collected mid-run (AIO301); await it or its exception is never seen (AIO302). Prefer `asyncio.TaskGroup` (3.11+).',
    concept: 'event-loop-and-tasks',
  }],
  ['asyncio.gather', {
    title: 'asyncio.gather(*aws, return_exceptions=False)',
    what: 'Runs the awaitables concurrently and returns their results in order.',
    pitfalls: 'On the first exception the others keep running unsupervised; with `return_exceptions=True` exceptions come back as values and must be checked. `asyncio.TaskGroup` cancels the rest on failure.',
    concept: 'error-handling-and-recovery',
  }],
  ['asyncio.TaskGroup', {
    title: 'asyncio.TaskGroup (Python 3.11+)',
    what: 'An `async with` block that owns the tasks created with `tg.create_task(...)`: it waits for all of them, and if one fails it cancels the others and raises an ExceptionGroup.',
    pitfalls: 'Use `async with`, not `with`. Tasks created with `asyncio.create_task` inside the block are not owned by the group.',
    concept: 'error-handling-and-recovery',
  }],
  ['asyncio.to_thread', {
    title: 'asyncio.to_thread(func, *args, **kwargs)',
    what: 'Runs a blocking function in the default thread pool and awaits its result, so the event loop keeps running.',
    pitfalls: 'Threads share the GIL: CPU-bound pure-Python work gains nothing (AIO601), use a `ProcessPoolExecutor`. Pass the function, not its result: `to_thread(f, x)`, not `to_thread(f(x))`.',
    concept: 'threads-processes-and-the-gil',
  }],
  ['asyncio.AbstractEventLoop.run_in_executor', {
    title: 'loop.run_in_executor(executor, func, *args)',
    what: 'Runs `func(*args)` in an executor (`None`: the default thread pool) and returns an asyncio future.',
    pitfalls: 'Await the future, or its exception is lost (AIO305). A thread pool gives CPU-bound Python code no parallelism (AIO601): pass a `ProcessPoolExecutor`. No keyword arguments: use `functools.partial`.',
    concept: 'threads-processes-and-the-gil',
  }],
  ['threading.Thread', {
    title: 'threading.Thread(target=func, args=...)',
    what: 'Runs `target(*args)` in a new OS thread, sharing memory with the rest of the program.',
    pitfalls: 'An exception in the target is only printed, never raised to the starter; join it to know it finished. CPU-bound pure-Python targets gain nothing under the GIL (AIO601). Do not touch the event loop from it except with `call_soon_threadsafe`/`run_coroutine_threadsafe`.',
    concept: 'threads-processes-and-the-gil',
  }],
  ['concurrent.futures.ThreadPoolExecutor', {
    title: 'concurrent.futures.ThreadPoolExecutor',
    what: 'A pool of worker threads for blocking I/O; `submit` returns a `concurrent.futures.Future`.',
    pitfalls: 'Check the futures (`result()`, or a done-callback) or their exceptions vanish (AIO305); never call `future.result()` inside `async def` (AIO111), await `asyncio.wrap_future(future)`. CPU-bound work belongs in a `ProcessPoolExecutor` (AIO601).',
    concept: 'threads-processes-and-the-gil',
  }],
  ['concurrent.futures.ProcessPoolExecutor', {
    title: 'concurrent.futures.ProcessPoolExecutor',
    what: 'A pool of worker processes: real parallelism for CPU-bound Python code, each with its own interpreter and GIL.',
    pitfalls: 'Functions and arguments are pickled: no lambdas or nested functions. Create it under `if __name__ == "__main__":` (spawn start method). Moving data between processes costs time.',
    concept: 'threads-processes-and-the-gil',
  }],
  ['multiprocessing.Process', {
    title: 'multiprocessing.Process(target=func)',
    what: 'Runs `target` in a separate process, with its own interpreter and memory.',
    pitfalls: 'The target must be picklable; start processes under `if __name__ == "__main__":`; `join()` blocks, so never call it inside `async def` (AIO110).',
    concept: 'threads-processes-and-the-gil',
  }],
  ['asyncio.run', {
    title: 'asyncio.run(main())',
    what: 'Creates an event loop, runs the coroutine to completion, cancels what is left and closes the loop. The entry point of an asyncio program.',
    pitfalls: 'Call it once, from synchronous code: inside a running loop it raises RuntimeError. Pass a coroutine object: `asyncio.run(main())`, not `asyncio.run(main)`.',
    concept: 'event-loop-and-tasks',
  }],
];

export const VOCABULARY: ReadonlyMap<string, VocabularyEntry> = new Map(entries);
