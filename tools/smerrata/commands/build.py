"""`smerrata build` (tox -e build): sources -> backport -> SRPM -> RPMs -> rpmlint into results/."""

from __future__ import annotations

import argparse

from ..build.pipeline import BuildOptions, run_build
from ..build.selection import BACKEND_CHOICES
from ..console import info
from ..context import Context


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser = subparsers.add_parser("build", help="build the SRPM and RPMs with the backport into results/")
    parser.add_argument(
        "--backend", choices=BACKEND_CHOICES, default="auto",
        help="auto: mock on an EL-like host with mock installed, else host rpmbuild",
    )
    parser.add_argument("--mock-config", help="mock-configs/<NAME>.cfg to build in (default: almalinux-8-<host arch>)")
    parser.add_argument("--results", help="results directory (default: results/ in the checkout; results-unpatched/ with --without-backport)")
    parser.add_argument("--donor", default="8.16.1", help="release the backport is taken from (default 8.16.1)")
    parser.add_argument("--srpm-only", action="store_true", help="stop after the SRPM (and its rpmlint)")
    parser.add_argument("--no-lint", action="store_true", help="skip rpmlint (development only)")
    parser.add_argument(
        "--without-backport", action="store_true",
        help="QA reference only: the same 8.15.2 without the backport (rpmbuild --without tls_fallback), into results-unpatched/ by default",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even when results/ holds a verified build of the same inputs")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    ctx = Context.load()
    report = run_build(
        ctx,
        BuildOptions(backend=args.backend, results=args.results, mock_config=args.mock_config, donor=args.donor, lint=not args.no_lint, srpm_only=args.srpm_only, force=args.force,
                     backport=not args.without_backport),
    )
    if not report.stages:  # up to date: nothing ran
        return 0
    total = sum(report.stages.values())
    info("stages: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.stages.items()) + f"; total {total:.1f} s")
    return 0
