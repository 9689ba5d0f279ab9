"""The notify command runs in the background: filled-in argv, outcomes, timeouts, no orphans."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from kiosk.notify import PLACEHOLDERS, NotifyRunner, fill_argv

FIELDS = {
    "room": "Room 3",
    "kiosk": "chair-3",
    "event": "nurse_call.requested",
    "reason": "pain",
    "call_id": "c-17",
}

# A child that starts a grandchild sleeping for a minute, writes the grandchild's pid to the
# file named by its first argument, and waits for it: a "hanging" paging script.
HANG = ["sh", "-c", 'sleep 60 & echo $! > "$1"; wait', "sh"]


def process_gone(pid: int) -> bool:
    """True when the process no longer runs (a zombie counts as gone: nobody may reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def read_pid(path: Path) -> int:
    text = path.read_text().strip() if path.exists() else ""
    return int(text) if text else 0


@pytest.fixture
def make_runner() -> Iterator[Any]:
    runners: list[NotifyRunner] = []

    def make(template: list[str], timeout: float = 5.0, **kwargs: int) -> NotifyRunner:
        runner = NotifyRunner(template, timeout, **kwargs)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.shutdown()


# -- fill_argv ----------------------------------------------------------------------------


def test_fill_argv_fills_every_placeholder() -> None:
    template = ["/usr/local/bin/page-nurse", *(f"--{n}={{{n}}}" for n in PLACEHOLDERS)]
    assert fill_argv(template, FIELDS) == [
        "/usr/local/bin/page-nurse",
        "--room=Room 3",
        "--kiosk=chair-3",
        "--event=nurse_call.requested",
        "--reason=pain",
        "--call_id=c-17",
    ]


def test_fill_argv_missing_fields_become_empty_and_unknown_braces_stay() -> None:
    template = ["page", "{reason}", "{unknown}", "{", "}{room}{", "{{room}}", "{ room }"]
    assert fill_argv(template, {"room": "R1"}) == [
        "page", "", "{unknown}", "{", "}R1{", "{R1}", "{ room }",
    ]


def test_fill_argv_does_not_template_the_program() -> None:
    assert fill_argv(["/opt/{room}/page", "{room}"], FIELDS) == ["/opt/{room}/page", "Room 3"]
    assert fill_argv([], FIELDS) == []


def test_fill_argv_values_stay_one_argument_and_are_not_filled_again() -> None:
    nasty = "it's \"Room 3\"; rm -rf / $(reboot) `x` {kiosk}"
    assert fill_argv(["page", "--room", "{room}", "{room}-{event}"], {"room": nasty, "event": "e"}) == [
        "page", "--room", nasty, f"{nasty}-e",
    ]


# -- running ------------------------------------------------------------------------------


def test_command_gets_the_filled_argv(qtbot: Any, make_runner: Any, tmp_path: Path) -> None:
    out = tmp_path / "argv.json"
    nasty = 'Room "3"; echo pwned $(id) \'x\''
    script = "import json, sys; json.dump(sys.argv[1:], open(sys.argv[1], 'w'))"
    runner = make_runner([sys.executable, "-c", script, str(out), "--room", "{room}",
                          "--event", "{event}", "{kiosk}/{reason}/{call_id}", "{other}", ""])
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        runner.run({**FIELDS, "room": nasty})
        assert runner.running == 1  # started, not waited for
    outcome = blocker.args[0]
    assert outcome["ok"] is True, outcome
    assert outcome == {
        "event": "nurse_call.requested", "call_id": "c-17", "ok": True, "exit_code": 0,
        "timed_out": False, "seconds": outcome["seconds"], "error": None,
    }
    assert 0 < outcome["seconds"] < 10
    assert json.loads(out.read_text()) == [
        str(out), "--room", nasty, "--event", "nurse_call.requested",
        "chair-3/pain/c-17", "{other}", "",
    ]
    assert runner.running == 0


def test_child_gets_empty_stdin(qtbot: Any, make_runner: Any, tmp_path: Path) -> None:
    out = tmp_path / "stdin.txt"
    script = "import sys; open(sys.argv[1], 'w').write(repr(sys.stdin.read()))"
    runner = make_runner([sys.executable, "-c", script, str(out)])
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        runner.run(FIELDS)
    assert blocker.args[0]["ok"] is True
    assert out.read_text() == "''"


def test_failing_command_reports_exit_code_and_last_stderr_line(
    qtbot: Any, make_runner: Any
) -> None:
    script = ("import sys; print('lots of output'); "
              "sys.stderr.write('warming up\\npager offline: no route to host\\n\\n'); sys.exit(3)")
    runner = make_runner([sys.executable, "-c", script])
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        runner.run({"event": "nurse_call.reminder"})
    outcome = blocker.args[0]
    assert outcome["ok"] is False
    assert outcome["exit_code"] == 3
    assert outcome["timed_out"] is False
    assert outcome["call_id"] is None
    assert outcome["event"] == "nurse_call.reminder"
    assert outcome["error"] == "exit code 3: pager offline: no route to host"


def test_long_stderr_is_capped(qtbot: Any, make_runner: Any) -> None:
    script = ("import sys; sys.stderr.write('x' * 1_000_000 + '\\n' + 'y' * 500 + '\\n'); "
              "sys.exit(1)")
    runner = make_runner([sys.executable, "-c", script])
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        runner.run(FIELDS)
    error = blocker.args[0]["error"]
    assert error.startswith("exit code 1: yyyy")
    assert len(error) <= len("exit code 1: ") + 200


def test_missing_program_could_not_start(qtbot: Any, make_runner: Any) -> None:
    runner = make_runner(["/nonexistent/page-nurse", "--room", "{room}"])
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        runner.run(FIELDS)
    outcome = blocker.args[0]
    assert outcome["ok"] is False
    assert outcome["exit_code"] is None
    assert outcome["error"] == "could not start /nonexistent/page-nurse: No such file or directory"
    assert runner.running == 0


def test_hanging_command_is_stopped_with_its_process_group_while_the_gui_stays_responsive(
    qtbot: Any, make_runner: Any, tmp_path: Path
) -> None:
    pid_file = tmp_path / "grandchild.pid"
    runner = make_runner([*HANG, str(pid_file)], timeout=0.3)
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1

    ticker = QTimer()
    ticker.setInterval(10)
    ticker.timeout.connect(tick)
    ticker.start()
    started = time.monotonic()
    with qtbot.waitSignal(runner.finished, timeout=10_000) as blocker:
        runner.run(FIELDS)
        assert time.monotonic() - started < 0.1  # run() returned at once
    waited = time.monotonic() - started
    ticker.stop()

    outcome = blocker.args[0]
    assert outcome["ok"] is False
    assert outcome["timed_out"] is True
    assert outcome["exit_code"] is None
    assert outcome["error"] == "did not finish within 0.3 s and was stopped"
    assert 0.3 <= outcome["seconds"] < 3
    # a 10 ms timer kept firing during the ~0.3 s wait: the event loop was never blocked
    assert ticks >= 0.5 * waited / 0.010, (ticks, waited)

    grandchild = read_pid(pid_file)
    assert grandchild > 0
    qtbot.waitUntil(lambda: process_gone(grandchild), timeout=5000)
    assert runner.running == 0


def test_at_most_max_running_at_once_and_all_finish(qtbot: Any, make_runner: Any) -> None:
    runner = make_runner([sys.executable, "-c", "import time; time.sleep(0.2)"], max_running=4)
    outcomes: list[dict[str, Any]] = []
    runner.finished.connect(outcomes.append)
    most = 0

    def sample() -> None:
        nonlocal most
        most = max(most, runner.running)

    sampler = QTimer()
    sampler.setInterval(5)
    sampler.timeout.connect(sample)
    sampler.start()
    for i in range(6):
        runner.run({"event": "nurse_call.requested", "call_id": f"c-{i}"})
    assert (runner.running, runner.queued) == (4, 2)
    qtbot.waitUntil(lambda: len(outcomes) == 6, timeout=20_000)
    sampler.stop()
    assert most == 4
    assert all(o["ok"] for o in outcomes), outcomes
    assert sorted(o["call_id"] for o in outcomes) == [f"c-{i}" for i in range(6)]
    assert (runner.running, runner.queued) == (0, 0)


def test_full_queue_drops_runs_and_says_so_from_the_event_loop(
    qtbot: Any, make_runner: Any, tmp_path: Path
) -> None:
    runner = make_runner([*HANG, str(tmp_path / "pid")], max_running=1, max_queued=1)
    outcomes: list[dict[str, Any]] = []
    runner.finished.connect(outcomes.append)
    for i in range(3):
        runner.run({"event": "nurse_call.requested", "call_id": f"c-{i}"})
    assert outcomes == []  # never reported from inside run()
    qtbot.waitUntil(lambda: len(outcomes) == 1, timeout=5000)
    assert outcomes[0]["call_id"] == "c-2"
    assert outcomes[0]["ok"] is False
    assert outcomes[0]["error"].startswith("not run: 1 notifications were already waiting")
    assert (runner.running, runner.queued) == (1, 1)


def test_shutdown_kills_running_children_and_drops_the_queue(
    qtbot: Any, make_runner: Any, tmp_path: Path
) -> None:
    pid_files = [tmp_path / f"{i}.pid" for i in range(3)]
    runner = make_runner(["sh", "-c", 'sleep 60 & echo $! > "$1"; wait', "sh",
                          str(tmp_path / "{call_id}.pid")], timeout=60, max_running=2)
    outcomes: list[dict[str, Any]] = []
    runner.finished.connect(outcomes.append)
    for i in range(3):
        runner.run({"event": "nurse_call.requested", "call_id": str(i)})
    qtbot.waitUntil(lambda: read_pid(pid_files[0]) > 0 and read_pid(pid_files[1]) > 0,
                    timeout=5000)
    grandchildren = [read_pid(p) for p in pid_files[:2]]
    assert (runner.running, runner.queued) == (2, 1)

    runner.shutdown()

    assert runner.running == 0 and runner.queued == 0
    assert sorted((o["call_id"], o["error"]) for o in outcomes) == [
        ("0", "stopped because the kiosk was shutting down"),
        ("1", "stopped because the kiosk was shutting down"),
        ("2", "not run: the kiosk was shutting down"),
    ]
    assert not pid_files[2].exists()
    for pid in grandchildren:
        qtbot.waitUntil(lambda pid=pid: process_gone(pid), timeout=5000)

    runner.shutdown()  # idempotent
    assert len(outcomes) == 3
    runner.run({"event": "nurse_call.cancelled", "call_id": "3"})
    qtbot.waitUntil(lambda: len(outcomes) == 4, timeout=5000)
    assert outcomes[3]["error"] == "not run: the notifier was already shut down"


def test_empty_template_does_nothing(qtbot: Any, make_runner: Any) -> None:
    runner = make_runner([])
    with qtbot.assertNotEmitted(runner.finished, wait=50):
        runner.run(FIELDS)
    assert runner.running == 0


def test_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError):
        NotifyRunner(["true"], 0)
