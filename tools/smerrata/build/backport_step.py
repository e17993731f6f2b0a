"""The backport patch for Patch100, made against 8.15.2 *after* Patch1 (the OpenSSL fixes),
because the spec applies it last.

The engine (smerrata.backport.api.generate_backport) is the normal path. While it is not
importable, a patch named by $SMERRATA_BACKPORT_PATCH is used instead (for local testing of
the build only; such a patch is never committed) and the report says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..context import Context
from ..errors import BackportConflict, ConfigError, HostToolsMissing

ENV_LOCAL_PATCH = "SMERRATA_BACKPORT_PATCH"


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


def generate(ctx: Context, base_tree: Path, out_dir: Path, patch_name: str, donor: str) -> BackportOutput:
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        from ..backport.api import generate_backport  # the engine, being written alongside
    except ImportError:
        generate_backport = None
    if generate_backport is not None:
        result = generate_backport(ctx, base_tree, out_dir, donor=donor)
        patch_path = Path(result.patch_path)
        if patch_path.name != patch_name:
            raise ConfigError(f"sendmail.spec: Patch100 is {patch_name} but the engine wrote {patch_path.name}; make them agree")
        return BackportOutput(
            patch_path, f"backport engine, donor {donor}", list(result.dropped), [Path(result.report_json), Path(result.report_text)]
        )
    local = os.environ.get(ENV_LOCAL_PATCH)
    if not local:
        raise ConfigError(
            f"smerrata.backport.api is not available yet; set {ENV_LOCAL_PATCH}=<a locally made patch> to test the build without the engine"
        )
    source = Path(local)
    if not source.is_file():
        raise ConfigError(f"{source}: {ENV_LOCAL_PATCH} names no file; point it at a patch or unset it")
    target = out_dir / patch_name
    shutil.copyfile(source, target)
    return BackportOutput(target, f"local patch from ${ENV_LOCAL_PATCH} (engine not importable)")
