"""Backport generation time: `smerrata backport` end to end vs GNU patch applying its output."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..context import Context
from ..errors import BuildError
from .timing import Comparison, interleaved


def bench_backport(ctx: Context, runs: int) -> Comparison:
    base = ctx.chain.release_tree("8.15.2")
    ctx.chain.release_tree("8.16.1")
    with tempfile.TemporaryDirectory(prefix="smerrata-bench-") as scratch_name:
        scratch = Path(scratch_name)
        out = scratch / "out"
        generate = [sys.executable, "-m", "smerrata", "backport", "--out", str(out), "--json"]

        def run_generation() -> None:
            result = subprocess.run(generate, cwd=ctx.root, capture_output=True, timeout=300, check=False)
            if result.returncode != 0:
                raise BuildError(f"smerrata backport failed during the benchmark: {result.stderr.decode(errors='replace').strip().splitlines()[-1:]}")

        run_generation()
        patch = next(out.glob("*.patch"))
        tree = scratch / "tree"

        def apply_with_gnu_patch() -> None:
            shutil.rmtree(tree, ignore_errors=True)
            shutil.copytree(base / "sendmail", tree / "sendmail")
            for rel in ("cf", "doc"):
                shutil.copytree(base / rel, tree / rel)
            subprocess.run(["patch", "-s", "-p1", "-i", str(patch)], cwd=tree, check=True, timeout=60)

        return interleaved(
            "backport generation",
            ("smerrata backport (new process, 8.16.1 -> 8.15.2)", run_generation),
            ("copy the affected trees + GNU patch applying the generated patch", apply_with_gnu_patch),
            runs,
        )
