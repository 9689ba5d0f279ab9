"""The `kiosk` command: run the kiosk, check a config, read the event log.

Everything IT types goes through here. Each failure is one clear line on stderr
and a non-zero exit status, never a traceback. Qt is imported only by `run`, so
`check-config` and `log` work on a machine without a display.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from kiosk import __version__

if TYPE_CHECKING:
    from kiosk.config import Config
    from kiosk.lastgood import Rejection

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with status 2 and one line of help."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kiosk",
        description="The bedside kiosk for ketamine infusion treatment rooms.",
    )
    parser.add_argument("--version", action="version", version=f"infusion-kiosk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    run = commands.add_parser("run", help="start the kiosk (fullscreen)")
    _add_config_option(run)
    run.add_argument(
        "--windowed", action="store_true", help="a normal window instead of fullscreen (development)"
    )

    station = commands.add_parser(
        "station", help="the nurse station: every room's kiosk on one screen, over the broker"
    )
    _add_config_option(station)
    station.add_argument("--fullscreen", action="store_true",
                         help="fill the screen instead of a normal window")

    check = commands.add_parser(
        "check-config", help="check configuration files before they are rolled out"
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="TOML files, applied in order")

    commands.add_parser(
        "hash-pin",
        help="read a staff PIN on stdin and print the line for staff.pin_hash",
    )

    supervise = commands.add_parser(
        "supervise",
        help="the systemd unit's main process: runs the session (cage or xinit and the kiosk) "
        "and passes its READY and watchdog messages to systemd",
    )
    supervise.add_argument("--grace", type=float, default=None, metavar="SECONDS",
                           help="how long the session may take to stop before it is killed")
    supervise.add_argument("session", nargs=argparse.REMAINDER, metavar="-- COMMAND ...")

    status = commands.add_parser(
        "status",
        help="this kiosk at a glance, for IT: visit, call, last event, log, disk, audio, config",
    )
    _add_config_option(status)
    status.add_argument("--json", action="store_true", help="one JSON object instead of text")

    call = commands.add_parser("call", help="the open call for a nurse, from a shell on the kiosk")
    call_commands = call.add_subparsers(dest="call_command", metavar="ACTION", parser_class=_Parser)
    call_commands.required = True
    for name, about in (("ack", "acknowledge the open call (stops the chime)"),
                        ("status", "print the open call, if any")):
        sub = call_commands.add_parser(name, help=about)
        _add_config_option(sub)
        sub.add_argument(
            "--dir", type=Path, help="the log directory (default: log.dir of the config)"
        )

    log = commands.add_parser("log", help="verify, show or export the event log")
    log_commands = log.add_subparsers(dest="log_command", metavar="ACTION", parser_class=_Parser)
    log_commands.required = True
    verify = log_commands.add_parser("verify", help="check that no line was changed or lost")
    show = log_commands.add_parser("show", help="print events in local time")
    export = log_commands.add_parser("export", help="export events as CSV or JSON")
    for sub in (verify, show, export):
        _add_config_option(sub)
        sub.add_argument(
            "--dir", type=Path, help="the log directory (default: log.dir of the config)"
        )
    show.add_argument("--session", help="only this visit's events")
    show.add_argument("--type", dest="type_prefix", metavar="PREFIX", help="e.g. nurse_call")
    show.add_argument("--since", metavar="TIME", help="a date or date and time, local")
    show.add_argument("--json", action="store_true", help="print the raw JSON lines")
    fmt = export.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--csv", dest="fmt", action="store_const", const="csv")
    fmt.add_argument("--json", dest="fmt", action="store_const", const="json")
    export.add_argument("--since", metavar="TIME", help="a date or date and time, local")
    return parser


def _add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        action="append",
        type=Path,
        metavar="FILE",
        help="a TOML file; repeat to layer files (later ones win). Default: "
        "/etc/infusion-kiosk/kiosk.toml if present, then $KIOSK_CONFIG if set",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `kiosk` console script; returns the exit status."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "check-config":
            return _check_config(args.files, sys.stdout, sys.stderr)
        if args.command == "log":
            return _log(args, sys.stdout, sys.stderr)
        if args.command == "call":
            return _call(args, sys.stdout, sys.stderr)
        if args.command == "status":
            return _status(args, sys.stdout)
        if args.command == "supervise":
            return _supervise(args, sys.stderr)
        if args.command == "hash-pin":
            return _hash_pin(sys.stdin, sys.stdout, sys.stderr)
        if args.command == "station":
            return _station(args)
        return _run(args)
    except KeyboardInterrupt:
        return 130


def _load_config(paths: Sequence[Path] | None, err: TextIO) -> Config | None:
    """The config from `paths` (or the default places), or None after printing why not."""
    from kiosk import config

    chosen = list(paths) if paths else config.default_paths()
    try:
        return config.load(chosen)
    except config.ConfigError as error:
        for problem in error.problems:
            print(problem, file=err)
        return None


def _check_config(files: Sequence[str], out: TextIO, err: TextIO) -> int:
    """The gate before a roll-out: the files, the music they name and the patient texts."""
    from kiosk import config, content

    try:
        loaded = config.load(files, check_media=True)
    except config.ConfigError as error:
        return _report(err, [str(problem) for problem in error.problems])
    # The config is valid: now every configured language's texts, with the clinic's own.
    try:
        _, problems = content.load_contents(loaded.kiosk.languages, loaded.kiosk.content_dir)
    except content.ContentError as error:  # our own files: a broken installation
        problems = list(error.problems)
    if problems:
        return _report(err, problems)
    print(config.summary(loaded) + _texts_summary(loaded), file=out)
    return EXIT_OK


def _report(err: TextIO, problems: Sequence[str]) -> int:
    """check-config's answer to problems: one line each, then how many."""
    for problem in problems:
        print(problem, file=err)
    count = len(problems)
    print(f"{count} problem{'s' if count != 1 else ''} found; nothing was changed.", file=err)
    return EXIT_USAGE


