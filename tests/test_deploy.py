"""deploy/: the wheel, install.sh into a staged root, the systemd units, the log examples.

install.sh runs with --root into temporary folders (never on this machine itself), with the
wheel built once from this checkout; the staged tree is what would be copied to `/` of a
clinic machine. The slow tests share three installs: a Wayland one (run twice, the second
time over an edited kiosk.toml) and an X11 one.
"""

from __future__ import annotations

import datetime
import fnmatch
import grp
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.events import file_name_for

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef, import-not-found, unused-ignore]

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
INSTALL = DEPLOY / "install.sh"
WAYLAND_UNIT = DEPLOY / "infusion-kiosk.service"
X11_UNIT = DEPLOY / "x11" / "infusion-kiosk-x11.service"
X11_SESSION = DEPLOY / "x11" / "x11-session"
RSYSLOG = DEPLOY / "logs" / "60-infusion-kiosk.conf"
FLUENT_BIT = DEPLOY / "logs" / "fluent-bit.conf"

APP = "/opt/infusion-kiosk"
UNIT_PATH = "etc/systemd/system/infusion-kiosk.service"
WANTS_LINK = "etc/systemd/system/graphical.target.wants/infusion-kiosk.service"
XORG_CONF = "etc/X11/xorg.conf.d/10-infusion-kiosk.conf"
EVENTS_DIR = "/var/lib/infusion-kiosk/events"

#: Every path install.sh creates under the root (without the leading "/"): is it a
#: folder, its exact mode, its owner and group on the kiosk machine.
LAYOUT: dict[str, tuple[bool, int, str, str]] = {
    "opt/infusion-kiosk": (True, 0o755, "root", "root"),
    "opt/infusion-kiosk/share": (True, 0o755, "root", "root"),
    "opt/infusion-kiosk/share/kiosk.example.toml": (False, 0o644, "root", "root"),
    "opt/infusion-kiosk/share/x11-session": (False, 0o755, "root", "root"),
    "opt/infusion-kiosk/share/README.md": (False, 0o644, "root", "root"),
    "etc/infusion-kiosk": (True, 0o750, "root", "infusion-kiosk"),
    "etc/infusion-kiosk/kiosk.toml": (False, 0o640, "root", "infusion-kiosk"),
    "etc/infusion-kiosk/conf.d": (True, 0o750, "root", "infusion-kiosk"),
    "etc/infusion-kiosk/conf.d/README": (False, 0o640, "root", "infusion-kiosk"),
    "var/lib/infusion-kiosk": (True, 0o750, "infusion-kiosk", "infusion-kiosk"),
    "var/lib/infusion-kiosk/events": (True, 0o750, "infusion-kiosk", "infusion-kiosk"),
    UNIT_PATH: (False, 0o644, "root", "root"),
}

#: Lines the Wayland and the X11 unit may differ in; every other line must be the same.
UNIT_DIFFERENCES = {"Description", "Environment", "ExecStart"}


# -- helpers


def parse_unit(text: str) -> dict[tuple[str, str], list[str]]:
    """(section, key) -> values, in order, of a systemd unit file (comments ignored)."""
    values: dict[tuple[str, str], list[str]] = {}
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not a Key=Value line: {raw!r}"
        values.setdefault((section, key.strip()), []).append(value.strip())
    return values


def one(unit: dict[tuple[str, str], list[str]], section: str, key: str) -> str:
    found = unit.get((section, key))
    assert found is not None, f"[{section}] {key}= is missing"
    assert len(found) == 1, f"[{section}] {key}= is set {len(found)} times: {found}"
    return found[0]


def words(unit: dict[tuple[str, str], list[str]], section: str, key: str) -> list[str]:
    return " ".join(unit.get((section, key), [])).split()


