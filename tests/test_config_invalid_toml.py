"""Every file of the toml-test "invalid" suite is one clean problem, never a crash or a pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, load

SUITE = Path(__file__).resolve().parents[2] / "shared/testdata/toml-test/tests/invalid"


@pytest.mark.skipif(not SUITE.is_dir(), reason=f"toml-test suite not found at {SUITE}")
def test_every_invalid_toml_file_is_one_problem() -> None:
    files = sorted(SUITE.rglob("*.toml"))
    assert len(files) >= 500
    failures: list[str] = []
    for path in files:
        try:
            load([path])
        except ConfigError as error:
            problems = error.problems
            if len(problems) != 1 or problems[0].file != str(path):
                failures.append(f"{path}: {len(problems)} problems: {error}")
            elif problems[0].key not in ("(toml)", "(file)") or "\n" in str(problems[0]):
                failures.append(f"{path}: {problems[0]}")
        except Exception as error:  # noqa: BLE001 - report every file, not the first
            failures.append(f"{path}: raised {error!r}")
        else:
            failures.append(f"{path}: loaded without a problem")
    assert not failures, f"{len(failures)} of {len(files)} files:\n" + "\n".join(failures)
