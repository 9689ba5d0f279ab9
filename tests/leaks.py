"""Leak guards for Qt tests: what a test starts or builds, it must stop or delete.

`conftest.qt_leak_guard` takes a `snapshot()` before each test and calls
`check()` after the test and every function-scoped fixture have been torn down
(pytest-qt has closed and deleteLater()-ed the widgets given to `qtbot.addWidget`
by then). A test fails if it left behind:

- a top-level widget (window) that is still alive, shown or hidden: pending
  deleteLater() calls are carried out and Python's garbage collected first, so only
  a widget that something still holds counts;
- an active QTimer that Python can reach (a parentless one that Python keeps, or
  the child of any object that is still alive);
- a running QAbstractAnimation (property and variant animations, groups);
- a running QThread or QProcess, a QMediaPlayer still playing, a QSoundEffect still sounding.

Python reaches an object if it has a live Shiboken wrapper: Python-made objects and
their Qt children all do. They are listed with `shiboken6.getAllValidWrappers()`,
which is far cheaper than scanning `gc.get_objects()` after every test.

Only what the test added counts: windows that existed before it and timers,
animations, threads and players that were already running before it (a module- or
session-scoped fixture's, set up before the test's function-scoped fixtures) are
left alone, so no allow-list is needed. Qt's own timers that no Python object
reaches (QTimer.singleShot, QBasicTimer) are out of reach here.

What leaked is named in the failure and then cleaned up (timers and animations
stopped, windows deleted), so one leaky test does not spill into the next.
Nothing here creates a QApplication: without one there is nothing to check, and
a run of core tests that never imports Qt never loads it.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

MAX_NAMED = 20
"""At most this many leaks are described one by one in a failure."""


@dataclass
class Snapshot:
    """What was alive or running before a test; kept by identity (`held` keeps the ids unique)."""

    held: list[object] = field(default_factory=list)
    ids: set[int] = field(default_factory=set)

    def add(self, obj: object) -> None:
        if id(obj) not in self.ids:
            self.ids.add(id(obj))
            self.held.append(obj)

    def __contains__(self, obj: object) -> bool:
        return id(obj) in self.ids


@dataclass
class Leak:
    kind: str  # "widget", "timer", "animation", "thread", "process", "player", "sound"
    obj: Any


def _qt_loaded() -> bool:
    return "PySide6.QtCore" in sys.modules


def _application() -> Any:
    if not _qt_loaded():
        return None
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.instance()


def snapshot() -> Snapshot | None:
    """What exists before a test (None: no QApplication, so nothing of Qt to guard yet)."""
    if _application() is None:
        return None
    _delete_later_now()
    before = Snapshot()
    for obj in _windows():
        before.add(obj)
    for _kind, obj in _running():
        before.add(obj)
    return before


def check(before: Snapshot | None, test: str) -> str | None:
    """What `test` left behind, described for a failure (None: nothing); cleans it up."""
    if _application() is None:
        return None
    before = before or Snapshot()
    leaks = find_leaks(before)
    if leaks:
        gc.collect()  # only when something is suspect: a full collection is not free
        leaks = find_leaks(before)
    if not leaks:
        return None
    message = report(leaks, test)
    clean_up(leaks)
    return message


def find_leaks(before: Snapshot) -> list[Leak]:
    """Windows alive and timers, animations, threads and players running now that `before` lacks."""
    _delete_later_now()
    windows = [w for w in _windows() if w not in before]
    found = [Leak("widget", w) for w in windows]
    for kind, obj in _running():
        if obj in before or _inside(obj, windows):
            continue  # a window's own timers and animations go with it
        found.append(Leak(kind, obj))
    return found


def running_in(root: Any) -> list[str]:
    """What still runs among `root`'s descendants (for tests of a shutdown: it should be nothing).

    The guard cannot see these once the window is deleted, which stops them too; but a
    window that was shut down should not need its deletion to go quiet.
    """
    return [f"{kind}: {_describe(Leak(kind, obj), '')}" for kind, obj in _running() if _inside(obj, [root])]


def report(leaks: list[Leak], test: str) -> str:
    lines = [f"{test} left {len(leaks)} Qt object(s) behind after its teardown:"]
    lines += [f"  - {leak.kind}: {_describe(leak, test)}" for leak in leaks[:MAX_NAMED]]
    if len(leaks) > MAX_NAMED:
        lines.append(f"  ... and {len(leaks) - MAX_NAMED} more")
    lines.append(
        "Give each window to qtbot.addWidget() (and shut a KioskWindow down), stop the timers, "
        "animations and players the test starts, or make the code under test stop them. "
        "The guard has now deleted and stopped these, so later tests do not see them."
    )
    return "\n".join(lines)


def clean_up(leaks: Iterable[Leak]) -> None:
    """Stop and delete what leaked (best effort: a wrapper may already be gone)."""
    from PySide6.QtCore import QMetaObject, Qt
    from shiboken6 import isValid

    for leak in leaks:
        obj = leak.obj
        if not isValid(obj):
            continue
        if leak.kind == "widget":
            obj.hide()
            obj.deleteLater()
        elif leak.kind in ("timer", "animation", "sound"):
            obj.stop()
        elif leak.kind == "player":
            # as kiosk.media.player does: stop() waits for FFmpeg threads that may need the GIL
            QMetaObject.invokeMethod(obj, "stop", Qt.ConnectionType.DirectConnection)
        elif leak.kind == "thread":
            obj.quit()
            obj.wait(2000)
        elif leak.kind == "process":
            obj.kill()
            obj.waitForFinished(2000)
    _delete_later_now()


# -- inside --------------------------------------------------------------------------------
def _delete_later_now() -> None:
    """Carry out pending deleteLater() calls (a deletion may post more)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(3):
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _windows() -> list[Any]:
    from PySide6.QtWidgets import QApplication
    from shiboken6 import isValid

    if not isinstance(_application(), QApplication):
        return []
    return [w for w in QApplication.topLevelWidgets() if isValid(w)]


