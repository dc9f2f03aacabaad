"""Run the pipeline over many documents on several processes, or on a Dask cluster.

The unit of work is a *chunk* of documents: each worker runs :func:`visitrack.pipeline.run` on
a whole chunk, so spaCy still sees full batches, and the model is loaded once per worker
process (at start-up for local workers; on first use on Dask workers, then cached).

Results stream back in input order. At most a few chunks per worker are in flight, so memory
stays flat however long the input is. A worker that crashes (killed, out of memory, a
segfault in a C extension) costs only its chunk: every document of that chunk becomes a
failure result, and the run goes on.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal

from visitrack import pipeline
from visitrack.errors import VisitrackError
from visitrack.limits import DOCUMENT_TIME_LIMIT_S
from visitrack.records import DocumentResult, InputFailure, RawDocument

__all__ = ["DEFAULT_CHUNK_SIZE", "Engine", "run_chunk", "run_parallel"]

Engine = Literal["local", "dask"]

# Documents per chunk: the pipeline's own batch, so each worker's spaCy batches stay as full
# as in a sequential run, and one lost chunk loses few documents.
DEFAULT_CHUNK_SIZE = pipeline.DOCS_PER_CHUNK
# Chunks in flight per worker: one running, one queued so the worker never waits for the
# parent, and one more to absorb uneven chunk times. More only costs memory.
IN_FLIGHT_PER_WORKER = 3
# "spawn" gives each worker a clean interpreter: forking a parent that runs threads (the rich
# progress refresher, fetch threads, Dask's event loop) can deadlock the child on a held lock.
START_METHOD = "spawn"
PARALLEL_STAGE = "parallel"
BLAS_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# Seconds to wait for a Dask scheduler before giving up on the run.
CONNECT_TIMEOUT_S = 30


def run_parallel(
    raws: Iterable[RawDocument],
    *,
    workers: int = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    time_limit_s: float | None = DOCUMENT_TIME_LIMIT_S,
) -> Iterator[DocumentResult]:
    """Yield one result per document, in input order, like :func:`visitrack.pipeline.run`.

    Args:
        raws: the documents (any iterable; consumed lazily).
        workers: local worker processes (``engine="local"``); 1 runs in this process.
        engine: ``local`` (a process pool on this machine) or ``dask`` (an existing cluster).
        scheduler: the Dask scheduler address (``tcp://host:8786``), required for ``dask``.
        chunk_size: documents per unit of work.
        time_limit_s: seconds one stage may spend on one document before it is cut off as a
            failure (``None`` or 0: no limit). Dask runs tasks on worker threads, where only
            the clock check between parsed sentences applies (see :mod:`visitrack.limits`).
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    if engine == "dask":
        if not scheduler:
            raise ValueError("the dask engine needs a scheduler address (tcp://HOST:PORT)")
        yield from _run_dask(raws, scheduler, chunk_size, time_limit_s)
        return
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (want 'local' or 'dask')")
    if workers <= 1:
        yield from pipeline.run(raws, time_limit_s=time_limit_s)
        return
    yield from _run_local(raws, workers, chunk_size, time_limit_s)


def run_chunk(
    chunk: list[RawDocument], time_limit_s: float | None = DOCUMENT_TIME_LIMIT_S
) -> list[DocumentResult]:
    """The unit of work run in a worker: the pipeline over one chunk, never raising."""
    try:
        return list(pipeline.run(chunk, time_limit_s=time_limit_s))
    # pipeline.run already turns a bad document into a failure result; what reaches here is a
    # failure of the whole chunk (the model missing on this worker, memory), so the chunk fails.
    except Exception as exc:
        return _chunk_failed(chunk, f"{type(exc).__name__}: {exc}")


def _load_model() -> None:
    # Worker initializer: pay the model's load time once, before the first chunk arrives.
    # Each worker is one of N processes on N cores; a multi-threaded BLAS in each would
    # oversubscribe the cores (Dask's nanny sets the same). Set before numpy is first imported,
    # and only where the user has not chosen a value.
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")
    from visitrack import nlp

    nlp.load_model()


def _chunks(raws: Iterable[RawDocument], size: int) -> Iterator[list[RawDocument]]:
    it = iter(raws)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _chunk_failed(chunk: list[RawDocument], why: str) -> list[DocumentResult]:
    reason = f"worker failed while processing this document's batch ({why})"
    return [
        DocumentResult(raw, None, (), InputFailure(raw.source, reason, PARALLEL_STAGE))
        for raw in chunk
    ]


# --- local processes ---------------------------------------------------------------------------


class _Pool:
    """A process pool that can be replaced after a worker crash broke it."""

    def __init__(self, workers: int, time_limit_s: float | None) -> None:
        self.workers = workers
        self.time_limit_s = time_limit_s
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context(START_METHOD),
            initializer=_load_model,
        )

    def submit(self, chunk: list[RawDocument]) -> Future[list[DocumentResult]]:
        return self.executor.submit(run_chunk, chunk, self.time_limit_s)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _run_local(
    raws: Iterable[RawDocument], workers: int, chunk_size: int, time_limit_s: float | None
) -> Iterator[DocumentResult]:
    pool = _Pool(workers, time_limit_s)
    limit = workers * IN_FLIGHT_PER_WORKER
    pending: deque[tuple[list[RawDocument], Future[list[DocumentResult]]]] = deque()
    try:
        for chunk in _chunks(raws, chunk_size):
            pending.append((chunk, pool.submit(chunk)))
            while len(pending) >= limit:
                yield from _next_local(pool, pending)
        while pending:
            yield from _next_local(pool, pending)
    finally:
        pool.close()


