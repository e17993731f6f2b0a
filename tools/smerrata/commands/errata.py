"""`smerrata errata`: signed repository + updateinfo advisory from the build's results/."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..config import repo_root
from ..console import info
from ..errata.pipeline import make_errata
from ..errata.settings import load_settings


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser = subparsers.add_parser("errata", help="repository with updateinfo (createrepo_c), RPMs signed with rpmsign")
    parser.add_argument("--results", help="results directory of `smerrata build` (default: <checkout>/results)")
    parser.add_argument("--config", help="advisory configuration (default: <checkout>/errata.toml)")
    parser.add_argument("--advisory-id", help="advisory id RHBA-YYYY:NNNN (overrides SMERRATA_ADVISORY_ID and errata.toml)")
    keys = parser.add_mutually_exclusive_group()
    keys.add_argument("--sign-key", metavar="FPR", help="GPG fingerprint in $GNUPGHOME to sign with (or SMERRATA_SIGN_KEY)")
    keys.add_argument("--ephemeral-key", action="store_true", help="sign with a throwaway key made for this run (CI)")
    parser.add_argument("--json", action="store_true", help="print the errata report as JSON on stdout")
    parser.set_defaults(func=run)
    return parser


def _checkout() -> Path:
    return repo_root()


def run(args: argparse.Namespace) -> int:
    results = Path(args.results).resolve() if args.results else _checkout() / "results"
    config = Path(args.config).resolve() if args.config else _checkout() / "errata.toml"
    settings = load_settings(config, advisory_id=args.advisory_id, sign_key=args.sign_key, ephemeral_key=args.ephemeral_key)
    result = make_errata(results, settings)
    info(
        f"{result.advisory_id}: {len(result.packages)} RPMs in {result.repo}"
        + (f", signed by {result.signed_by}, public key {result.repo / 'RPM-GPG-KEY-smerrata'}" if result.signed_by else ", unsigned")
    )
    if args.json:
        print(json.dumps(result.report(), indent=2, sort_keys=True))
    return 0
