"""`kiosk run` as a child process, its journal (stderr) read line by line without sleeping."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path


class RunningKiosk:
    """A kiosk process; offscreen unless `env` names a DISPLAY."""

    def __init__(self, config: Path, env: Mapping[str, str] | None = None) -> None:
        full_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        full_env["QT_QPA_PLATFORM"] = "offscreen"
        if env:
            full_env.update(env)
            if "DISPLAY" in env:
                full_env.pop("QT_QPA_PLATFORM")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "run", "--config", str(config)],
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)
        self.lines.put("")  # end of output

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 60) -> re.Match[str]:
        """The first new journal line matching `pattern`; fails if the kiosk stops first."""
        seen: list[str] = []
        while True:
            line = self.lines.get(timeout=timeout)
            if not line:
                raise AssertionError(f"the kiosk stopped without {pattern.pattern!r}:\n{''.join(seen)}")
            seen.append(line)
            match = pattern.search(line)
            if match:
                return match

    def stop(self, signum: int) -> int:
        self.proc.send_signal(signum)
        status = self.proc.wait(timeout=30)
        self.close()
        return status

    def close(self) -> None:
        self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        assert self.proc.stderr is not None
        self.proc.stderr.close()
