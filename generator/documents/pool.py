"""The process pool that fills templates on every core (forms batches and audit packs)."""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

INLINE_BELOW = 8     # fewer jobs than this run in-process: a pool costs more than it saves


@contextmanager
def worker_pool(workers: int):
    """A process pool of ``workers`` (None for one worker); on leaving, queued jobs are dropped."""
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        yield pool
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def pool_map(pool, fn, jobs: list, description: str, track) -> list:
    """``fn`` over ``jobs`` in order, on the pool when there is one and the batch is worth it;
    ``track(items, description, total)`` wraps the results as they come (a progress bar)."""
    if pool is None or len(jobs) < INLINE_BELOW:
        return [fn(j) for j in track(jobs, description, len(jobs))]
    chunksize = max(1, min(32, len(jobs) // 8))    # about four chunks per worker on two cores
    return list(track(pool.map(fn, jobs, chunksize=chunksize), description, len(jobs)))
