"""The README's config reference is generated from the schema and cannot drift."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from kiosk.config import reference_markdown
from kiosk.config_schema import SECTIONS
from kiosk.config_validate import schema_keys

ROOT = Path(__file__).resolve().parents[1]


def _updater():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("update_readme", ROOT / "scripts/update-readme.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_config_reference_matches_the_schema() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _updater().render(readme) == readme, (
        "README.md's config reference is out of date: run "
        ".venv/bin/python scripts/update-readme.py"
    )


def test_every_key_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for section, cls in SECTIONS.items():
        assert f"`[{section}]`" in readme
        for key in schema_keys(cls):
            assert f"| `{key}` |" in readme, f"{section}.{key} missing from README"
    assert reference_markdown() in readme