def child_env() -> dict[str, str]:
    """This environment (pip's index settings included), less what would steer the kiosk."""
    env = dict(os.environ)
    for name in ("KIOSK_CONFIG", "KIOSK_STATE_DIR", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(name, None)
    return env


def run_install(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(INSTALL), *map(str, args)],
        capture_output=True, text=True, env=child_env(), cwd=REPO, timeout=timeout, check=False,
    )


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, (
        f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


def expected_id(hostname: str) -> str:
    """install.sh's kiosk id for a host name: short name, unsafe characters as '-', ≤ 40."""
    short = re.sub(r"[^A-Za-z0-9_-]", "-", hostname.split(".")[0])[:40]
    return short or "kiosk-1"


def modes(root: Path) -> dict[str, int]:
    return {rel: stat.S_IMODE((root / rel).lstat().st_mode) for rel in LAYOUT}


def imfile_glob() -> str:
    match = re.search(r'^\s*File="([^"]+)"', RSYSLOG.read_text(), re.MULTILINE)
    assert match, f"no File=\"...\" in {RSYSLOG}"
    return match.group(1)


def fluent_bit_glob() -> str:
    match = re.search(r"^\s*Path\s+(\S+)", FLUENT_BIT.read_text(), re.MULTILINE)
    assert match, f"no Path in {FLUENT_BIT}"
    return match.group(1)


@dataclass
class Staged:
    root: Path
    first: subprocess.CompletedProcess[str]

    @property
    def python(self) -> Path:
        return self.root / APP.lstrip("/") / "bin" / "python"


# -- fixtures: the wheel and the staged installs (slow, built once per module)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy of the checkout: setuptools leaves build/ in the source folder,
    # and a stale build/lib would carry modules deleted since into the next wheel.
    source = tmp_path_factory.mktemp("source") / "infusion-kiosk"
    shutil.copytree(REPO, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
    ))
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)],
        capture_output=True, text=True, cwd=source, env=child_env(), timeout=300, check=False,
    )
    assert_ok(result)
    (built,) = out.glob("infusion_kiosk-*.whl")
    return built


