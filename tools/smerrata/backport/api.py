"""Entry points used by the CLI and the build: generate the backport patch and its report."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..context import Context
from .definition import FeatureDefinition, load_definition
from .engine import Porter, PortResult
from .patchfmt import render_patch
from .report import report_data, report_json, report_text

DEFAULT_DEFINITION = "patches/tls-fallback-to-clear.toml"


@dataclass(frozen=True)
class BackportResult:
    patch_path: Path
    report_json: Path
    report_text: Path
    dropped: list[str]
    port: PortResult
    patch_sha256: str


@dataclass(frozen=True)
class Rendered:
    patch: str
    report: dict[str, object]
    port: PortResult


def render(
    definition: FeatureDefinition, donor_tree: Path, base_tree: Path, donor: str, donor_provenance: str, base_provenance: str,
    tree_for: Callable[[str], Path] | None = None, provenance_for: Callable[[str], str] | None = None,
) -> Rendered:
    port = Porter(definition, donor_tree, base_tree, donor, tree_for).run()
    definition_sha = hashlib.sha256(definition.path.read_bytes()).hexdigest()
    patch = render_patch(definition, port, donor_provenance, definition_sha, __version__)
    data = report_data(definition, port, donor_provenance, base_provenance, hashlib.sha256(patch.encode("latin-1")).hexdigest())
    # Later releases some changes came from (`since`): where those trees came from.
    extra = sorted({item.donor_version for item in port.changes if item.donor_version != donor})
    if extra:
        data["other_donors"] = {version: provenance_for(version) if provenance_for else "provided by the caller" for version in extra}
    return Rendered(patch, data, port)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.fchmod(fd, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="latin-1", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_outputs(rendered: Rendered, definition: FeatureDefinition, out_dir: Path) -> BackportResult:
    patch_path = out_dir / definition.patch_name
    stem = definition.patch_name.removesuffix(".patch")
    json_path = out_dir / f"{stem}.report.json"
    text_path = out_dir / f"{stem}.report.txt"
    # Report first, patch last: a patch file on disk always has its report beside it.
    _write_atomic(json_path, report_json(rendered.report))
    _write_atomic(text_path, report_text(rendered.report))
    _write_atomic(patch_path, rendered.patch)
    return BackportResult(patch_path, json_path, text_path, rendered.port.dropped, rendered.port, hashlib.sha256(rendered.patch.encode("latin-1")).hexdigest())


def generate_backport(
    ctx: Context, base_tree: Path, out_dir: Path, donor: str | None = None, definition_path: Path | None = None, base_provenance: str | None = None
) -> BackportResult:
    """Port the feature from `donor` onto `base_tree` (8.15.2 with the spec's earlier patches)."""
    definition = load_definition(definition_path or ctx.root / DEFAULT_DEFINITION)
    donor = donor or definition.default_donor
    donor_tree = ctx.chain.release_tree(donor)
    donor_provenance = ctx.chain.release_tarball(donor).provenance
    base_provenance = base_provenance or f"{definition.base} tree {base_tree}"
    rendered = render(
        definition, donor_tree, base_tree, donor, donor_provenance, base_provenance,
        ctx.chain.release_tree, lambda version: ctx.chain.release_tarball(version).provenance,
    )
    return write_outputs(rendered, definition, out_dir)
