"""A real X display for tests that need one: Xvfb at 1280×800 with openbox.

Offscreen rendering cannot show fullscreen behaviour or a window manager's close
request, so a few tests run against a real (virtual) X server instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

WIDTH, HEIGHT = 1280, 800


@contextmanager
def xvfb(width: int = WIDTH, height: int = HEIGHT, window_manager: bool = True) -> Iterator[str]:
    """Start Xvfb (and openbox); yield the DISPLAY value; stop both afterwards."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is not installed (make test installs package xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()  # Xvfb writes its display number when ready
    if not number:
        server.kill()
        raise RuntimeError("Xvfb did not start")
    display = f":{number}"
    wm = None
    try:
        if window_manager and shutil.which("openbox"):
            wm = subprocess.Popen(
                ["openbox", "--sm-disable"],
                env=dict(os.environ, DISPLAY=display),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        yield display
    finally:
        for proc in (wm, server):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
