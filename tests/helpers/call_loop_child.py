"""A kiosk window that taps Call nurse, a reason and Cancel call in a loop, for SIGKILL tests.

    call_loop_child.py CONFIG SEED

Run as a script (offscreen), never imported by pytest. It first prints what the
restarted kiosk shows (`SHOWS <call_id>|- <status>|- <cancel visible 0/1>`), then
taps at random forever. `VISIBLE <call_id>` is printed only after Cancel call is on
screen for that call, so each such line is a promise that the call is in the log
when the parent kills this process with SIGKILL.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk import config as kiosk_config
from kiosk.app import create_window


def main() -> int:
    config = kiosk_config.load([Path(sys.argv[1])])
    rng = random.Random(int(sys.argv[2]))
    app = QApplication(sys.argv[:1])
    window = create_window(config)
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    state = window.calls.state
    cancel_shown = window.call_strip.cancel_button.isVisible() or (
        window.call_screen.cancel_button.isVisible())
    print(f"SHOWS {state.call_id or '-'} {state.status if state.is_open else '-'} "
          f"{int(cancel_shown)}", flush=True)

    def step() -> None:
        choice = rng.random()
        if choice < 0.5 or not window.calls.state.is_open:
            window.call_button.click()
            call_id = window.calls.state.call_id
            if window.call_screen.cancel_button.isVisible() or (
                    window.call_strip.cancel_button.isVisible()):
                print(f"VISIBLE {call_id}", flush=True)
        elif choice < 0.7 and window.current_screen() is window.call_screen:
            buttons = list(window.call_screen.reason_buttons.values())
            rng.choice(buttons).click()
        else:
            for button in (window.call_screen.cancel_button, window.call_strip.cancel_button):
                if button.isVisible():
                    button.click()
                    break
            print(f"CANCELLED {window.calls.state.call_id or '-'}", flush=True)

    timer = QTimer()
    timer.timeout.connect(step)
    timer.start(0)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
