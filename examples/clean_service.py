"""A tiny line-based key/value server built on asyncio streams.

Protocol: "SET key value" answers OK, "GET key" answers the value or
NOT_FOUND. Clean example with no pitfalls: every coroutine is awaited, the
shared dict is guarded by an asyncio.Lock, loading and writing the snapshot
file happen in a worker thread via asyncio.to_thread, and the server and its
snapshot loop run inside a TaskGroup. The analyzer must report nothing here.
"""
import asyncio
import functools
import json
import logging
from pathlib import Path

log = logging.getLogger("kv")
SNAPSHOT = Path("kv-snapshot.json")


def load_snapshot() -> dict[str, str]:
    """Sync helper, only ever run in a worker thread."""
    if not SNAPSHOT.exists():
        return {}
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


class Store:
    def __init__(self, data: dict[str, str]) -> None:
        self.data = data
        self.lock = asyncio.Lock()

    async def put_value(self, key: str, value: str) -> None:
        async with self.lock:
            self.data[key] = value

    async def get_value(self, key: str) -> str | None:
        async with self.lock:
            return self.data.get(key)

    async def save_snapshot(self) -> None:
        async with self.lock:
            payload = json.dumps(self.data)
        await asyncio.to_thread(SNAPSHOT.write_text, payload, encoding="utf-8")


async def handle_client(
    store: Store, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    peer = writer.get_extra_info("peername")
    try:
        while line := await reader.readline():
            parts = line.decode().strip().split(maxsplit=2)
            if len(parts) == 3 and parts[0] == "SET":
                await store.put_value(parts[1], parts[2])
                reply = "OK"
            elif len(parts) == 2 and parts[0] == "GET":
                reply = await store.get_value(parts[1]) or "NOT_FOUND"
            else:
                reply = "ERR unknown command"
            writer.write(reply.encode() + b"\n")
            await writer.drain()
    finally:
        writer.close()
        await writer.wait_closed()
        log.info("connection from %s closed", peer)


async def snapshot_every(store: Store, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        await store.save_snapshot()


async def main(host: str = "127.0.0.1", port: int = 8765) -> None:
    store = Store(await asyncio.to_thread(load_snapshot))
    server = await asyncio.start_server(functools.partial(handle_client, store), host, port)
    log.info("serving on %s:%d", host, port)
    async with server, asyncio.TaskGroup() as tg:
        tg.create_task(snapshot_every(store, 30))
        tg.create_task(server.serve_forever())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
