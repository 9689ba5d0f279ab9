"""Render the kiosk's screens at 1280×800 into docs/screenshots/.

Run `.venv/bin/python scripts/screenshots.py`. It builds the real window with a
throwaway event log and grabs each screen, so the pictures in the README show
exactly what the code draws.
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
from kiosk.app import create_window  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402

OUT = ROOT / "docs/screenshots"


def main() -> int:
    app = QApplication.instance() or QApplication([])
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = kiosk_config.defaults()
        cfg = replace(base, log=replace(base.log, dir=Path(tmp)))
        window = create_window(cfg, clock=FakeClock())
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        window.grab().save(str(OUT / "idle.png"))
        window.close()
        window.events.close()
    print(f"screenshots written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
