"""Keeping the kiosk on screen: no keyboard exits, no context menus, no crash exits.

The window itself refuses close requests and un-minimises itself; this module
holds the application-wide parts: an event filter that swallows the keys and
menus a patient could use to leave, and the crash handler that records an error
and returns the patient to a calm screen instead of letting the kiosk die.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

log = logging.getLogger(__name__)

#: (key, modifiers) that desktops use to close, quit or switch away.
BLOCKED_KEYS: frozenset[tuple[int, Qt.KeyboardModifier]] = frozenset(
    {
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Tab, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier),
    }
)
_MODIFIER_MASK = (
    Qt.KeyboardModifier.ShiftModifier
    | Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def is_blocked_key(event: QKeyEvent) -> bool:
    modifiers = event.modifiers() & _MODIFIER_MASK
    key = event.key()
    if (key, modifiers) in BLOCKED_KEYS:
        return True
    # Any Ctrl+Alt combination (Ctrl+Alt+Backspace, Ctrl+Alt+Fn) is never ours.
    both = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    return bool((modifiers & both) == both)


class LockdownFilter(QObject):
    """Application-wide: swallow exit keys and context menus; report any touch.

    `on_activity` is called for every press or key, so the window can restart
    its staff and idle timers.
    """

    _INPUT = {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.KeyPress,
    }

    def __init__(self, on_activity: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_activity = on_activity

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind == QEvent.Type.ContextMenu:
            return True
        if kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.KeyRelease):
            if isinstance(event, QKeyEvent) and is_blocked_key(event):
                event.accept()
                return True
        if kind in self._INPUT:
            self._on_activity()
        return False


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def crash_handler(record_error: Callable[[dict[str, str]], None], recover: Callable[[], None]) -> ExceptHook:
    """A `sys.excepthook` that logs, records an `error` event and keeps the kiosk running.

    PySide6 hands exceptions raised in slots to `sys.excepthook`; without this a
    bug in one button would print a traceback and could leave a blank screen.
    The event holds only the exception's type and where it happened, never its
    message (which could carry anything).
    """

    def handle(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.critical("unexpected error", exc_info=(kind, error, tb))
        frames = traceback.extract_tb(tb)
        where = f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else "?"
        try:
            record_error({"what": "exception", "type": kind.__name__, "where": where})
        except Exception:  # the log itself may be what failed
            log.critical("could not record the error in the event log", exc_info=True)
        try:
            recover()
        except Exception:
            log.critical("could not return to the patient screen", exc_info=True)

    return handle


def keep_screen_awake() -> None:
    """Stop an X11 server from blanking the screen (Wayland: the compositor's setting).

    IT should also turn screen blanking off in the session itself; see the README.
    """
    xset = shutil.which("xset")
    if xset is None:
        log.info("xset not found: screen blanking is left to the session's settings")
        return
    for args in (["s", "off"], ["s", "noblank"], ["-dpms"]):
        try:
            subprocess.run([xset, *args], check=False, timeout=5, capture_output=True)
        except (OSError, subprocess.SubprocessError) as error:
            log.warning("xset %s failed: %s", " ".join(args), error)
