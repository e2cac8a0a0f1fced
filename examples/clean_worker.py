"""Batch worker: scores a list of jobs and writes one JSON result per job.

Clean example with no pitfalls: a fixed pool of workers pulls job ids from an
asyncio.Queue inside a TaskGroup, the CPU-heavy scoring runs in a
ProcessPoolExecutor, the blocking file writes go through asyncio.to_thread,
and an external tool is queried with asyncio.create_subprocess_exec.
The analyzer must report nothing here.
"""
import asyncio
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

OUT_DIR = Path("results")


def score(seed: int, rounds: int) -> int:
    """CPU-bound pure Python: it belongs in a process, not a thread."""
    value = seed
    for _ in range(rounds):
        value = (value * 6364136223846793005 + 1442695040888963407) % 2**64
    return value


def save_result(job_id: int, payload: dict) -> None:
    """Blocking file I/O, only ever run in a worker thread."""
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / f"job-{job_id}.json").write_text(json.dumps(payload), encoding="utf-8")


async def python_version() -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "--version", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    return out.decode().strip()


async def worker(
    name: str, jobs: asyncio.Queue, procs: ProcessPoolExecutor, runtime: str
) -> int:
    loop = asyncio.get_running_loop()
    done = 0
    while (job_id := await jobs.get()) is not None:
        value = await loop.run_in_executor(procs, score, job_id, 300_000)
        result = {"job": job_id, "score": value, "worker": name, "runtime": runtime}
        await asyncio.to_thread(save_result, job_id, result)
        done += 1
    return done


async def main(n_jobs: int = 24, n_workers: int = 4) -> None:
    jobs: asyncio.Queue = asyncio.Queue()
    for job_id in range(n_jobs):
        jobs.put_nowait(job_id)
    for _ in range(n_workers):
        jobs.put_nowait(None)
    runtime = await python_version()
    with ProcessPoolExecutor() as procs:
        async with asyncio.TaskGroup() as tg:
            tasks = [
                tg.create_task(worker(f"w{i}", jobs, procs, runtime))
                for i in range(n_workers)
            ]
    print(f"{sum(t.result() for t in tasks)} jobs done with {runtime}")


if __name__ == "__main__":
    asyncio.run(main())