def _next_local(
    pool: _Pool, pending: deque[tuple[list[RawDocument], Future[list[DocumentResult]]]]
) -> Iterator[DocumentResult]:
    chunk, fut = pending.popleft()
    try:
        results = fut.result()
    except BrokenProcessPool:
        # A worker died, and with it every chunk still in the pool. Which chunk killed it is
        # unknown, so each one is run again on its own in a fresh pool: the innocent ones
        # succeed, the culprit crashes alone and only its documents fail.
        survivors = [(chunk, fut), *pending]
        pending.clear()
        pool.restart()
        rerun: list[tuple[list[RawDocument], list[DocumentResult]]] = []
        for c, f in survivors:
            done = _finished(f)
            rerun.append((c, done if done is not None else _isolated(pool, c)))
        yield from rerun[0][1]
        # The remaining chunks go back to the front of the queue, already resolved.
        for c, res in rerun[1:]:
            resolved: Future[list[DocumentResult]] = Future()
            resolved.set_result(res)
            pending.append((c, resolved))
        return
    except Exception as exc:
        # Anything else (a document that cannot be pickled, say) fails this chunk only.
        results = _chunk_failed(chunk, f"{type(exc).__name__}: {exc}")
    yield from results


def _finished(fut: Future[list[DocumentResult]]) -> list[DocumentResult] | None:
    if fut.done() and not fut.cancelled() and fut.exception() is None:
        return fut.result()
    return None


def _isolated(pool: _Pool, chunk: list[RawDocument]) -> list[DocumentResult]:
    try:
        return pool.submit(chunk).result()
    except BrokenProcessPool:
        pool.restart()
        return _chunk_failed(chunk, "the worker process died")
    except Exception as exc:
        return _chunk_failed(chunk, f"{type(exc).__name__}: {exc}")


# --- Dask --------------------------------------------------------------------------------------


def _run_dask(
    raws: Iterable[RawDocument], scheduler: str, chunk_size: int, time_limit_s: float | None
) -> Iterator[DocumentResult]:
    from distributed import Client

    # distributed is untyped; the few calls made here are checked by the tests instead.
    connect: Any = Client
    try:
        client = connect(scheduler, set_as_default=False, timeout=CONNECT_TIMEOUT_S)
    # An unreachable scheduler is a usage problem, said in one line, not a traceback.
    except (OSError, TimeoutError) as exc:
        raise VisitrackError(
            f"cannot reach the Dask scheduler at {scheduler} ({exc})", stage=PARALLEL_STAGE
        ) from exc
    pending: deque[tuple[list[RawDocument], Any]] = deque()
    try:
        threads = sum(client.nthreads().values()) or 1
        limit = threads * IN_FLIGHT_PER_WORKER
        for chunk in _chunks(raws, chunk_size):
            # pure=False: two equal chunks (a re-sent corpus) are still two pieces of work.
            pending.append((chunk, client.submit(run_chunk, chunk, time_limit_s, pure=False)))
            while len(pending) >= limit:
                yield from _next_dask(pending)
        while pending:
            yield from _next_dask(pending)
    finally:
        for _, fut in pending:
            fut.cancel()
        client.close()


def _next_dask(pending: deque[tuple[list[RawDocument], Any]]) -> Iterator[DocumentResult]:
    chunk, fut = pending.popleft()
    try:
        results: list[DocumentResult] = fut.result()
    # Dask retries a chunk whose worker died (allowed-failures); when it gives up (KilledWorker)
    # or the chunk raised, only this chunk's documents fail.
    except Exception as exc:
        results = _chunk_failed(chunk, f"{type(exc).__name__}: {exc}")
    finally:
        fut.release()
    yield from results
