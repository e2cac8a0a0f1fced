/**
 * Generators of text that looks enough like async Python to reach the rules: random lines from
 * a pool of snippets that trigger (or nearly trigger) every rule family, at random indentation,
 * with stray tokens, astral characters and mixed line endings. Purely random strings mostly
 * parse as one error node and exercise nothing past the parser; these reach the analysis.
 */
import fc from 'fast-check';

/** Lines that open a block: the next lines may be indented under them. */
const HEADERS = [
  'async def fetch(url):',
  'async def main():',
  'def work(n):',
  'def helper():',
  'class Service:',
  'class Worker(threading.Thread):',
  '    async def handle(self, request):',
  'async with asyncio.TaskGroup() as tg:',
  'async with trio.open_nursery() as nursery:',
  'async with asyncio.timeout(1):',
  'with asyncio.timeout(1):',
  'with threading.Lock():',
  'with results_lock:',
  'with ThreadPoolExecutor() as pool:',
  'async with open("data.txt") as f:',
  'async with aiohttp.ClientSession() as session:',
  'try:',
  'except asyncio.CancelledError:',
  'except BaseException:',
  'except:',
  'finally:',
  'while True:',
  'while not self.ready:',
  'for i in range(1000):',
  'for row in fetch_rows():',
  'async for item in stream():',
  'if self.is_stale():',
  'if __name__ == "__main__":',
  'else:',
  '@functools.lru_cache',
  '@asyncio.coroutine',
  'lambda: (',
];

/** Statements and expressions, most of them a finding in async code. */
const STATEMENTS = [
  // Non-ASCII identifiers (PEP 3131): names are not ASCII, and neither are UTF-16 column counts.
  'async def récupérer(adresse):',
  '    données = await récupérer(adresse)',
  'async def 处理(请求):',
  '    time.sleep(δ)',
  '    𝔡𝔞𝔱𝔞 = aio.create_task(处理(请求))',
  'import asyncio',
  'import asyncio as aio',
  'import time',
  'import time as t',
  'from time import sleep as nap',
  'import os, subprocess, threading, queue, socket, sqlite3',
  'import requests',
  'import trio',
  'import anyio',
  'import functools',
  'import multiprocessing',
  'from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor',
  'from pathlib import Path',
  'from . import db',
  'from .db import save',
  'time.sleep(1)',
  't.sleep(0.5)',
  'nap(2)',
  'await asyncio.sleep(1)',
  'await aio.sleep(0)',
  'requests.get(url, timeout=10).text',
  'subprocess.run(["ls", "-l"])',
  'os.system("ls")',
  'os.waitpid(pid, 0)',
  'open("x").read()',
  'Path(p).read_text()',
  'os.path.exists(p)',
  'input()',
  'socket.gethostbyname(host)',
  'sqlite3.connect(db).execute(q)',
  'results_lock.acquire()',
  'pending.get()',
  'future.result()',
  'fetch(url)',
  'c = fetch(url)',
  'await c',
  'return c',
  'fetch(url).json()',
  'len(fetch(url))',
  'fetch(url) + 1',
  'asyncio.create_task(fetch(url))',
  'task = asyncio.create_task(work())',
  'task.cancel()',
  'await task',
  'tasks.add(asyncio.create_task(fetch(url)))',
  'tasks.discard(task)',
  'await asyncio.gather(fetch(a), fetch(b), return_exceptions=True)',
  'results = await asyncio.gather(*coros, return_exceptions=True)',
  'await asyncio.wait([fetch(a), fetch(b)])',
  'await asyncio.shield(save())',
  'pool.submit(work, 10)',
  'pool.submit(work())',
  'loop.run_in_executor(None, work, 10)',
  'await asyncio.to_thread(work, 10)',
  'await asyncio.to_thread(work())',
  'threading.Thread(target=work).start()',
  'threading.Thread(target=fetch).start()',
  'multiprocessing.Process(target=lambda: 1).start()',
  'ProcessPoolExecutor().submit(work)',
  'asyncio.run(main())',
  'loop = asyncio.get_event_loop()',
  'loop.call_soon(callback)',
  'loop.run_until_complete(main())',
  'tg.create_task(work())',
  'nursery.start_soon(work)',
  'await save()',
  'await time.sleep(1)',
  'total += i * i',
  'return work(n - 1) + n',
  'return',
  'break',
  'continue',
  'pass',
  'raise',
  'yield item',
  'self.ready = True',
  'x = [i * i for i in range(n)]',
  'time.sleep(1)  # noqa: AIO101',
  'fetch(url)  # noqa',
  '# async-pitfalls: noqa: AIO106',
  '# noqa: ASYNC251',
  '"""docstring with time.sleep(1) inside"""',
  "f'{await fetch(url)}'",
  'print("😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢")',
  's = "tab\there"',
];