@pytest.fixture(scope="module")
def staged(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Staged:
    root = tmp_path_factory.mktemp("wayland") / "root"
    result = run_install("--root", root, "--wheel", wheel)
    assert_ok(result)
    return Staged(root, result)


@pytest.fixture(scope="module")
def staged_x11(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Staged:
    root = tmp_path_factory.mktemp("x11") / "root"
    # A staged tree takes the kiosk id from its own /etc/hostname: an unsafe, long one here.
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "hostname").write_text(
        "ward-7_bed 12/window-side-with-a-very-long-name.clinic.example\n"
    )
    result = run_install("--root", root, "--wheel", wheel, "--session", "x11")
    assert_ok(result)
    return Staged(root, result)


# -- the wheel


@pytest.mark.slow
def test_wheel_carries_texts_translations_and_music_but_no_tests(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for needed in ("kiosk/texts/en.toml", "kiosk/texts/es.toml", "kiosk/i18n/kiosk_es.qm"):
        assert needed in names, f"{needed} is not in {wheel.name} (did make setup build the .qm?)"
    assert fnmatch.filter(names, "kiosk/media/music/*.ogg"), "no bundled music in the wheel"
    assert not [n for n in names if n.startswith("tests/")]


# -- install.sh into a staged root (Wayland)


@pytest.mark.slow
def test_install_creates_every_path_with_its_mode(staged: Staged) -> None:
    for rel, (is_dir, mode, _, _) in LAYOUT.items():
        path = staged.root / rel
        assert path.exists(), f"/{rel} was not installed"
        assert path.is_dir() == is_dir, f"/{rel}: folder {path.is_dir()}, expected {is_dir}"
        assert stat.S_IMODE(path.lstat().st_mode) == mode, (
            f"/{rel}: mode {stat.S_IMODE(path.lstat().st_mode):o}, expected {mode:o}"
        )
    share = staged.root / APP.lstrip("/") / "share"
    assert (share / "kiosk.example.toml").read_bytes() == (REPO / "config" / "kiosk.toml").read_bytes()
    assert (share / "x11-session").read_bytes() == X11_SESSION.read_bytes()
    assert (share / "README.md").stat().st_size > 0
    assert (staged.root / "etc/infusion-kiosk/conf.d/README").read_bytes() == (
        DEPLOY / "conf.d-README"
    ).read_bytes()
    assert not (staged.root / XORG_CONF).exists(), "the Wayland session needs no xorg.conf.d file"


@pytest.mark.slow
def test_install_sets_owners_when_the_account_exists_here(staged: Staged) -> None:
    if os.geteuid() != 0:
        pytest.skip("a staged install sets owners only when run as root")
    try:
        pwd.getpwnam("infusion-kiosk")
        grp.getgrnam("infusion-kiosk")
    except KeyError:
        assert "not creating accounts" in staged.first.stdout
        pytest.skip("no infusion-kiosk account on this machine: a staged install leaves owners as they are")
    for rel, (_, _, user, group) in LAYOUT.items():
        info = (staged.root / rel).lstat()
        assert (pwd.getpwuid(info.st_uid).pw_name, grp.getgrgid(info.st_gid).gr_name) == (user, group), rel


@pytest.mark.slow
def test_installed_kiosk_toml_names_this_host_and_the_state_folder(staged: Staged) -> None:
    settings = tomllib.loads((staged.root / "etc/infusion-kiosk/kiosk.toml").read_text())
    assert settings["kiosk"]["id"] == expected_id(socket.gethostname())
    assert settings["kiosk"]["room"] == "Room 1"
    assert settings["log"]["dir"] == EVENTS_DIR


@pytest.mark.slow
def test_unit_is_installed_and_enabled(staged: Staged) -> None:
    assert (staged.root / UNIT_PATH).read_bytes() == WAYLAND_UNIT.read_bytes()
    link = staged.root / WANTS_LINK
    assert link.is_symlink(), f"/{WANTS_LINK} is not a symlink: the unit is not enabled"
    assert os.readlink(link) == "/" + UNIT_PATH
    assert os.readlink(staged.root / "etc/systemd/system/default.target") == (
        "/lib/systemd/system/graphical.target"
    )


@pytest.mark.slow
def test_staged_scripts_run_the_kiosk_python_not_the_staging_folder(staged: Staged) -> None:
    bindir = staged.python.parent
    assert (bindir / "kiosk").read_text().startswith(f"#!{APP}/bin/python\n")
    for script in bindir.iterdir():
        if script.is_file() and not script.is_symlink():
            assert str(staged.root) not in script.read_text(errors="replace"), (
                f"{script.name} still names the staging folder"
            )
    # The compiled modules name their sources as on the kiosk machine (for tracebacks).
    code = (
        "import importlib.util, marshal, kiosk.cli as m;"
        "data = open(importlib.util.cache_from_source(m.__file__), 'rb').read();"
        "print(marshal.loads(data[16:]).co_filename)"
    )
    where = subprocess.run(
        [str(staged.python), "-I", "-c", code],
        capture_output=True, text=True, cwd=staged.root.parent, env=child_env(), timeout=60,
        check=False,
    )
    assert_ok(where)
    (lib,) = (staged.root / APP.lstrip("/") / "lib").glob("python3.*")
    assert where.stdout.strip() == f"{APP}/lib/{lib.name}/site-packages/kiosk/cli.py"


@pytest.mark.slow
def test_installed_kiosk_runs_from_the_staged_venv(staged: Staged) -> None:
    # cwd outside the checkout, so `-m kiosk` cannot import the checkout's kiosk/.
    cwd = staged.root.parent
    version = subprocess.run(
        [str(staged.python), "-m", "kiosk", "--version"],
        capture_output=True, text=True, cwd=cwd, env=child_env(), timeout=60, check=False,
    )
    assert_ok(version)
    assert version.stdout.strip() == "infusion-kiosk 0.1.0"
    where = subprocess.run(
        [str(staged.python), "-c", "import kiosk; print(kiosk.__file__)"],
        capture_output=True, text=True, cwd=cwd, env=child_env(), timeout=60, check=False,
    )
    assert_ok(where)
    assert Path(where.stdout.strip()).is_relative_to(staged.root)


@pytest.mark.slow
def test_installed_check_config_passes_and_creates_nothing(staged: Staged) -> None:
    events_existed = Path(EVENTS_DIR).exists()
    result = subprocess.run(
        [str(staged.python), "-m", "kiosk", "check-config",
         str(staged.root / "etc/infusion-kiosk/kiosk.toml")],
        capture_output=True, text=True, cwd=staged.root.parent, env=child_env(), timeout=60,
        check=False,
    )
    assert_ok(result)
    assert result.stdout.startswith("OK: ")
    assert EVENTS_DIR in result.stdout
    assert Path(EVENTS_DIR).exists() == events_existed, f"check-config created {EVENTS_DIR}"
    assert "install: check-config: OK: " in staged.first.stdout


@pytest.mark.slow
def test_second_run_keeps_the_edited_kiosk_toml_and_the_modes(staged: Staged, wheel: Path) -> None:
    kiosk_toml = staged.root / "etc/infusion-kiosk/kiosk.toml"
    edited = kiosk_toml.read_bytes().replace(b'room = "Room 1"', b'room = "Infusion 4"')
    edited += b"# edited by clinic IT\n"
    kiosk_toml.write_bytes(edited)
    before = modes(staged.root)

    again = run_install("--root", staged.root, "--wheel", wheel)

    assert_ok(again)
    assert kiosk_toml.read_bytes() == edited
    assert "kept the existing /etc/infusion-kiosk/kiosk.toml" in again.stdout
    assert modes(staged.root) == before
    assert os.readlink(staged.root / WANTS_LINK) == "/" + UNIT_PATH
    assert (staged.python.parent / "kiosk").read_text().startswith(f"#!{APP}/bin/python\n")
    assert "room 'Infusion 4'" in again.stdout  # checked with the edited file


# -- install.sh --session x11


@pytest.mark.slow
def test_x11_session_installs_its_unit_and_xorg_conf(staged_x11: Staged) -> None:
    root = staged_x11.root
    assert (root / UNIT_PATH).read_bytes() == X11_UNIT.read_bytes()
    assert os.readlink(root / WANTS_LINK) == "/" + UNIT_PATH
    conf = root / XORG_CONF
    assert stat.S_IMODE(conf.stat().st_mode) == 0o644
    text = conf.read_text()
    assert re.search(r'Option\s+"DontVTSwitch"\s+"true"', text)
    assert re.search(r'Option\s+"DontZap"\s+"true"', text)
    assert (root / APP.lstrip("/") / "share/x11-session").stat().st_mode & 0o777 == 0o755
    for rel, (_, mode, _, _) in LAYOUT.items():
        assert stat.S_IMODE((root / rel).lstat().st_mode) == mode, rel


@pytest.mark.slow
def test_x11_staged_kiosk_id_comes_from_the_staged_hostname_made_safe(staged_x11: Staged) -> None:
    settings = tomllib.loads((staged_x11.root / "etc/infusion-kiosk/kiosk.toml").read_text())
    assert settings["kiosk"]["id"] == "ward-7_bed-12-window-side-with-a-very-lo"
    assert settings["kiosk"]["id"] == expected_id(
        "ward-7_bed 12/window-side-with-a-very-long-name.clinic.example"
    )


@pytest.mark.slow
def test_install_stops_on_settings_that_fail_the_check(staged_x11: Staged, wheel: Path) -> None:
    dropin = staged_x11.root / "etc/infusion-kiosk/conf.d/50-broken.toml"
    dropin.write_text('[music]\nvolume = 3\n')
    try:
        result = run_install("--root", staged_x11.root, "--wheel", wheel, "--session", "x11")
    finally:
        dropin.unlink()
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{dropin}:2: " in result.stderr  # check-config's FILE:LINE: key: problem line
    assert "install: the settings above have problems" in result.stderr
    assert "Next steps" not in result.stdout


# -- the units


@pytest.mark.parametrize("unit_file", [WAYLAND_UNIT, X11_UNIT], ids=["wayland", "x11"])
def test_unit_has_the_kiosk_service_lines(unit_file: Path) -> None:
    unit = parse_unit(unit_file.read_text())
    assert one(unit, "Unit", "StartLimitIntervalSec") == "0"
    assert one(unit, "Service", "Type") == "notify"
    assert one(unit, "Service", "NotifyAccess") == "main"  # kiosk supervise passes messages on
    assert one(unit, "Service", "User") == "infusion-kiosk"
    assert one(unit, "Service", "Group") == "infusion-kiosk"
    assert words(unit, "Service", "SupplementaryGroups") == ["audio", "video", "render", "input"]
    assert one(unit, "Service", "Restart") == "always"
    assert one(unit, "Service", "RestartSec") == "2"
    assert one(unit, "Service", "WatchdogSec") == "30"
    assert one(unit, "Service", "TimeoutStartSec") == "90"
    assert one(unit, "Service", "StateDirectory") == "infusion-kiosk"
    assert one(unit, "Service", "StateDirectoryMode") == "0750"
    assert one(unit, "Service", "PAMName") == "login"
    assert one(unit, "Service", "TTYPath") == "/dev/tty1"
    for key in ("TTYReset", "TTYVHangup", "TTYVTDisallocate"):
        assert one(unit, "Service", key) == "yes"
    assert one(unit, "Service", "StandardInput") == "tty-fail"
    assert one(unit, "Service", "StandardOutput") == "journal"
    assert one(unit, "Service", "StandardError") == "journal"
    # The PAM session moves the programs out of the unit's cgroup: their output is found
    # by this name (journalctl -t), not by the unit (journalctl -u).
    assert one(unit, "Service", "SyslogIdentifier") == "infusion-kiosk"
    assert one(unit, "Service", "UtmpIdentifier") == "tty1"
    assert "getty@tty1.service" in words(unit, "Unit", "Conflicts")
    after = words(unit, "Unit", "After")
    for needed in ("systemd-user-sessions.service", "getty@tty1.service", "plymouth-quit-wait.service"):
        assert needed in after
    assert one(unit, "Install", "WantedBy") == "graphical.target"


def test_wayland_unit_runs_the_kiosk_in_cage() -> None:
    unit = parse_unit(WAYLAND_UNIT.read_text())
    assert one(unit, "Service", "ExecStart") == f"{APP}/bin/kiosk supervise -- /usr/bin/cage -- {APP}/bin/kiosk run"
    assert "-s" not in one(unit, "Service", "ExecStart").split(), "cage -s allows VT switching"
    assert "QT_QPA_PLATFORM=wayland" in words(unit, "Service", "Environment")


def test_x11_unit_runs_the_kiosk_through_xinit_and_the_session_script() -> None:
    unit = parse_unit(X11_UNIT.read_text())
    start = one(unit, "Service", "ExecStart").split()
    assert start[:3] == [f"{APP}/bin/kiosk", "supervise", "--"]
    start = start[3:]
    assert start[:2] == ["/usr/bin/xinit", f"{APP}/share/x11-session"]
    server = start[start.index("--") + 1:]
    assert server[0] == "/usr/bin/Xorg" and ":0" in server and "vt1" in server
    assert "-keeptty" in server
    assert "QT_QPA_PLATFORM=xcb" in words(unit, "Service", "Environment")
    script = X11_SESSION.read_text()
    assert script.startswith("#!/bin/sh\n")
    assert re.search(rf"^exec {re.escape(APP)}/bin/kiosk run$", script, re.MULTILINE)
    assert X11_SESSION.stat().st_mode & 0o111, "x11-session is not executable in the checkout"


def test_wayland_and_x11_units_share_every_other_line() -> None:
    wayland = parse_unit(WAYLAND_UNIT.read_text())
    x11 = parse_unit(X11_UNIT.read_text())
    shared = {k: v for k, v in wayland.items() if k[1] not in UNIT_DIFFERENCES}
    assert shared == {k: v for k, v in x11.items() if k[1] not in UNIT_DIFFERENCES}
    for key in ("User", "Restart", "WatchdogSec", "Type", "NotifyAccess", "StateDirectory"):
        assert wayland[("Service", key)] == x11[("Service", key)]
    assert wayland[("Unit", "StartLimitIntervalSec")] == x11[("Unit", "StartLimitIntervalSec")]


def _verify(unit: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    # The unit names /opt/infusion-kiosk; here that tree is staged under a temporary root.
    root = unit.parents[3]
    staged = unit.with_name("staged") / unit.name
    staged.parent.mkdir(exist_ok=True)
    staged.write_text(unit.read_text().replace(APP, f"{root}{APP}"))
    session = parse_unit(staged.read_text())[("Service", "ExecStart")][0].split()[3]
    if not os.access(session, os.X_OK):
        pytest.skip(f"{session}, which the unit starts, is not installed here; "
                    "systemd-analyze verify fails on that alone")
    return subprocess.run(
        ["systemd-analyze", "verify", str(staged)],
        capture_output=True, text=True, timeout=60, check=False,
    )


def assert_verified(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), (
        f"systemd-analyze verify: exit {result.returncode}\n{result.stdout}{result.stderr}"
    )


@pytest.mark.slow
def test_systemd_analyze_verify_installed_wayland_unit(staged: Staged) -> None:
    """The unit as installed; /usr/bin/cage comes from packaging/debian-packages.txt (make setup)."""
    result = _verify(staged.root / UNIT_PATH)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_verified(result)


@pytest.mark.slow
def test_systemd_analyze_verify_installed_x11_unit(staged_x11: Staged) -> None:
    """Runs where /usr/bin/xinit is installed (Debian package xinit; not a test requirement)."""
    result = _verify(staged_x11.root / UNIT_PATH)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_verified(result)


# -- the log-shipping examples


def test_rsyslog_accepts_the_imfile_example(tmp_path: Path) -> None:
    rsyslogd = shutil.which("rsyslogd", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
    if rsyslogd is None:
        pytest.skip("rsyslogd is not installed (Debian package rsyslog)")
    # As on Debian, where /etc/rsyslog.conf sets the work folder (imfile keeps its read
    # positions there) and then includes /etc/rsyslog.d/*.conf.
    work = tmp_path / "spool"
    work.mkdir()
    main = tmp_path / "rsyslog.conf"
    main.write_text(f'global(workDirectory="{work}")\ninclude(file="{RSYSLOG}")\n')
    result = subprocess.run(
        [rsyslogd, "-N1", "-f", str(main)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_log_examples_watch_the_kiosks_event_files() -> None:
    day_file = file_name_for(datetime.date(2025, 3, 7))
    assert re.fullmatch(r"events-\d{4}-\d\d-\d\d\.jsonl", day_file)
    configured = tomllib.loads((DEPLOY / "kiosk.toml").read_text())["log"]["dir"]
    assert configured == EVENTS_DIR
    for glob in (imfile_glob(), fluent_bit_glob()):
        assert os.path.dirname(glob) == configured
        assert fnmatch.fnmatch(f"{configured}/{day_file}", glob)
        assert not fnmatch.fnmatch(f"{configured}/notes.txt", glob)
    text = RSYSLOG.read_text()
    assert 'type="omfwd"' in text and 'Protocol="tcp"' in text and 'Port="514"' in text
    assert 'Tag="infusion-kiosk"' in text and "logs.clinic.example" in text
    assert "journalctl -t infusion-kiosk" in text and "journalctl -u infusion-kiosk" in text
    fluent = FLUENT_BIT.read_text()
    assert re.search(r"^\s*Name\s+tail$", fluent, re.MULTILINE)
    assert re.search(r"^\s*DB\s+/\S+", fluent, re.MULTILINE)
    assert "journalctl -t infusion-kiosk" in fluent and "journalctl -u infusion-kiosk" in fluent


@pytest.mark.slow
def test_log_examples_watch_the_installed_log_dir(staged: Staged) -> None:
    installed = tomllib.loads((staged.root / "etc/infusion-kiosk/kiosk.toml").read_text())
    for glob in (imfile_glob(), fluent_bit_glob()):
        assert os.path.dirname(glob) == installed["log"]["dir"]


# -- the shell scripts


@pytest.mark.parametrize("script", [INSTALL, X11_SESSION], ids=["install.sh", "x11-session"])
def test_shell_script_syntax(script: Path) -> None:
    result = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    if shutil.which("shellcheck") is None:
        return  # shellcheck is optional here: not installed, so only sh -n
    result = subprocess.run(
        ["shellcheck", "--shell=sh", str(script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_install_help_and_bad_arguments() -> None:
    helped = run_install("--help", timeout=30)
    assert_ok(helped)
    assert helped.stdout.startswith("Usage: deploy/install.sh [--root DIR] [--wheel FILE]")
    wrong = run_install("--session", "gnome", timeout=30)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("install: --session must be wayland or x11")
    assert not wrong.stdout


@pytest.fixture
def unprivileged() -> Iterator[list[str]]:
    """A command prefix that runs as the user nobody (needs root and setpriv)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run install.sh as another user")
    yield ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def test_install_refuses_a_real_install_without_root(unprivileged: list[str]) -> None:
    result = subprocess.run(
        [*unprivileged, "sh", str(INSTALL), "--no-apt"],
        capture_output=True, text=True, cwd="/", env=child_env(), timeout=30, check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("install: must run as root")
