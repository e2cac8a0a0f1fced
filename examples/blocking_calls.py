"""Link checker: fetches pages, probes hosts and records results in SQLite.

Pitfalls (first half): blocking-sleep, blocking-http-call, blocking-subprocess,
blocking-process-wait, blocking-file-io, blocking-filesystem-call, blocking-input,
blocking-network-call, blocking-database-call, blocking-sync-primitive and
blocking-future-wait. The second half does the same jobs without blocking the
event loop; nothing there may be reported.
"""
import asyncio
import os
import queue
import socket
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

DB_PATH = "links.sqlite3"
results_lock = threading.Lock()
pending_urls = queue.Queue()
pool = ThreadPoolExecutor(max_workers=4)


async def fetch_page(url: str) -> str:
    time.sleep(0.2)  # AIO101
    return requests.get(url, timeout=10).text  # AIO102


async def head_all(urls: list[str]) -> list[int]:
    session = requests.Session()
    return [session.head(url, timeout=5).status_code for url in urls]  # AIO102


async def git_revision() -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True)  # AIO103
    return done.stdout.decode().strip()


async def reap_child(pid: int) -> int:
    _, status = os.waitpid(pid, 0)  # AIO104
    return os.waitstatus_to_exitcode(status)


async def load_seed_urls(path: str) -> list[str]:
    with open(path, encoding="utf-8") as fh:  # AIO105
        urls = fh.read().splitlines()
    config = Path("crawler.toml").read_text(encoding="utf-8")  # AIO105
    return urls if "seeds" in config else []


async def prepare(cache_dir: str) -> str:
    if not os.path.exists(cache_dir):  # AIO106
        await asyncio.to_thread(os.makedirs, cache_dir, exist_ok=True)
    host = input("Host to probe: ")  # AIO107
    return socket.gethostbyname(host)  # AIO108


async def save_result(url: str, status: int, seen: dict[str, int]) -> None:
    conn = sqlite3.connect(DB_PATH)  # AIO109
    conn.execute("INSERT INTO results VALUES (?, ?)", (url, status))  # AIO109
    results_lock.acquire()  # AIO110
    try:
        seen[url] = status
    finally:
        results_lock.release()


async def next_page_via_pool() -> str:
    url = pending_urls.get()  # AIO110
    future = pool.submit(requests.get, url, timeout=10)
    return future.result().text  # AIO111


# ---- the same jobs, done without blocking the loop -------------------------

def backoff(attempt: int) -> None:
    """Sync helper for the sync CLI below, so time.sleep is fine here."""
    time.sleep(0.5 * attempt)


def insert_result(url: str, status: int) -> None:
    with sqlite3.connect(DB_PATH) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS results (url TEXT, status INTEGER)")
        conn.execute("INSERT INTO results VALUES (?, ?)", (url, status))


async def fetch_page_ok(url: str) -> str:
    await asyncio.sleep(0.2)
    await asyncio.to_thread(time.sleep, 1)
    response = await asyncio.to_thread(requests.get, url, timeout=10)
    return response.text


async def prepare_ok(cache_dir: str) -> list[tuple]:
    loop = asyncio.get_running_loop()
    host = await asyncio.to_thread(input, "Host to probe: ")
    await loop.run_in_executor(None, lambda: time.sleep(0.1))
    if not await asyncio.to_thread(os.path.exists, cache_dir):
        await asyncio.to_thread(os.makedirs, cache_dir, exist_ok=True)
    proc = await asyncio.create_subprocess_exec("git", "rev-parse", "HEAD")
    await proc.wait()
    return await loop.getaddrinfo(host, 443)


async def save_result_ok(url: str, status: int, seen: dict[str, int]) -> str:
    await asyncio.to_thread(insert_result, url, status)
    if results_lock.acquire(blocking=False):
        seen[url] = status
        results_lock.release()
    next_url = pending_urls.get(block=False)
    page = await asyncio.wrap_future(pool.submit(requests.get, next_url, timeout=10))
    return page.text


def run_cli(url: str) -> None:
    for attempt in range(3):
        try:
            print(asyncio.run(fetch_page_ok(url))[:80])
            return
        except requests.RequestException:
            backoff(attempt)


if __name__ == "__main__":
    run_cli("https://example.com/")
