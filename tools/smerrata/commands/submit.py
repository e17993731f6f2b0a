"""`smerrata submit`: build the SRPM in Copr for every configured chroot and fetch the RPMs."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import repo_root
from ..console import info
from ..errata.packages import NoPackages
from ..errors import UsageError
from ..submit.copr_client import copr_config, submit_to_copr
from ..submit.plan import submission_plan
from ..submit.settings import load_copr_settings


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser = subparsers.add_parser("submit", help="build the SRPM in Copr for the configured chroots, fetch RPMs into results/")
    parser.add_argument("--results", help="results directory (default: <checkout>/results)")
    parser.add_argument("--srpm", help="SRPM to submit (default: the one in <results>/SRPMS)")
    parser.add_argument("--config", help="errata.toml with [submit.copr] (default: <checkout>/errata.toml)")
    parser.add_argument("--chroot", action="append", dest="chroots", help="chroot to build for (repeatable; default: [submit.copr] chroots)")
    parser.add_argument("--owner", help="Copr owner (user or @group)")
    parser.add_argument("--project", help="Copr project")
    parser.add_argument("--poll-interval", type=float, help="seconds between status polls")
    parser.add_argument("--dry-run", action="store_true", help="print the requests that would be sent, send nothing")
    parser.set_defaults(func=run)
    return parser


def find_srpm(results: Path, explicit: str | None) -> Path:
    if explicit:
        path = Path(explicit).resolve()
        if not path.is_file() or not path.name.endswith(".src.rpm"):
            raise UsageError(f"{path}: not an SRPM file; pass the .src.rpm that `smerrata build` made")
        return path
    found = sorted((results / "SRPMS").glob("*.src.rpm"))
    if not found:
        raise NoPackages(f"{results / 'SRPMS'}: no SRPM to submit; run `tox -e build` first or pass --srpm")
    if len(found) > 1:
        raise UsageError(f"{results / 'SRPMS'}: {len(found)} SRPMs; pass the one to submit with --srpm")
    return found[0]


def run(args: argparse.Namespace) -> int:
    results = Path(args.results).resolve() if args.results else repo_root() / "results"
    config = Path(args.config).resolve() if args.config else repo_root() / "errata.toml"
    settings = load_copr_settings(config, chroots=args.chroots, owner=args.owner, project=args.project,
                                  poll_interval=args.poll_interval)
    srpm = find_srpm(results, args.srpm)
    if args.dry_run:
        copr_url = str(copr_config(settings)["copr_url"])
        for request in submission_plan(copr_url, settings, srpm):
            print(request.render())
        return 0
    fetched = submit_to_copr(settings, srpm, results)
    for item in fetched:
        info(f"{item.chroot}: {item.path}")
    return 0
