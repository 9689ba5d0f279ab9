"""The nurse-call notify command: run in the background, never waited for.

Clinic IT configures ``nurse_call.notify_command``, an argv list such as
``["/usr/local/bin/page-nurse", "--room", "{room}", "--event", "{event}"]``. The kiosk runs it
for each call, reason, reminder, escalation, acknowledgement and cancel, so a pager, a nurse
station or a chat bot hears about it.

A paging script can hang (a dead network, a full disk), and the patient's screen must not hang
with it. So `NotifyRunner`:

* starts the program with `QProcess` and returns at once: nothing here ever waits for a child
  on the GUI thread (the one exception is `shutdown`, which waits for children it has just sent
  SIGKILL, at kiosk exit);
* fills ``{room}``, ``{kiosk}``, ``{event}``, ``{reason}`` and ``{call_id}`` into the arguments,
  each item staying exactly one argument: there is no shell, so quotes, spaces or ``;`` in a
  value mean nothing special;
* starts each child in a new session (its own process group) and, when it runs longer than the
  timeout, kills the whole group, so ``sh -c "sleep 100"`` leaves no orphan behind;
* gives the child ``/dev/null`` as stdin and stdout, keeps the end of its stderr (a few KiB) for
  the error message, closes the kiosk's other file descriptors in the child and resets ignored
  signals (Python ignores SIGPIPE; a shell script should not inherit that);
* runs at most a few children at a time; more wait in a bounded first-in, first-out queue;
* reports every run, including the ones it could not start or had to drop, as one outcome dict
  on `NotifyRunner.finished`, for the caller to log.

Timeouts are QTimers parented to the runner: no threads.
"""

from __future__ import annotations

import logging
import math
import os
import re
import signal
import time
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, QProcess, Qt, QTimer, Signal, Slot

log = logging.getLogger(__name__)

PLACEHOLDERS = ("room", "kiosk", "event", "reason", "call_id")

_PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

#: How much of the end of a child's stderr is kept (the last line goes into the error).
STDERR_KEEP_BYTES = 4096
#: Longest stderr line quoted in an error.
STDERR_LINE_CHARS = 200
#: How long `shutdown` waits for one SIGKILLed child to be reaped.
SHUTDOWN_WAIT_MS = 1000


def fill_argv(template: Sequence[str], fields: Mapping[str, str]) -> list[str]:
    """The command line to run: ``{name}`` placeholders in the arguments filled in.

    Only the names in `PLACEHOLDERS` are replaced (by ``fields.get(name, "")``); any other braces
    stay as they are. The program (item 0) is taken literally. Each item stays one argument:
    nothing is split or quoted, and a value containing ``{room}`` is not filled in again.
    """
    if not template:
        return []

    def replace(match: re.Match[str]) -> str:
        return str(fields.get(match.group(1), ""))

    return [template[0], *(_PLACEHOLDER_RE.sub(replace, item) for item in template[1:])]


class _Job:
    """One run of the command: its fields, and while it runs, its process and timer."""

    def __init__(self, argv: list[str], fields: Mapping[str, str]) -> None:
        self.argv = argv
        self.event = str(fields.get("event", ""))
        self.call_id: str | None = fields.get("call_id")
        self.process: QProcess | None = None
        self.timer: QTimer | None = None
        self.started_at = 0.0
        self.stderr = bytearray()
        self.timed_out = False
        self.stopped_for_shutdown = False
        self.done = False


