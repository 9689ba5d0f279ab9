"""Render the kiosk's screens at 1280×800 into docs/screenshots/.

Run `.venv/bin/python scripts/screenshots.py`. It builds the real window with a
throwaway event log and an injected clock, drives it the way a nurse would, and
grabs each screen, so the README's pictures show exactly what the code draws.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from kiosk import config as kiosk_config  # noqa: E402
from kiosk.app import KioskWindow, create_window  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402
from kiosk.security import hash_pin  # noqa: E402
from kiosk.session import STAGES  # noqa: E402

OUT = ROOT / "docs/screenshots"
PIN = "428613"


def grab(app: QApplication, window: KioskWindow, name: str) -> None:
    app.processEvents()
    window.grab().save(str(OUT / f"{name}.png"))


def main() -> int:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = kiosk_config.defaults()
        cfg = replace(
            base,
            kiosk=replace(base.kiosk, clinic_name="Harbour Street Infusion Suite", languages=("en", "es")),
            staff=replace(base.staff, pin_hash=hash_pin(PIN, n=2**4)),
            log=replace(base.log, dir=Path(tmp)),
        )
        clock = FakeClock()
        window = create_window(cfg, clock=clock)
        window.resize(1280, 800)
        window.show()
        grab(app, window, "idle")

        staff = window.staff_screen
        window.open_staff()
        staff.pin_pad.type_digits("42")
        grab(app, window, "staff-pin")
        staff.pin_pad.type_digits("8613")
        staff.pin_pad.keys["OK"].click()
        grab(app, window, "staff-panel-idle")
        staff.exit_button.click()
        grab(app, window, "staff-panel-confirm-exit")
        staff.confirm_no.click()
        staff.start_button.click()
        for index, stage in enumerate(STAGES):
            if index:
                window.open_staff()
                staff.pin_pad.type_digits(PIN)
                staff.pin_pad.keys["OK"].click()
                staff.next_button.click()
            if stage == "infusion":
                clock.advance(18 * 60)
                grab(app, window, "staff-panel-visit")
            staff.close_button.click()
            window.stage_screen.refresh()
            grab(app, window, f"stage-{index + 1}-{stage}")
        # the infusion in Spanish, the longer language
        window.open_staff()
        staff.pin_pad.type_digits(PIN)
        staff.pin_pad.keys["OK"].click()
        staff.end_button.click()
        staff.confirm_yes.click()
        staff.language_buttons["es"].click()
        staff.start_button.click()
        staff.next_button.click()
        staff.next_button.click()
        clock.advance(18 * 60)
        staff.close_button.click()
        grab(app, window, "stage-3-infusion-es")
        window.shutdown()
        window.events.close()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