def _running() -> list[tuple[str, Any]]:
    """(kind, object) for each timer, animation, thread, player and sound running that Python reaches."""
    return list(_each_running())  # and let go of the list of every wrapper at once


def _each_running() -> Iterator[tuple[str, Any]]:
    from PySide6.QtCore import QAbstractAnimation, QProcess, QThread, QTimer
    from shiboken6 import getAllValidWrappers, isValid

    multimedia = sys.modules.get("PySide6.QtMultimedia")
    player_type = getattr(multimedia, "QMediaPlayer", None)
    sound_type = getattr(multimedia, "QSoundEffect", None)
    main = _application().thread()
    for obj in getAllValidWrappers():
        if not isValid(obj):
            continue
        if isinstance(obj, QTimer):
            if obj.isActive():
                yield "timer", obj
        elif isinstance(obj, QAbstractAnimation):
            running = QAbstractAnimation.State.Running
            group = obj.group()
            if obj.state() == running and (group is None or group.state() != running):
                yield "animation", obj  # a running group is named once, not each of its parts
        elif isinstance(obj, QThread):
            if obj.isRunning() and obj is not main:
                yield "thread", obj
        elif isinstance(obj, QProcess):
            if obj.state() != QProcess.ProcessState.NotRunning:
                yield "process", obj
        elif player_type is not None and isinstance(obj, player_type):
            if obj.playbackState() == player_type.PlaybackState.PlayingState:
                yield "player", obj
        elif sound_type is not None and isinstance(obj, sound_type) and obj.isPlaying():
            yield "sound", obj


def _inside(obj: Any, windows: list[Any]) -> bool:
    if not windows:
        return False
    ids = {id(w) for w in windows}
    parent = obj.parent()
    while parent is not None:
        if id(parent) in ids:
            return True
        parent = parent.parent()
    return False


def _describe_widget(widget: Any, test: str) -> str:
    state = "shown" if widget.isVisible() else "hidden, not deleted"
    return (f"{_name(widget)} window title {widget.windowTitle()!r}, {state}; "
            f"created by {test} (qtbot.addWidget it, and shut it down if it is a KioskWindow)")


def _describe(leak: Leak, test: str) -> str:
    kind, obj = leak.kind, leak.obj
    if kind == "widget":
        return _describe_widget(obj, test)
    details: list[str] = []
    if kind == "timer":
        details.append(f"interval {obj.interval()} ms, {'single shot' if obj.isSingleShot() else 'repeating'}")
    elif kind == "animation":
        duration = obj.duration()
        details.append("forever" if duration < 0 else f"{duration} ms")
        target = getattr(obj, "targetObject", None)
        if target is not None and target() is not None:
            name = bytes(obj.propertyName().data()).decode()
            details.append(f"animating {_name(target())}.{name}")
    elif kind == "process":
        details.append(f"running {obj.program()!r}, pid {obj.processId()}")
    elif kind == "player":
        details.append(f"playing {obj.source().toString()!r}")
    elif kind == "sound":
        details.append(f"sounding {obj.source().toString()!r}")
    where = _where(obj)
    return f"{_name(obj)} ({', '.join(details)}) {where}" if details else f"{_name(obj)} {where}"


def _name(obj: Any) -> str:
    qt_class = obj.metaObject().className()
    python_class = type(obj).__name__
    cls = python_class if qt_class.rsplit("::", 1)[-1] == python_class else f"{python_class} ({qt_class})"
    return f"{cls} {obj.objectName()!r}" if obj.objectName() else cls


def _where(obj: Any) -> str:
    """Who holds `obj`: its attribute name and its parents, or what Python object keeps it."""
    parent = obj.parent()
    if parent is None:
        holders = _holders(obj)
        return f"(no parent; kept by {holders})" if holders else "(no parent; kept by Python)"
    chain: list[str] = []
    child = obj
    while parent is not None and len(chain) < 4:
        chain.append(f"{_name(parent)}{_attribute(parent, child)}")
        child, parent = parent, parent.parent()
    return "child of " + " < ".join(chain)


def _attribute(owner: Any, obj: Any) -> str:
    """' (as .<name>)' if `owner` keeps `obj` in an attribute, else ''."""
    for name, value in getattr(owner, "__dict__", {}).items():
        if value is obj:
            return f" (as .{name})"
    return ""


def _holders(obj: Any) -> str:
    names: list[str] = []
    for referrer in gc.get_referrers(obj):
        if isinstance(referrer, dict):
            key = next((k for k, v in referrer.items() if v is obj), "?")
            for owner in gc.get_referrers(referrer):
                if getattr(owner, "__dict__", None) is referrer and not isinstance(owner, Leak):
                    kind = owner.__name__ if isinstance(owner, ModuleType) else type(owner).__name__
                    names.append(f"{kind}.{key}")
        elif isinstance(referrer, list | tuple | set):
            names.append(f"a {type(referrer).__name__}")
    return ", ".join(sorted(set(names))[:5])
