"""Chat-room handlers that start background work and lose track of it.

Pitfalls: dangling-task (the result of asyncio.create_task, ensure_future or
loop.create_task is thrown away), task-never-awaited (a task kept in a local
and forgotten) and dropped-executor-future (executor.submit and
loop.run_in_executor futures nobody looks at, so their exceptions vanish).
The *_fixed handlers use a TaskGroup, a background-task set with
add_done_callback(set.discard), a done-callback that logs failures, and
awaited tasks and futures; none of that is reported.
"""
import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger("chat")
audit_pool = ThreadPoolExecutor(max_workers=2)
background_tasks: set[asyncio.Task] = set()


def write_audit(line: str) -> None:
    with open("audit.log", "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def log_failure(fut: Future) -> None:
    if not fut.cancelled() and fut.exception() is not None:
        log.error("audit write failed", exc_info=fut.exception())


async def broadcast(room: str, text: str) -> None:
    await asyncio.sleep(0.01)
    if not text:
        raise ValueError(f"empty message for room {room}")


async def heartbeat(room: str) -> None:
    while True:
        await asyncio.sleep(30)
        await broadcast(room, "ping")


async def on_message(room: str, text: str) -> None:
    asyncio.create_task(broadcast(room, text))  # AIO301
    audit_pool.submit(write_audit, f"{room}: {text}")  # AIO305
    loop = asyncio.get_running_loop()
    loop.run_in_executor(None, write_audit, f"delivered in {room}")  # AIO305


async def on_join(room: str, user: str) -> None:
    welcome = asyncio.create_task(broadcast(room, f"{user} joined"))  # AIO302
    asyncio.ensure_future(heartbeat(room))  # AIO301
    loop = asyncio.get_running_loop()
    loop.create_task(heartbeat(room))  # AIO301
    receipt = audit_pool.submit(write_audit, f"join {room} {user}")  # AIO305
    log.info("%s joined %s", user, room)


async def on_message_fixed(room: str, text: str) -> None:
    task = asyncio.create_task(broadcast(room, text))
    background_tasks.add(task)
    task.add_done_callback(background_tasks.discard)
    receipt = audit_pool.submit(write_audit, f"{room}: {text}")
    receipt.add_done_callback(log_failure)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, write_audit, f"delivered in {room}")


async def on_join_fixed(room: str, user: str) -> None:
    welcome = asyncio.create_task(broadcast(room, f"{user} joined"))
    await asyncio.wrap_future(audit_pool.submit(write_audit, f"join {room} {user}"))
    await welcome


async def replay(room: str, history: list[str]) -> None:
    async with asyncio.TaskGroup() as tg:
        for text in history:
            tg.create_task(broadcast(room, text))


async def main() -> None:
    await replay("lobby", ["hello", "welcome back"])
    await on_join_fixed("lobby", "ada")
    await on_message_fixed("lobby", "hi all")
    await on_join("lobby", "bob")
    await on_message("lobby", "")
    await asyncio.sleep(0.1)


if __name__ == "__main__":
    asyncio.run(main())
