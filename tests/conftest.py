"""Shared test set-up: widget tests run offscreen unless a test asks for a real display."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from tests.realdisplay import xvfb  # noqa: E402


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """DISPLAY of a private Xvfb (1280×800) with the openbox window manager."""
    with xvfb() as display:
        yield display
