"""The worker's log: one line per batch of tasks, not two per task.

django_tasks logs every task when it starts and when it finishes; under `make run` a burst of
mail pushed the demo banner off the screen in seconds. In the worker those lines are dropped (a
failed task is still logged, with its traceback: only INFO lines go) and BatchLog writes one
line when the queue has gone quiet, e.g. "12 tasks done in 3.4 s: deliver_email 10, index_candidate 2".
"""

import logging
import threading
import time
from collections import Counter

from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

log = logging.getLogger("careerrelay.worker")

PER_TASK_LOGGER = "django_tasks"
QUIET_SECONDS = 1.0
# A long batch still shows signs of life.
LONGEST_SILENCE_SECONDS = 60.0


class DropPerTaskLines(logging.Filter):
    def filter(self, record):
        return record.levelno > logging.INFO or not str(record.msg).startswith("Task id=")


class BatchLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._done = Counter()
        self._failed = 0
        self._first = self._last = 0.0

    def task_finished(self, sender, task_result, **kwargs):
        now = time.monotonic()
        with self._lock:
            if not self._done:
                self._first = now
            self._done[task_result.task.name] += 1
            self._failed += task_result.status == TaskResultStatus.FAILED
            self._last = now

    def flush(self) -> str:
        """Log the tasks finished since the last line, if any; returns the line."""
        with self._lock:
            if not self._done:
                return ""
            total = sum(self._done.values())
            kinds = ", ".join(f"{name} {count}" for name, count in self._done.most_common())
            line = f"{total} task{'s' if total > 1 else ''} done in {self._last - self._first:.1f} s: {kinds}"
            if self._failed:
                line += f" ({self._failed} failed, see above)"
            self._done.clear()
            self._failed = 0
        log.info(line)
        return line

    def forget(self) -> None:
        with self._lock:
            self._done.clear()
            self._failed = 0

    def due(self, now: float) -> bool:
        with self._lock:
            return bool(self._done) and (
                now - self._last >= QUIET_SECONDS or now - self._first >= LONGEST_SILENCE_SECONDS
            )


_installed: BatchLog | None = None
_install_lock = threading.Lock()


def log_batches() -> BatchLog:
    """Install the filter and the summary in this process, once (the worker command calls it).

    Counting starts afresh: tasks run in this process before (the immediate backend, in tests) are
    not the worker's."""
    global _installed
    with _install_lock:
        if _installed is None:
            logging.getLogger(PER_TASK_LOGGER).addFilter(DropPerTaskLines())
            _installed = BatchLog()
            # The task framework's own signal, for log lines only; no domain behaviour hangs on it.
            task_finished.connect(_installed.task_finished, weak=False)
            threading.Thread(target=_flush_when_quiet, args=(_installed,), name="worker-batch-log", daemon=True).start()
        _installed.forget()
    return _installed


def _flush_when_quiet(batches: BatchLog) -> None:
    while True:
        time.sleep(QUIET_SECONDS / 2)
        if batches.due(time.monotonic()):
            batches.flush()
