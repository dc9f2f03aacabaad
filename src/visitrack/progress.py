"""Progress of a long run: a live bar on a terminal, periodic log lines otherwise.

On a terminal a rich progress bar shows documents done (of the total when known), documents
per second, visits found, failures and the time left. When stderr is a file or a pipe (a batch
job, a CI log) a live bar would fill the log with control codes, so one plain line is written
every ``interval`` seconds instead. Either way a summary line ends the run.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

    from visitrack.records import DocumentResult

__all__ = ["LOG_INTERVAL_S", "Progress"]

# Seconds between plain log lines: often enough to see a run is alive, rare enough that a
# day-long run writes a few thousand lines, not millions.
LOG_INTERVAL_S = 10.0
# The bar redraws this often; rich's default (10/s) costs CPU the workers could use.
REFRESH_PER_SECOND = 2
PREFIX = "visitrack:"


class Progress:
    """Count documents, visits and failures; show them while the run goes.

    ``total`` is the number of documents when known (it enables the ETA); ``enabled=False``
    shows nothing at all (``--no-progress``). ``stream``, ``interactive`` and ``clock`` exist
    for tests and for callers that log somewhere else.
    """

    def __init__(
        self,
        total: int | None,
        enabled: bool,
        *,
        stream: TextIO | None = None,
        interactive: bool | None = None,
        interval: float = LOG_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.interval = interval
        self._clock = clock
        self.done = 0
        self.visits = 0
        self.failures = 0
        self._start = clock()
        self._last_log = self._start
        # rich is imported only when a bar is shown: log-only runs (and workers) skip it.
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    # --- context manager ------------------------------------------------------------------

    def __enter__(self) -> Progress:
        self._start = self._last_log = self._clock()
        if self.enabled and self.interactive:
            self._start_bar()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._refresh_bar()
            self._bar.stop()
            self._bar = None
        if self.enabled:
            interrupted = " (interrupted)" if exc_type is not None else ""
            print(f"{PREFIX} {self.summary()}{interrupted}", file=self.stream, flush=True)

    # --- counting -------------------------------------------------------------------------

    def advance(self, result: DocumentResult) -> None:
        """One document finished (a failure result counts as a failure)."""
        self.done += 1
        if result.failure is not None:
            self.failures += 1
        self.visits += len(result.visits)
        self._tick()

    def skip(self) -> None:
        """One input already stored as it is: done without running the pipeline."""
        self.done += 1
        self._tick()

    def fail(self) -> None:
        """One input failed before reaching the pipeline (unreadable, not English ...)."""
        self.done += 1
        self.failures += 1
        self._tick()

    # --- figures --------------------------------------------------------------------------

    @property
    def elapsed(self) -> float:
        return max(self._clock() - self._start, 0.0)

    @property
    def rate(self) -> float:
        """Documents per second so far."""
        elapsed = self.elapsed
        return self.done / elapsed if elapsed > 0 else 0.0

    def eta(self) -> float | None:
        """Seconds left, when the total is known and the rate measurable."""
        rate = self.rate
        if self.total is None or rate <= 0:
            return None
        return max(self.total - self.done, 0) / rate

    def status(self) -> str:
        """The figures as one line (the plain-mode log line)."""
        of = f"/{self.total}" if self.total is not None else ""
        eta = self.eta()
        tail = f", ETA {_clock_time(eta)}" if eta is not None else ""
        return (
            f"{self.done}{of} documents, {self.rate:.1f} docs/s, {self.visits} visits, "
            f"{self.failures} failed, {_clock_time(self.elapsed)} elapsed{tail}"
        )

    def summary(self) -> str:
        return (
            f"done: {self.done} documents in {_clock_time(self.elapsed)} "
            f"({self.rate:.1f} docs/s), {self.visits} visits, {self.failures} failed"
        )

    # --- display --------------------------------------------------------------------------

    def _tick(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._refresh_bar()
            return
        now = self._clock()
        if now - self._last_log >= self.interval:
            self._last_log = now
            print(f"{PREFIX} {self.status()}", file=self.stream, flush=True)

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        columns: list[ProgressColumn] = [
            TextColumn("[bold]visitrack"),
            BarColumn(),
            MofNCompleteColumn() if self.total is not None else TextColumn("{task.completed} docs"),
            TextColumn("{task.fields[rate]:.1f} docs/s"),
            TextColumn("{task.fields[visits]} visits"),
            TextColumn("{task.fields[failures]} failed"),
            TimeElapsedColumn(),
        ]
        if self.total is not None:
            columns.append(TimeRemainingColumn())
        bar = RichProgress(
            *columns,
            console=Console(file=self.stream),
            refresh_per_second=REFRESH_PER_SECOND,
            transient=False,
        )
        self._task = bar.add_task("extract", total=self.total, rate=0.0, visits=0, failures=0)
        bar.start()
        self._bar = bar

    def _refresh_bar(self) -> None:
        assert self._bar is not None and self._task is not None
        self._bar.update(
            self._task,
            completed=self.done,
            rate=self.rate,
            visits=self.visits,
            failures=self.failures,
        )


def _clock_time(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