class NotifyRunner(QObject):
    """Runs the notify command in the background, a few at a time, each with a timeout.

    Keep a reference to it (or give it a parent) for as long as the kiosk runs, and call
    `shutdown` before letting it go: its children's QProcess objects are its Qt children.
    Every failed outcome is also logged once (Python logging, WARNING) for diagnostics.

    Signals:
        finished(dict): one per `run` (also for runs that could not start or were dropped):
            ``{"event", "call_id", "ok", "exit_code", "timed_out", "seconds", "error"}``.
            ``seconds`` is the child's run time (monotonic clock, 3 decimals; 0.0 when it
            never ran); ``error`` is None when ``ok``, else one plain sentence. It is always
            emitted from the event loop, never from inside `run`, except by `shutdown`, which
            reports the runs it stops before it returns.
    """

    finished = Signal(dict)
    # outcomes known inside run() go out through this queued signal, from the event loop
    _finished_later = Signal(dict)

    def __init__(
        self,
        template: Sequence[str],
        timeout_seconds: float,
        parent: QObject | None = None,
        *,
        max_running: int = 4,
        max_queued: int = 50,
    ) -> None:
        super().__init__(parent)
        if not (math.isfinite(timeout_seconds) and timeout_seconds > 0):
            raise ValueError(f"timeout_seconds must be a positive number, not {timeout_seconds!r}")
        if max_running < 1 or max_queued < 0:
            raise ValueError("max_running must be at least 1 and max_queued at least 0")
        self._template = tuple(template)
        self._timeout = float(timeout_seconds)
        self._max_running = max_running
        self._max_queued = max_queued
        self._queue: deque[_Job] = deque()
        self._running: list[_Job] = []
        # the job of each running child's QProcess and QTimer. Their signals go to bound
        # methods of this object, which look the job up by sender(): a lambda capturing
        # `self` would keep the runner alive from a child's connection, and releasing it
        # while Qt deletes that child deletes the child a second time.
        self._jobs: dict[QObject, _Job] = {}
        self._in_run = 0
        self._finished_later.connect(self.finished, Qt.ConnectionType.QueuedConnection)
        self._shut_down = False

    @property
    def running(self) -> int:
        """How many children are running now."""
        return len(self._running)

    @property
    def queued(self) -> int:
        """How many runs wait for a free slot."""
        return len(self._queue)

    def run(self, fields: Mapping[str, str]) -> None:
        """Start the command with these fields filled in (or queue it); returns at once.

        An empty template does nothing and reports nothing.
        """
        if not self._template:
            return
        job = _Job(fill_argv(self._template, fields), fields)
        self._in_run += 1
        try:
            if self._shut_down:
                self._report_not_run(job, "not run: the notifier was already shut down")
            elif len(self._running) < self._max_running:
                self._start(job)
            elif len(self._queue) < self._max_queued:
                self._queue.append(job)
            else:
                self._report_not_run(
                    job,
                    f"not run: {len(self._queue)} notifications were already waiting "
                    f"behind {len(self._running)} running ones",
                )
        finally:
            self._in_run -= 1

    def shutdown(self) -> None:
        """Kill every running child (and its process group), drop the queue; idempotent.

        For kiosk exit. Waits (at most about a second per child, normally far less) for the
        SIGKILLed children to be reaped, so no QProcess is destroyed while its child runs.
        Reports each stopped or dropped run on `finished` before returning.
        """
        if self._shut_down:
            return
        self._shut_down = True
        dropped = list(self._queue)
        self._queue.clear()
        for job in list(self._running):
            job.stopped_for_shutdown = True
            self._kill(job)
        for job in list(self._running):
            process = job.process
            if (process is not None and process.state() != QProcess.ProcessState.NotRunning
                    and not process.waitForFinished(SHUTDOWN_WAIT_MS)):
                log.warning("notify command %s did not die after SIGKILL", job.argv[0])
            if not job.done:  # waitForFinished normally reported it already
                self._finish(job, exit_code=None)
        for job in dropped:
            self._emit(self._outcome(job, ok=False, exit_code=None,
                                     error="not run: the kiosk was shutting down"))

    # -- starting and stopping ---------------------------------------------------------

    def _start(self, job: _Job) -> None:
        process = QProcess(self)
        job.process = process
        process.setProgram(job.argv[0])
        process.setArguments(job.argv[1:])
        flags = QProcess.UnixProcessFlag
        process.setUnixProcessParameters(
            flags.CreateNewSession | flags.CloseFileDescriptors | flags.ResetSignalHandlers
        )
        process.setStandardInputFile(QProcess.nullDevice())
        process.setStandardOutputFile(QProcess.nullDevice())
        process.readyReadStandardError.connect(self._on_process_ready_read_standard_error)
        process.errorOccurred.connect(self._on_process_error_occurred)
        process.finished.connect(self._on_process_finished)
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire 5 % early
        timer.setInterval(min(max(1, round(self._timeout * 1000)), 2**31 - 1))
        timer.timeout.connect(self._on_timer_timeout)
        job.timer = timer
        self._jobs[process] = job
        self._jobs[timer] = job
        self._running.append(job)
        job.started_at = time.monotonic()
        timer.start()
        process.start()

    def _kill(self, job: _Job) -> None:
        """SIGKILL the child's process group (its own session), then the child itself."""
        process = job.process
        if process is None or process.state() == QProcess.ProcessState.NotRunning:
            return
        pid = process.processId()
        if pid > 0:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass  # not yet in its own session, or already gone: the kill below does it
        process.kill()

    def _start_next(self) -> None:
        while self._queue and len(self._running) < self._max_running and not self._shut_down:
            self._start(self._queue.popleft())

    # -- what the child does -------------------------------------------------------------

    def _sender_job(self) -> _Job | None:
        job = self._jobs.get(self.sender())
        return None if job is None or job.done else job

    @Slot()
    def _on_process_ready_read_standard_error(self) -> None:
        job = self._sender_job()
        if job is not None:
            self._read_stderr(job)

    def _read_stderr(self, job: _Job) -> None:
        if job.process is None:
            return
        job.stderr += bytes(job.process.readAllStandardError().data())
        del job.stderr[:-STDERR_KEEP_BYTES]

    @Slot()
    def _on_timer_timeout(self) -> None:
        job = self._sender_job()
        if job is None:
            return
        job.timed_out = True
        self._kill(job)  # `finished` follows at once and reports it

    @Slot(QProcess.ProcessError)
    def _on_process_error_occurred(self, error: QProcess.ProcessError) -> None:
        job = self._sender_job()
        if error != QProcess.ProcessError.FailedToStart or job is None or job.process is None:
            return  # other errors (crash, read/write) end in `finished`, reported there
        reason = job.process.errorString().rsplit(": ", 1)[-1]
        self._finish(job, exit_code=None, error=f"could not start {job.argv[0]}: {reason}")

    @Slot(int, QProcess.ExitStatus)
    def _on_process_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        job = self._sender_job()
        if job is None:
            return
        self._read_stderr(job)
        if job.timed_out:
            self._finish(job, exit_code=None,
                         error=f"did not finish within {self._timeout:g} s and was stopped")
        elif job.stopped_for_shutdown:
            self._finish(job, exit_code=None,
                         error="stopped because the kiosk was shutting down")
        elif status == QProcess.ExitStatus.CrashExit:
            self._finish(job, exit_code=None,
                         error=self._with_stderr("was killed by a signal or crashed", job))
        elif code != 0:
            self._finish(job, exit_code=code, error=self._with_stderr(f"exit code {code}", job))
        else:
            self._finish(job, exit_code=0)

    # -- reporting -----------------------------------------------------------------------

    def _finish(self, job: _Job, *, exit_code: int | None, error: str | None = None) -> None:
        job.done = True
        seconds = time.monotonic() - job.started_at
        for obj in (job.timer, job.process):
            if obj is not None:
                self._jobs.pop(obj, None)
        if job.timer is not None:
            job.timer.stop()
            job.timer.deleteLater()
            job.timer = None
        if job.process is not None:
            job.process.deleteLater()
            job.process = None
        if job in self._running:
            self._running.remove(job)
        if error is not None:
            log.warning("notify command for %r: %s", job.event, error)
        self._emit(self._outcome(job, ok=error is None, exit_code=exit_code, error=error,
                                 seconds=seconds))
        self._start_next()

    def _report_not_run(self, job: _Job, error: str) -> None:
        log.warning("notify command for %r: %s", job.event, error)
        self._emit(self._outcome(job, ok=False, exit_code=None, error=error))

    def _emit(self, outcome: dict[str, Any]) -> None:
        if self._in_run:  # never re-enter the caller of run(): report from the event loop
            self._finished_later.emit(outcome)
        else:
            self.finished.emit(outcome)

    @staticmethod
    def _with_stderr(what: str, job: _Job) -> str:
        lines = [line.strip() for line in
                 bytes(job.stderr).decode("utf-8", errors="replace").splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            return what
        last = lines[-1]
        if len(last) > STDERR_LINE_CHARS:
            last = last[: STDERR_LINE_CHARS - 1] + "…"
        return f"{what}: {last}"

    def _outcome(self, job: _Job, *, ok: bool, exit_code: int | None, error: str | None,
                 seconds: float = 0.0) -> dict[str, Any]:
        return {
            "event": job.event,
            "call_id": job.call_id,
            "ok": ok,
            "exit_code": exit_code,
            "timed_out": job.timed_out,
            "seconds": round(seconds, 3),
            "error": error,
        }
