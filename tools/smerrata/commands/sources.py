"""`smerrata sources`: fetch and verify every pinned input (or the ones named)."""

from __future__ import annotations

import argparse
import json

from ..console import info
from ..context import Context


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser = subparsers.add_parser("sources", help="fetch and verify upstream inputs (lookaside, git mirror, Debian)")
    parser.add_argument("releases", nargs="*", help="release versions to fetch (default: every pinned release)")
    parser.add_argument("--debs", action="store_true", help="also fetch the Debian binary packages used by QA")
    parser.add_argument("--json", action="store_true", help="print what was obtained as JSON on stdout")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    ctx = Context.load()
    obtained: dict[str, dict[str, str]] = {}
    for version in args.releases or list(ctx.pins.releases):
        item = ctx.chain.release_tarball(version)
        obtained[version] = {"path": str(item.path), "sha256": item.sha256, "provenance": item.provenance}
        info(f"sendmail {version}: {item.provenance}")
    if not args.releases:
        for name in ctx.pins.debfiles:
            item = ctx.chain.debian_file(name)
            obtained[name] = {"path": str(item.path), "sha256": item.sha256, "provenance": item.provenance}
            info(f"{name}: {item.provenance}")
    if args.debs:
        for name in ctx.pins.debs:
            item = ctx.chain.deb(name)
            obtained[name] = {"path": str(item.path), "sha256": item.sha256, "provenance": item.provenance}
            info(f"{name}: {item.provenance}")
    if args.json:
        print(json.dumps(obtained, indent=2, sort_keys=True))
    return 0