def _texts_summary(loaded: Config) -> str:
    """The end of check-config's OK line: which of the clinic's own text files are used."""
    folder = loaded.kiosk.content_dir
    if folder is None:
        return ""
    names = [f"{language}.toml" for language in loaded.kiosk.languages]
    used = [name for name in names if (folder / name).exists()]
    if used:
        return f", clinic texts from {folder}: {', '.join(used)}"
    return f", clinic texts folder {folder}: no {' or '.join(names)} (our texts only)"


def _hash_pin(stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """Ask for the PIN twice on a terminal; read one line from a pipe."""
    from kiosk import security

    if stdin.isatty():
        import getpass

        pin = getpass.getpass("New staff PIN (6 to 12 digits): ")
        if getpass.getpass("The same PIN again: ") != pin:
            print("kiosk hash-pin: the two PINs differ; nothing was printed.", file=err)
            return EXIT_USAGE
    else:
        pin = stdin.readline().strip()
    problem = security.pin_problem(pin)
    if problem is not None:
        print(f"kiosk hash-pin: {problem}", file=err)
        return EXIT_USAGE
    print(security.hash_pin(pin), file=out)
    return EXIT_OK


def _log_dir(args: argparse.Namespace, err: TextIO) -> Path | None:
    """--dir, or the log directory of the config (None after reporting a bad config)."""
    if args.dir is not None:
        return Path(args.dir)
    loaded = _load_config(args.config, err)
    return None if loaded is None else loaded.log.dir


def _call(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Ask the running kiosk, through its control socket, about the open call.

    Exit 0 when done (or a call was shown), 1 when no call is open, 2 when the
    kiosk cannot be reached.
    """
    from kiosk.control_client import ControlError, send_command

    directory = _log_dir(args, err)
    if directory is None:
        return EXIT_USAGE
    try:
        reply = send_command(directory, args.call_command)
    except ControlError as error:
        print(f"kiosk call {args.call_command}: {error}", file=err)
        return EXIT_USAGE
    word, _, text = reply.partition(" ")
    if word == "ok":
        print(text, file=out)
        return EXIT_OK
    if word == "none":
        print(text, file=out)
        return EXIT_FAILED
    print(f"kiosk call {args.call_command}: {text or reply}", file=err)
    return EXIT_USAGE


def _supervise(args: argparse.Namespace, err: TextIO) -> int:
    import logging

    from kiosk import supervise

    command = args.session[1:] if args.session[:1] == ["--"] else args.session
    if not command:
        print("kiosk supervise: name the session to run after --, e.g. "
              "kiosk supervise -- /usr/bin/cage -- /opt/infusion-kiosk/bin/kiosk run", file=err)
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    grace = supervise.GRACE_SECONDS if args.grace is None else args.grace
    return supervise.supervise(command, grace_seconds=grace)


def _status(args: argparse.Namespace, out: TextIO) -> int:
    """`kiosk status`: exit 0 when nothing needs attention, 1 when something does."""
    import json

    from kiosk import config, lastgood, status
    from kiosk.control_client import ControlError, send_command

    paths = list(args.config) if args.config else config.default_paths()
    loaded, rejection = lastgood.choose(paths, lastgood.state_dir())  # what `kiosk run` would use
    live: dict[str, object] | None = None
    live_problem = ""
    try:
        word, _, text = send_command(loaded.log.dir, "health").partition(" ")
        if word == "ok":
            live = json.loads(text)
        else:
            live_problem = f"the kiosk answered: {text}"
    except ControlError as error:
        live_problem = str(error)
    except ValueError:
        live_problem = "the kiosk's answer could not be read"
    report = status.gather(loaded, rejection, live=live, live_problem=live_problem)
    print(report.as_json() if args.json else report.as_text(), file=out)
    return EXIT_FAILED if report.problems else EXIT_OK


def _log(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from kiosk import logtool

    directory = _log_dir(args, err)
    if directory is None:
        return EXIT_USAGE
    since = None
    if getattr(args, "since", None):
        try:
            since = logtool.parse_since(args.since)
        except ValueError as error:
            print(f"kiosk log: --since: {error}", file=err)
            return EXIT_USAGE
    if args.log_command == "verify":
        return logtool.cmd_verify(directory, out, err)
    if args.log_command == "show":
        return logtool.cmd_show(
            directory,
            out,
            err,
            session=args.session,
            type_prefix=args.type_prefix,
            since=since,
            as_json=args.json,
        )
    return logtool.cmd_export(directory, out, err, fmt=args.fmt, since=since)


def _has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True  # the caller chose a platform (offscreen, xcb, wayland, eglfs...)
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _run(args: argparse.Namespace) -> int:
    from kiosk import config, lastgood

    paths = list(args.config) if args.config else config.default_paths()
    state = lastgood.state_dir()
    loaded, rejection = lastgood.choose(paths, state)
    if rejection is not None:  # a room is never left without a kiosk: say so and carry on
        for problem in rejection.problems:
            print(problem, file=sys.stderr)
        print(_fallback_line(rejection, state, loaded), file=sys.stderr, flush=True)
    if not _has_display():
        print(
            "kiosk: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set); "
            "to run it on a virtual display, use: xvfb-run -a -s '-screen 0 1280x800x24' make run",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from kiosk import app

    return app.run(loaded, windowed=args.windowed, rejection=rejection)


def _station(args: argparse.Namespace) -> int:
    """The desk: needs a valid configuration with [station] broker set, and a display."""
    loaded = _load_config(args.config, sys.stderr)
    if loaded is None:
        print("kiosk station: fix the configuration above (`kiosk check-config FILE`)",
              file=sys.stderr)
        return EXIT_USAGE
    if not loaded.station.broker:
        files = ", ".join(str(p) for p in loaded.sources) or "the built-in defaults"
        print(f"kiosk station: no broker is set in [station] ({files}); set station.broker, "
              "station.ca_file and station.password_file (see README, \"Nurse station\")",
              file=sys.stderr)
        return EXIT_USAGE
    if not _has_display():
        print("kiosk station: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set)",
              file=sys.stderr)
        return EXIT_USAGE
    from kiosk.station import app

    return app.run(loaded, windowed=not args.fullscreen)


def _fallback_line(rejection: Rejection, state: Path, loaded: Config) -> str:
    """The journal's line when the configuration is rejected: what the kiosk starts on instead."""
    from kiosk import lastgood

    count = len(rejection.problems)
    said = f"kiosk: the configuration has {count} problem{'s' if count != 1 else ''} (listed above)"
    if rejection.fallback == "last_good":
        kept = rejection.kept_at.astimezone().strftime("%Y-%m-%d %H:%M") if rejection.kept_at else "?"
        return (f"{said}; starting on the last good configuration, kept {kept} in "
                f"{state / lastgood.KEPT_NAME}. Fix the files, check them with `kiosk check-config`, "
                "then restart the kiosk.")
    return (f"{said} and no good configuration is kept in {state}; starting in SAFE MODE on the "
            f"built-in settings (log in {loaded.log.dir}): Call nurse chimes in the room only.")


if __name__ == "__main__":
    sys.exit(main())
