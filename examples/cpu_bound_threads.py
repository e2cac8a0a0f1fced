"""Nightly stats job: crunches numbers and checks a URL from one asyncio program.

Pitfall: cpu-bound-work-on-thread. Pure-Python number crunching (prime
counting, recursive Fibonacci, a rolling hash) is sent to threads through
asyncio.to_thread, loop.run_in_executor(None, ...), ThreadPoolExecutor.submit
and .map, and threading.Thread. Because of the GIL those threads run one at a
time and compete with the event loop thread. The fine variants put only an
I/O-bound function on a thread and run the CPU-bound work in a
ProcessPoolExecutor.
"""
import asyncio
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import requests

thread_pool = ThreadPoolExecutor(max_workers=4)


def count_primes(limit: int) -> int:
    count = 0
    for n in range(2, limit):
        for d in range(2, int(n ** 0.5) + 1):
            if n % d == 0:
                break
        else:
            count += 1
    return count


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def rolling_hash(data: bytes) -> int:
    h = 0
    for byte in data:
        h = (h * 31 + byte) % 1_000_000_007
    return h


def page_size(url: str) -> int:
    """I/O-bound: the thread mostly waits on the network with the GIL released."""
    return len(requests.get(url, timeout=10).content)


async def stats_on_threads(payload: bytes) -> dict[str, int]:
    loop = asyncio.get_running_loop()
    primes = await asyncio.to_thread(count_primes, 200_000)  # AIO601
    fib_30 = await loop.run_in_executor(None, fib, 30)  # AIO601
    digest_future = thread_pool.submit(rolling_hash, payload)  # AIO601
    digest = await asyncio.wrap_future(digest_future)
    return {"primes": primes, "fib_30": fib_30, "digest": digest}


def warm_up() -> threading.Thread:
    worker = threading.Thread(target=count_primes, args=(50_000,), daemon=True)  # AIO601
    worker.start()
    return worker


def digest_chunks(chunks: list[bytes]) -> list[int]:
    return list(thread_pool.map(rolling_hash, chunks))  # AIO601


async def stats_in_processes(payload: bytes, procs: ProcessPoolExecutor) -> dict[str, int]:
    loop = asyncio.get_running_loop()
    primes = await loop.run_in_executor(procs, count_primes, 200_000)
    digest = await loop.run_in_executor(procs, rolling_hash, payload)
    size = await asyncio.to_thread(page_size, "https://example.com/")
    return {"primes": primes, "digest": digest, "page_size": size}


async def main() -> None:
    payload = bytes(range(256)) * 4_000
    print(await stats_on_threads(payload))
    with ProcessPoolExecutor() as procs:
        print(await stats_in_processes(payload, procs))
        fib_future = procs.submit(fib, 27)
        print("fib(27) =", await asyncio.wrap_future(fib_future))


if __name__ == "__main__":
    warm_up().join()
    print(digest_chunks([b"alpha", b"beta", b"gamma"]))
    asyncio.run(main())
