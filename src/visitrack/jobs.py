"""Submissions extracted off the request path: a bounded queue in front of worker processes.

The HTTP API hands each submitted batch to an :class:`Extractor` and waits a short while for
it; extraction runs in separate processes (spaCy is CPU-bound and holds the GIL: on the
server's own threads it stalled every read), at most ``max_pending`` batches are accepted at
once, and each batch has a time budget counted from its submission: documents it has not
reached when the budget runs out become failures, and a batch that waited out its budget in
the queue is not extracted at all.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from visitrack import pipeline
from visitrack.limits import DOCUMENT_TIME_LIMIT_S
from visitrack.parallel import START_METHOD
from visitrack.records import DocumentResult, InputFailure, RawDocument

__all__ = ["BUDGET_STAGE", "DEFAULT_BUDGET_S", "DEFAULT_MAX_PENDING", "Extractor", "extract_within"]

# Seconds a submission may take from arrival to its last document extracted. A batch of 200
# documents took 547 s in one request before; now the rest of such a batch is answered as
# failures ("send fewer documents") and the worker moves on.
DEFAULT_BUDGET_S = 120.0
# Batches accepted but not finished, per server process; one more is a 429.
DEFAULT_MAX_PENDING = 16
BUDGET_STAGE = "budget"
# Added to a worker process's niceness (0 to 19, higher yields more). 10 gives a worker about
# a tenth of the CPU share of a server process when both want it, and writes under
# scripts/bench_load.py on the shared 2-core machine still finished within the server's short
# wait (201, no job needed).
EXTRACT_NICENESS = 10
# Seconds a terminated worker process gets to exit when the server stops.
WORKER_JOIN_S = 5.0


def extract_within(
    raws: list[RawDocument], time_limit_s: float | None, deadline: float
) -> list[DocumentResult]:
    """The pipeline over ``raws``, stopping at ``deadline`` (``time.time()``): documents not
    reached by then are failures naming the budget. Runs in a worker; never raises."""

    def out_of_time(rest: list[RawDocument], why: str) -> list[DocumentResult]:
        return [
            DocumentResult(raw, None, (), InputFailure(raw.source, why, BUDGET_STAGE))
            for raw in rest
        ]

    if time.time() > deadline:
        return out_of_time(raws, "the submission waited out its time budget in the queue")
    done: list[DocumentResult] = []
    try:
        for result in pipeline.run(raws, time_limit_s=time_limit_s):
            done.append(result)
            if time.time() > deadline and len(done) < len(raws):
                why = "the submission's time budget ran out before this document"
                return done + out_of_time(raws[len(done) :], why)
    except Exception as exc:  # the model missing in this worker, memory: the batch fails
        return done + out_of_time(raws[len(done) :], f"extraction failed ({exc})")
    return done


def _load_model() -> None:
    from visitrack import nlp

    nlp.load_model()


def _start_worker() -> None:
    """A worker process's set-up: a lower CPU priority, then the model."""
    # Extraction is CPU-bound (tens of milliseconds for a short article, seconds for a long
    # one); at the server's priority it takes its share of the cores from the processes
    # answering reads. Niced, it runs on what the readers leave: under load a write takes
    # longer, and reads do not queue behind it.
    with contextlib.suppress(OSError):  # not allowed here: run at the server's priority
        os.nice(EXTRACT_NICENESS)
    _load_model()


class Extractor:
    """A bounded queue of batches and the workers that extract them.

    Args:
        processes: worker processes (``0``: one thread in this process, for tests and
            embedding; a server should use processes).
        max_pending: batches accepted and not finished; :meth:`submit` refuses more.
        time_limit_s: per document and stage (see :mod:`visitrack.limits`).
        budget_s: per batch, from submission to its last document.
    """

    def __init__(
        self,
        *,
        processes: int = 1,
        max_pending: int = DEFAULT_MAX_PENDING,
        time_limit_s: float | None = DOCUMENT_TIME_LIMIT_S,
        budget_s: float = DEFAULT_BUDGET_S,
    ) -> None:
        self.processes = processes
        self.max_pending = max_pending
        self.time_limit_s = time_limit_s
        self.budget_s = budget_s
        self._lock = threading.Lock()
        self._pending = 0
        # Made on first use, and again after close(): an app whose lifespan ends and starts
        # again (an in-process test client per request) gets fresh workers.
        self._executor: Executor | None = None

    def _running(self) -> Executor:
        if self._executor is None:
            self._executor = self._new()
        return self._executor

    def _new(self) -> Executor:
        if self.processes <= 0:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="visitrack-extract")
        # spawn: the server runs threads, and a forked child could inherit a held lock.
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context(START_METHOD),
            initializer=_start_worker,
        )

    @property
    def pending(self) -> int:
        return self._pending

    def worker_pids(self) -> list[int]:
        """The process ids of the running worker processes (none for a thread)."""
        running: dict[int, multiprocessing.Process] = (
            getattr(self._executor, "_processes", None) or {}
        )
        return [process.pid for process in running.values() if process.pid is not None]

    def warm_up(self) -> None:
        """Start the workers now (loading the model) rather than on the first submission."""
        if self.processes > 0:
            self._running().submit(_load_model)

    def submit(self, raws: list[RawDocument]) -> Future[list[DocumentResult]] | None:
        """Queue ``raws``; ``None`` when ``max_pending`` batches are already waiting."""
        with self._lock:
            if self._pending >= self.max_pending:
                return None
            self._pending += 1
        deadline = time.time() + self.budget_s
        try:
            try:
                future = self._running().submit(extract_within, raws, self.time_limit_s, deadline)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): its batch failed; start fresh workers.
                self.close()
                future = self._running().submit(extract_within, raws, self.time_limit_s, deadline)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[list[DocumentResult]] | None) -> None:
        with self._lock:
            self._pending -= 1

    def close(self) -> None:
        """Stop at once: queued batches are cancelled and worker processes ended, even one
        busy loading the model (the server is shutting down; its clients have gone)."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        # Before the shutdown, which forgets them: Python 3.11 has no public way to end them.
        running: dict[int, multiprocessing.Process] = getattr(executor, "_processes", None) or {}
        workers = list(running.values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()
        for process in workers:
            process.join(timeout=WORKER_JOIN_S)
