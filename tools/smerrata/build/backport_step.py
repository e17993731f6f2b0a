"""The backport patch for Patch100, made against 8.15.2 *after* the spec's earlier patches
(Patch1, the OpenSSL fixes), because the spec applies it last. `smerrata build` and
`smerrata backport` share this, so a drift check regenerates exactly what the SRPM carries."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..backport.api import generate_backport
from ..context import Context
from ..errors import BackportConflict, ConfigError, HostToolsMissing

OPENSSL_PIN = "openssl-1.1.patch"


@dataclass
class BackportOutput:
    patch_path: Path
    origin: str
    dropped: list[str] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)


def prepare_base_tree(pristine: Path, patches: list[Path], scratch: Path) -> Path:
    """A scratch copy of the release with the spec's earlier patches applied (patch -p1)."""
    patch_tool = shutil.which("patch")
    if patch_tool is None:
        raise HostToolsMissing("patch: not on PATH; install it (apt-get install patch / dnf install patch)")
    base = scratch / pristine.name
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(pristine, base, symlinks=True)
    for patch in patches:
        proc = subprocess.run(
            [patch_tool, "-p1", "--batch", "--forward", "-i", str(patch)], cwd=base, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            raise BackportConflict(f"{patch.name}: does not apply to {pristine.name} ({(proc.stdout + proc.stderr).strip().splitlines()[-1]}); check its pin in upstream.toml")
    return base


def base_for_backport(ctx: Context, version: str, scratch: Path) -> tuple[Path, str]:
    """8.15.2 plus the patches the spec applies before the backport, and a provenance line."""
    tarball = ctx.chain.release_tarball(version)
    openssl = ctx.chain.debian_file(OPENSSL_PIN)
    base = prepare_base_tree(ctx.chain.release_tree(version), [openssl.path], scratch)
    return base, f"{tarball.provenance}, plus {openssl.path.name} ({openssl.provenance})"


def generate(ctx: Context, base_tree: Path, out_dir: Path, patch_name: str, donor: str, base_provenance: str) -> BackportOutput:
    out_dir.mkdir(parents=True, exist_ok=True)
    result = generate_backport(ctx, base_tree, out_dir, donor=donor, base_provenance=base_provenance)
    if result.patch_path.name != patch_name:
        raise ConfigError(f"{ctx.spec_path}: Patch100 is {patch_name} but the feature definition names {result.patch_path.name}; make them agree")
    return BackportOutput(result.patch_path, f"backport engine, donor {donor}", list(result.dropped), [result.report_json, result.report_text])
