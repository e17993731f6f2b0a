"""The one command line: `smerrata <subcommand>`; tox environments call it.

Each subcommand lives in smerrata.commands.<name> and provides `add_parser(subparsers)`; the
parser it returns carries `func(args) -> int`. User errors print one line and exit with the
code documented in errors.ExitCode; tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence

from .errors import ExitCode, PipelineError

COMMAND_MODULES = ("sources", "backport", "build", "qa", "errata", "submit", "bench")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smerrata",
        description="Backport TLSFallbacktoClear onto sendmail 8.15.2 and produce errata RPMs (rhbz#1868041).",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Import only the command being run (some pull in heavy clients); all of them for --help.
    wanted = [name for name in COMMAND_MODULES if argv is not None and name in argv[:3]]
    for name in wanted or COMMAND_MODULES:
        try:
            module = importlib.import_module(f"smerrata.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"smerrata.commands.{name}":
                continue
            raise
        module.add_parser(subparsers)
    return parser


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # SIGTERM (CI cancel, timeout, systemctl stop) takes the same clean-up path as Ctrl-C.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except PipelineError as exc:
        if args.debug:
            raise
        print(f"smerrata: error: {exc.message}", file=sys.stderr)
        return int(exc.code)
    except KeyboardInterrupt:
        print("smerrata: interrupted; nothing was published, the next run starts clean", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
