"""`smerrata backport`: port the feature onto 8.15.2, compare donors, or check for drift."""

from __future__ import annotations

import argparse
import difflib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from ..backport.api import DEFAULT_DEFINITION, render, write_outputs
from ..backport.compare import compare_ports, rules_unused_by_all
from ..backport.definition import load_definition
from ..backport.report import report_text
from ..console import info, stage, warn
from ..context import Context
from ..errors import ConfigError, DriftError, HostToolsMissing, SourceNotFound, UsageError


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "backport",
        help="generate the TLSFallbacktoClear backport patch and its provenance report",
        description="Extract the feature from a donor release and port it onto 8.15.2 by the rules in the feature definition.",
    )
    parser.add_argument("--donor", help="donor release (default: the definition's default_donor)")
    parser.add_argument("--definition", help=f"feature definition (default: {DEFAULT_DEFINITION})")
    parser.add_argument("--base-tree", type=Path, help="use this unpacked base tree instead of fetching 8.15.2")
    parser.add_argument("--donor-tree", type=Path, help="use this unpacked donor tree instead of fetching the donor")
    parser.add_argument("--out", type=Path, help="output directory (default: results/backport; the build's own copy in results/patches is never touched)")
    parser.add_argument("--compare-donors", action="store_true", help="port from every donor in the definition and compare the patched trees")
    parser.add_argument("--check", nargs="?", const="", metavar="PATCH_OR_SRPM",
                        help="regenerate and compare with a patch or SRPM (default: the SRPM in results/SRPMS, else results/patches/<patch>); exit 8 on drift")
    parser.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    parser.set_defaults(func=run)
    return parser


def _patch_from_srpm(srpm: Path, name: str) -> str:
    if shutil.which("rpm2archive") is None:
        raise HostToolsMissing("rpm2archive: not found; install rpm (apt-get install rpm / dnf install rpm)")
    with srpm.open("rb") as handle:
        payload = subprocess.run(["rpm2archive", "-"], stdin=handle, capture_output=True, check=False, timeout=120)
    if payload.returncode != 0:
        raise UsageError(f"{srpm}: not a readable SRPM ({payload.stderr.decode(errors='replace').strip()}); pass a .src.rpm built by smerrata")
    with tarfile.open(fileobj=io.BytesIO(payload.stdout), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.name.lstrip("./") == name and member.isfile():
                extracted = archive.extractfile(member)
                assert extracted is not None
                return extracted.read().decode("latin-1")
    raise DriftError(f"{srpm}: carries no {name}; the SRPM was built without the backport")


def _default_reference(results: Path, patch_name: str) -> Path:
    """What was shipped: the SRPM of the last build, else the patch the build kept beside it."""
    srpms = sorted((results / "SRPMS").glob("*.src.rpm"))
    return srpms[0] if len(srpms) == 1 else results / "patches" / patch_name


def run(args: argparse.Namespace) -> int:
    ctx = Context.load()
    definition = load_definition(Path(args.definition).resolve() if args.definition else ctx.root / DEFAULT_DEFINITION)
    donors = list(definition.donors) if args.compare_donors else [args.donor or definition.default_donor]
    scratch = tempfile.TemporaryDirectory(prefix="smerrata-backport-")
    with stage("sources: base and donor trees"):
        if args.base_tree:
            base_tree, base_provenance = args.base_tree.resolve(), f"{definition.base} {args.base_tree}"
        else:
            # The same base the build uses: 8.15.2 with the spec's earlier patches applied.
            from ..build.backport_step import base_for_backport

            base_tree, base_provenance = base_for_backport(ctx, definition.base, Path(scratch.name))
        donor_trees = {}
        for donor in donors:
            if args.donor_tree and len(donors) == 1:
                donor_trees[donor] = (args.donor_tree.resolve(), f"{donor} {args.donor_tree}")
            else:
                donor_trees[donor] = (ctx.chain.release_tree(donor), ctx.chain.release_tarball(donor).provenance)
    rendered = {}
    for donor in donors:
        with stage(f"backport from {donor}"):
            tree, provenance = donor_trees[donor]
            rendered[donor] = render(
                definition, tree, base_tree, donor, provenance, base_provenance,
                ctx.chain.release_tree, lambda version: ctx.chain.release_tarball(version).provenance,
            )
    primary = rendered[donors[0]]
    for note in primary.port.dropped:
        info(f"dropped: {note}")
    if not args.compare_donors:
        for entry in primary.port.unused_rules:
            warn(f"{definition.path.name}: rule {entry} has nothing to act on in donor {donors[0]} (--compare-donors fails if no donor needs it)")

    if args.check is not None:
        reference = Path(args.check) if args.check else _default_reference(ctx.results_dir(), definition.patch_name)
        if not reference.is_file():
            raise SourceNotFound(f"{reference}: nothing to compare with; run `tox -e build` first or pass a patch/SRPM path")
        recorded = _patch_from_srpm(reference, definition.patch_name) if reference.name.endswith(".src.rpm") else reference.read_text(encoding="latin-1")
        if recorded != primary.patch:
            diff = list(difflib.unified_diff(recorded.splitlines(), primary.patch.splitlines(), "recorded", "regenerated", n=1, lineterm=""))
            for line in diff[:60]:
                info(f"    {line}")
            if len(diff) > 60:
                info(f"    ... {len(diff) - 60} more diff lines")
            raise DriftError(f"{reference}: differs from the patch regenerated from {definition.path.name} (diff above); rebuild (tox -e build) or revert the definition")
        info(f"no drift: {reference} matches the regenerated patch")
        return 0

    if args.compare_donors:
        stale = rules_unused_by_all([rendered[d].port for d in donors])
        if stale:
            raise ConfigError(
                f"{definition.path}: [rules] {', '.join(stale)} found nothing to act on in any donor ({', '.join(donors)}); remove the entry or fix its name"
            )
        differences = compare_ports(primary.port, [rendered[d].port for d in donors[1:]])
        if not differences:
            info(f"donors {', '.join(donors)} give the same patched tree (blank lines and spacing aside)")
        for difference in differences:
            warn(f"{difference.file}: {difference.reference} and {difference.other} differ in substance:")
            for line in difference.diff:
                info(f"    {line}")

    out = args.out.resolve() if args.out else ctx.results_dir() / "backport"
    result = write_outputs(primary, definition, out)
    info(f"wrote {result.patch_path} (sha256 {result.patch_sha256[:16]}) and {result.report_text.name}")
    if args.json:
        print(json.dumps(primary.report, indent=2, sort_keys=True))
    else:
        print(report_text(primary.report), end="")
    return 0
