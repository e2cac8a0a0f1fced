"""Order sync: pulls new orders from a shop API and commits them locally.

Pitfalls: unawaited-coroutine (bare calls that never run),
coroutine-never-awaited (a coroutine kept in a variable and forgotten),
coroutine-in-condition (a coroutine object is always truthy) and
coroutine-used-as-value (a coroutine used as if it were its result).
The *_fixed methods await their calls, hand coroutines to asyncio.gather or
asyncio.create_task, or return them to the caller; none of that is reported.
"""
import asyncio
import json


class Response:
    def __init__(self, body: str) -> None:
        self.body = body

    def json(self) -> dict:
        return json.loads(self.body)


async def fetch(url: str) -> Response:
    await asyncio.sleep(0.05)
    return Response('{"orders": [{"id": 1}], "audited": true}')


async def fetch_rows(table: str) -> list[tuple[int, str]]:
    await asyncio.sleep(0.01)
    return [(1, table), (2, table)]


class OrderSync:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.pending: list[dict] = []
        self.last_sync = 0.0

    async def is_stale(self) -> bool:
        await asyncio.sleep(0)
        return asyncio.get_running_loop().time() - self.last_sync > 60

    async def refresh_cache(self) -> None:
        await asyncio.sleep(0.01)
        self.last_sync = asyncio.get_running_loop().time()

    async def commit(self) -> None:
        await asyncio.sleep(0.01)
        self.pending.clear()

    async def sync_once(self) -> int:
        if self.is_stale():  # AIO203
            self.refresh_cache()  # AIO201
        data = fetch(f"{self.base_url}/orders").json()  # AIO204
        self.pending.extend(data["orders"])
        self.commit()  # AIO201
        return len(self.pending)

    async def audit(self) -> int:
        count = 0
        for row in fetch_rows("orders"):  # AIO204
            count += row[0]
        report = fetch(f"{self.base_url}/audit")  # AIO202
        asyncio.sleep(0.1)  # AIO201
        return count

    async def sync_once_fixed(self) -> int:
        if await self.is_stale():
            await self.refresh_cache()
        data = (await fetch(f"{self.base_url}/orders")).json()
        self.pending.extend(data["orders"])
        await self.commit()
        return len(self.pending)

    async def audit_fixed(self) -> int:
        rows, report = await asyncio.gather(
            fetch_rows("orders"), fetch(f"{self.base_url}/audit")
        )
        refresh = asyncio.create_task(self.refresh_cache())
        ping = fetch(f"{self.base_url}/ping")
        await asyncio.wait_for(ping, timeout=5)
        await refresh
        return sum(row[0] for row in rows) if report.json()["audited"] else 0

    def commit_later(self):
        """Sync method: returns the coroutine so the caller can await it."""
        return self.commit()


async def main() -> None:
    service = OrderSync("https://shop.example")
    print(await service.sync_once_fixed(), await service.audit_fixed())
    await service.commit_later()


if __name__ == "__main__":
    asyncio.run(main())
