"""The window's own words (staff screens, PIN pad, staff messages) in the clinic's language.

The sources are English. `kiosk/i18n/kiosk_<language>.ts` holds each other language;
`make setup` (scripts/bootstrap.sh) builds the `.qm` files loaded here. The patient's
texts do not come from here: they are the content files (kiosk/content.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

log = logging.getLogger(__name__)

QM_DIR = Path(__file__).parent / "i18n"
SOURCE_LANGUAGE = "en"

_installed: list[QTranslator] = []


def install(language: str) -> bool:
    """Make `language` the language of the window's own words; False if its .qm cannot be loaded.

    Removes the translators installed before. English needs none. Never raises: without a
    translation the staff screens stay in English.
    """
    try:
        _remove()
        if language == SOURCE_LANGUAGE:
            return True
        if QCoreApplication.instance() is None:
            log.warning("staff screens stay in English: no application to install %s into", language)
            return False
        qm = QM_DIR / f"kiosk_{language}.qm"
        if not qm.is_file():
            log.warning("staff screens stay in English: %s is missing (run make setup)", qm)
            return False
        ours = QTranslator()
        if not ours.load(str(qm)):
            log.warning("staff screens stay in English: %s cannot be read (run make setup)", qm)
            return False
        qt = QTranslator()  # Qt's own words (standard dialogs), when Qt ships them
        if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            _add(qt)
        _add(ours)
        return True
    except Exception:  # noqa: BLE001 - a missing translation must never stop the kiosk
        log.warning("staff screens stay in English: the %s translation failed to load", language,
                    exc_info=True)
        return False


def _add(translator: QTranslator) -> None:
    if QCoreApplication.installTranslator(translator):
        _installed.append(translator)


def _remove() -> None:
    while _installed:
        QCoreApplication.removeTranslator(_installed.pop())
