"""The window's own words go through Qt's translations, and Spanish is complete.

The patient's texts are the content files (tests/test_content.py); these are the
staff's: the staff panel, the PIN pad and the window's staff messages.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from pytestqt.qtbot import QtBot

from kiosk import config as kiosk_config
from kiosk import translations
from kiosk.app import create_window
from kiosk.clock import FakeClock
from kiosk.config import Config
from kiosk.config_schema import LANGUAGES
from kiosk.security import hash_pin

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "kiosk" / "i18n"
SPANISH = I18N / "kiosk_es.ts"
TS_FILES = sorted(I18N.glob("kiosk_*.ts"))
GONE = ("obsolete", "vanished")
PLACEHOLDER = re.compile(r"\{(\w*)\}")
PIN = "428613"


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    found = str(path) if path.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: run make setup")
    return found


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    """(context, source, message element) of every message in a .ts file."""
    root = ET.parse(ts).getroot()
    return [(context.findtext("name") or "", message.findtext("source") or "", message)
            for context in root.iter("context") for message in context.iter("message")]


def _kind(message: ET.Element) -> str:
    translation = message.find("translation")
    return "" if translation is None else translation.get("type", "")


def _translations(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    if translation is None:
        return []
    forms = translation.findall("numerusform")
    return [form.text or "" for form in forms] if forms else [translation.text or ""]


def _lrelease(ts: Path, qm: Path) -> None:
    proc = subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and qm.is_file(), proc.stdout + proc.stderr


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """kiosk_es.qm built from the .ts into a temporary folder the kiosk loads from."""
    _lrelease(SPANISH, tmp_path / "kiosk_es.qm")
    monkeypatch.setattr(translations, "QM_DIR", tmp_path)
    yield tmp_path
    translations.install("en")  # no Spanish for the tests after this one


def make_config(log_dir: Path, language: str) -> Config:
    base = kiosk_config.defaults()
    return replace(
        base,
        kiosk=replace(base.kiosk, languages=("en", "es"), default_language=language),
        staff=replace(base.staff, pin_hash=hash_pin(PIN, n=2**4)),
        log=replace(base.log, dir=log_dir),
    )


def test_every_language_but_english_has_a_ts_file() -> None:
    missing = [code for code in LANGUAGES if code != "en" and not (I18N / f"kiosk_{code}.ts").is_file()]
    assert not missing, f"no kiosk/i18n/kiosk_<code>.ts for {missing} (README: Adding a language)"


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda path: path.name)
def test_the_ts_file_is_in_sync_with_the_sources(tmp_path: Path, ts: Path) -> None:
    fresh = tmp_path / ts.name
    proc = subprocess.run(
        [_tool("pyside6-lupdate"), "-extensions", "py", "-no-obsolete", str(ROOT / "kiosk"), "-ts", str(fresh)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    marked = {(context, source) for context, source, _ in _messages(fresh)}
    assert marked, "pyside6-lupdate found no marked strings in kiosk/"
    ours = {(context, source) for context, source, message in _messages(ts) if _kind(message) not in GONE}
    missing, stale = sorted(marked - ours), sorted(ours - marked)
    fix = (f" — run .venv/bin/pyside6-lupdate -extensions py -no-obsolete kiosk -ts kiosk/i18n/{ts.name} "
           "and translate the new messages")
    assert not missing, f"marked in the code but not in {ts.name}: {missing}{fix}"
    assert not stale, f"in {ts.name} but no longer in the code: {stale}{fix}"


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda path: path.name)
def test_every_message_is_translated_with_its_placeholders(ts: Path) -> None:
    messages = _messages(ts)
    assert messages
    for context, source, message in messages:
        kind = _kind(message)
        assert kind not in ("unfinished", *GONE), f"{context}: {source!r} is {kind}"
        texts = _translations(message)
        assert texts and all(t.strip() for t in texts), f"{context}: {source!r} has no translation"
        for text in texts:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(source)), (
                f"{context}: {source!r} → {text!r}: the {{placeholders}} differ"
            )


def test_lrelease_builds_a_loadable_qm(tmp_path: Path) -> None:
    qm = tmp_path / "kiosk_es.qm"
    _lrelease(SPANISH, qm)
    translator = QTranslator()
    assert translator.load(str(qm))
    assert translator.translate("StaffScreen", "Start session") == "Iniciar sesión"


def test_the_staff_screens_speak_the_clinics_language(
    qtbot: QtBot, tmp_path: Path, built: Path
) -> None:
    window = create_window(make_config(tmp_path / "events", "es"), clock=FakeClock())
    qtbot.addWidget(window)
    try:
        staff = window.staff_screen
        assert staff.start_button.text() == "Iniciar sesión"
        assert staff.start_button.accessibleName() == "Start session"  # names stay English
        assert staff.ack_button.accessibleName() == "Acknowledge call"
        assert staff.pin_pad.keys["Clear"].text() == "Borrar"
        assert window.staff_button.text() == "Personal"
        assert window.staff_button.accessibleName() == "Staff"
        window.open_staff()
        assert staff.pin_pad.message.text() == "Introduzca el PIN del personal."
        staff.pin_pad.type_digits("999111")
        staff.pin_pad.keys["OK"].click()
        assert staff.pin_pad.message.text() == "El PIN no es correcto. Quedan 4 intentos."
    finally:
        window.shutdown()
        window.events.close()

    assert translations.install("en")
    assert QCoreApplication.translate("StaffScreen", "Start session") == "Start session"
    window = create_window(make_config(tmp_path / "events", "en"), clock=FakeClock())
    qtbot.addWidget(window)
    try:
        assert window.staff_screen.start_button.text() == "Start session"
    finally:
        window.shutdown()
        window.events.close()


def test_a_missing_qm_leaves_english_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, qapp: object
) -> None:
    monkeypatch.setattr(translations, "QM_DIR", tmp_path)
    with caplog.at_level(logging.WARNING, logger="kiosk.translations"):
        assert translations.install("es") is False
    assert "kiosk_es.qm" in caplog.text and "make setup" in caplog.text
    assert QCoreApplication.translate("StaffScreen", "Start session") == "Start session"


def test_no_staff_text_is_left_unmarked() -> None:
    source = (ROOT / "kiosk" / "screens" / "staff.py").read_text(encoding="utf-8")
    literal = re.compile(r"""\b(?:BigButton|QLabel|setText)\(\s*f?(["'])(.*?)\1""")
    unmarked = [match.group(2) for match in literal.finditer(source) if re.search(r"[A-Za-z]", match.group(2))]
    assert not unmarked, (
        f"kiosk/screens/staff.py shows English not marked for translation: {unmarked} "
        '(wrap it in self.tr("...") or QCoreApplication.translate("StaffScreen", "..."))'
    )