/** Fragments an editor might type mid-line: keywords, brackets, quotes, astral characters, control characters. */
export const TOKENS = [
  'async ', 'def ', 'await ', 'async def ', 'await asyncio.', 'return ', 'lambda: ', 'yield ', 'with ', 'for ',
  '(', ')', '[', ']', '{', '}', ':', ',', '.', '=', '\\', '#', '@', '*', '**',
  '"', "'", '"""', "'''", 'f"', 'b"', 'r"',
  '😀', '𝔘', '👩‍👩‍👧', '\u{10FFFF}', 'é', '\u200b', '\ufeff',
  '\t', '    ', ' ',
];

const LINE_ENDINGS = ['\n', '\n', '\n', '\r\n', '\r'] as const;

/** One generated line: indentation, a snippet, and sometimes a stray token. */
const lineArb = fc
  .tuple(
    fc.nat({ max: 3 }),
    fc.oneof({ arbitrary: fc.constantFrom(...STATEMENTS), weight: 3 }, { arbitrary: fc.constantFrom(...HEADERS), weight: 2 }),
    fc.option(fc.constantFrom(...TOKENS), { freq: 6 }),
    fc.boolean(),
  )
  .map(([depth, code, token, tabs]) => `${(tabs ? '\t' : '    ').repeat(depth)}${code}${token ?? ''}`);

export interface PythonishOptions {
  /** Allow `\r\n` and lone `\r` line endings (mixed within one file). */
  mixedLineEndings?: boolean;
  maxLines?: number;
}

/** A whole file of Python-ish lines. */
export function pythonish(options: PythonishOptions = {}): fc.Arbitrary<string> {
  const ending = options.mixedLineEndings ? fc.constantFrom(...LINE_ENDINGS) : fc.constant('\n');
  return fc
    .array(fc.tuple(lineArb, ending), { minLength: 1, maxLength: options.maxLines ?? 40 })
    .map((lines) => lines.map(([line, eol]) => line + eol).join(''));
}

/** Text inserted by one random edit: a token, a snippet line, a few lines, a line ending, random characters. */
export function insertedText(options: { nul: boolean }): fc.Arbitrary<string> {
  const choices: Array<fc.WeightedArbitrary<string>> = [
    { arbitrary: fc.constantFrom(...TOKENS), weight: 6 },
    { arbitrary: fc.constantFrom(...LINE_ENDINGS), weight: 2 },
    { arbitrary: lineArb.map((l) => `${l}\n`), weight: 3 },
    { arbitrary: pythonish({ mixedLineEndings: true, maxLines: 4 }), weight: 1 },
    // Random code points, NUL only where asked for: a NUL makes the server skip the file, which ends the interesting part.
    { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }).map((s) => (options.nul ? s : s.replace(/\0/g, ''))), weight: 1 },
    { arbitrary: fc.constant(''), weight: 1 },
  ];
  if (options.nul) choices.push({ arbitrary: fc.constant('\u0000'), weight: 1 });
  return fc.oneof(...choices);
}
