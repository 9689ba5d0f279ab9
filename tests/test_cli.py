"""The `kiosk` command as IT uses it: exit codes and one line per problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main

ROOT = Path(__file__).resolve().parents[1]
INVALID = ROOT.parent / "shared/testdata/toml-test/tests/invalid"


def kiosk(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=60, **kw
    )


def test_check_config_of_the_shipped_example() -> None:
    proc = kiosk("check-config", str(ROOT / "config/kiosk.toml"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK: room 'Room 1'")
    assert len(proc.stdout.splitlines()) == 1
    assert proc.stderr == ""


def test_check_config_reports_every_problem_with_file_line_and_key(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(
        "[kiosk]\n"
        'room = ""\n'
        "[session]\n"
        "infusion_minuets = 40\n"
        "[music]\n"
        "volume = 1.5\n",
        encoding="utf-8",
    )
    proc = kiosk("check-config", str(site))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0].startswith(f"{site}:2: kiosk.room: ")
    assert lines[1] == (
        f"{site}:4: session.infusion_minuets: unknown key (did you mean 'infusion_minutes'?)"
    )
    assert lines[2].startswith(f"{site}:6: music.volume: ")
    assert lines[-1] == "3 problems found; nothing was changed."
    assert "Traceback" not in proc.stderr


def test_check_config_layers_files_in_order(tmp_path: Path) -> None:
    first = tmp_path / "a.toml"
    first.write_text("[music]\nmax_volume = 0.3\n", encoding="utf-8")
    second = tmp_path / "b.toml"
    second.write_text("[music]\nmax_volume = 0.9\n", encoding="utf-8")
    # volume (0.4 by default) above max_volume is an error only if a.toml wins
    assert main(["check-config", str(second), str(first)]) == 2
    assert main(["check-config", str(first), str(second)]) == 0


def test_check_config_reports_the_clinics_texts_at_their_lines(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    bad = texts / "en.toml"
    bad.write_text('[discharge]\nwho_to_call = "Call 555 0100."\n\n[comfort]\nmusic_sofer = "x"\n',
                   encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text('[kiosk]\ncontent_dir = "texts"\n', encoding="utf-8")
    proc = kiosk("check-config", str(site), cwd=ROOT)  # relative to site.toml, not to cwd
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"{bad}:5: comfort.music_sofer: unknown comfort text (did you mean 'music_softer'?)",
        "1 problem found; nothing was changed.",
    ]


def test_check_config_reports_each_languages_texts(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text('[about]\ncard_of = "{number}"\n', encoding="utf-8")
    (tmp_path / "es.toml").write_text('[checkin]\nfeel_1 = ""\n', encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text('[kiosk]\nlanguages = ["en", "es"]\ncontent_dir = "."\n', encoding="utf-8")
    proc = kiosk("check-config", str(site))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'en.toml'}:2: about.card_of: missing placeholder "
                               "{count} (")
    assert lines[1] == f"{tmp_path / 'es.toml'}:2: checkin.feel_1: is empty (some text)"
    assert lines[2] == "2 problems found; nothing was changed."


def test_check_config_accepts_good_clinic_texts(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "es.toml").write_text(
        '[discharge]\nwho_to_call = "Si se siente mal en casa, llame al 555 0100."\n',
        encoding="utf-8")
    site = tmp_path / "site.toml"
    site.write_text('[kiosk]\nlanguages = ["en", "es"]\ncontent_dir = "texts"\n',
                    encoding="utf-8")
    proc = kiosk("check-config", str(site))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("OK: room 'Room 1'")
    assert proc.stdout.rstrip().endswith(f", clinic texts from {texts}: es.toml")
    assert len(proc.stdout.splitlines()) == 1
    # a folder with no file for any configured language is allowed, and said
    site.write_text('[kiosk]\ncontent_dir = "texts"\n', encoding="utf-8")
    proc = kiosk("check-config", str(site))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith(
        f", clinic texts folder {texts}: no en.toml (our texts only)")


def test_check_config_names_a_missing_texts_folder(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text('[kiosk]\nroom = "Room 2"\ncontent_dir = "texts"\n', encoding="utf-8")
    proc = kiosk("check-config", str(site))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        (f"{site}:3: kiosk.content_dir: not found: {tmp_path / 'texts'} "
         '(an existing folder, or "" for none)'),
        "1 problem found; nothing was changed.",
    ]


def test_check_config_without_clinic_texts_says_nothing_of_them() -> None:
    proc = kiosk("check-config", str(ROOT / "config/kiosk.toml"))
    assert proc.returncode == 0, proc.stderr
    assert "clinic texts" not in proc.stdout


@pytest.mark.skipif(not INVALID.is_dir(), reason=f"toml-test corpus not found at {INVALID}")
def test_every_invalid_toml_document_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    documents = sorted(INVALID.rglob("*.toml"))
    assert len(documents) == 509
    wrong = []
    for document in documents:
        status = main(["check-config", str(document)])
        out, err = capsys.readouterr()
        lines = err.splitlines()
        if (
            status != 2
            or out
            or len(lines) != 2
            or not lines[0].startswith(f"{document}:")
            or "Traceback" in err
        ):
            wrong.append(f"{document}: exit {status}: {err!r}")
    assert not wrong, "\n".join(wrong[:20])


def test_a_few_invalid_documents_through_a_real_process() -> None:
    if not INVALID.is_dir():
        pytest.skip("toml-test corpus not found")
    for document in sorted(INVALID.rglob("*.toml"))[::100]:
        proc = kiosk("check-config", str(document))
        assert proc.returncode == 2
        assert proc.stderr.splitlines()[0].startswith(f"{document}:")
        assert "Traceback" not in proc.stderr


def test_usage_errors_exit_2_with_one_line() -> None:
    proc = kiosk("check-config")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    proc = kiosk("frobnicate")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1


def test_version() -> None:
    proc = kiosk("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("infusion-kiosk ")


def _write_log(directory: Path) -> None:
    from kiosk.clock import FakeClock
    from kiosk.events import EventLog
    from kiosk.session import SessionModel

    clock = FakeClock()
    with EventLog(directory, kiosk="chair-3", room="Room 3", clock=clock) as log:
        log.append("kiosk.started", {"version": "test"})
        model = SessionModel(log, clock)
        model.start(40, "en")
        clock.advance(600)
        model.advance()
        model.end()


def test_log_commands_through_the_cli(tmp_path: Path) -> None:
    events = tmp_path / "events"
    _write_log(events)
    proc = kiosk("log", "verify", "--dir", str(events))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OK: 4 events")

    proc = kiosk("log", "show", "--dir", str(events), "--type", "stage")
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 1
    assert "stage.changed" in proc.stdout

    proc = kiosk("log", "export", "--csv", "--dir", str(events))
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[0] == "seq,ts,kiosk,room,session,type,data"
    assert len(proc.stdout.splitlines()) == 5

    # the default directory comes from the config, as for `kiosk run`
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'[log]\ndir = "{events}"\n', encoding="utf-8")
    proc = kiosk("log", "export", "--json", "--config", str(cfg), "--since", "2026-01-01")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count('"type"') == 4

    # a changed line is found and named
    day = next(events.glob("events-*.jsonl"))
    text = day.read_text().replace('"language":"en"', '"language":"es"')
    day.write_text(text)
    proc = kiosk("log", "verify", "--dir", str(events))
    assert proc.returncode == 1
    assert proc.stdout.startswith("FAIL: ")


def test_log_command_errors_are_one_line(tmp_path: Path) -> None:
    proc = kiosk("log", "verify", "--dir", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1
    proc = kiosk("log", "show", "--dir", str(tmp_path), "--since", "yesterday-ish")
    assert proc.returncode == 2
    assert proc.stderr.startswith("kiosk log: --since: ")
    bad = tmp_path / "bad.toml"
    bad.write_text("[log]\nretention_days = 0\n", encoding="utf-8")
    proc = kiosk("log", "verify", "--config", str(bad))
    assert proc.returncode == 2
    assert f"{bad}:2: log.retention_days" in proc.stderr


def test_hash_pin_prints_a_line_the_config_accepts(tmp_path: Path) -> None:
    from kiosk.security import verify_pin

    proc = kiosk("hash-pin", input="408317\n")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip()
    assert line.startswith("scrypt$")
    assert verify_pin("408317", line)
    site = tmp_path / "site.toml"
    site.write_text(f'[staff]\npin_hash = "{line}"\n', encoding="utf-8")
    assert kiosk("check-config", str(site)).returncode == 0


@pytest.mark.parametrize("pin", ["123456", "000000", "12345", "12a456", ""])
def test_hash_pin_refuses_weak_pins(pin: str) -> None:
    proc = kiosk("hash-pin", input=f"{pin}\n")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("kiosk hash-pin: ")
    assert len(proc.stderr.splitlines()) == 1
