"""Pipeline overhead and the no-op rebuild, measured against baselines in the same run.

overhead: `smerrata build --force --no-lint` (a new process: sources from the cache, backport,
staging, SRPM, rebuild, publish) against a bare `rpmbuild -ba` of the same spec and the same
SOURCES with the same macros the rpmbuild backend passes. rpmlint is left out of both: the bare
command has nothing like it.
no-op: `smerrata build --no-lint` when results/ already holds that build, against the CLI's own
start-up (`smerrata --help`), which is the floor any command pays.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..build.backends import RpmbuildBackend, multiarch_libdir
from ..context import Context
from ..errors import BuildError
from .timing import Comparison, interleaved


@dataclass(frozen=True)
class Unavailable:
    name: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "skipped": self.reason}


def sources_missing(ctx: Context, versions: tuple[str, ...] = ("8.15.2", "8.16.1")) -> str | None:
    for version in versions:
        ok, why = ctx.chain.available(version)
        if not ok:
            return f"needs sendmail {version} sources: {why}"
    return None


def _run(command: list[str], env: dict[str, str], cwd: Path, what: str, timeout: float = 1800) -> None:
    proc = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise BuildError(f"{what} failed during the benchmark (exit {proc.returncode}): {' / '.join(tail)}")


def _bare_rpmbuild_command(srpm: Path, scratch: Path) -> tuple[list[str], Path]:
    """Unpack the SRPM the pipeline made (its spec and every SOURCE, patches included) and return
    the rpmbuild -ba command with the backend's own macro arguments."""
    unpacked = scratch / "unpacked"
    # rpm -i of an SRPM only unpacks it (spec into SPECS, the rest into SOURCES); no rpmdb change.
    subprocess.run(["rpm", "-i", "--nodeps", "--define", f"_topdir {unpacked}", str(srpm)], check=True, timeout=120, capture_output=True)
    sourcedir = unpacked / "SOURCES"
    spec = next((unpacked / "SPECS").glob("*.spec"))
    work = scratch / "bare-work"
    backend = RpmbuildBackend(rpmbuild=shutil.which("rpmbuild") or "rpmbuild", libsearchpath=multiarch_libdir())
    backend.prepare(work)
    command = backend.srpm_command(spec, sourcedir, scratch / "bare-srpms", work)
    command[command.index("-bs")] = "-ba"
    command[-1:-1] = ["--define", f"_rpmdir {scratch / 'bare-rpms'}"]
    return command, work


def bench_pipeline(ctx: Context, runs: int) -> list[Comparison]:
    with tempfile.TemporaryDirectory(prefix="smerrata-bench-") as name:
        scratch = Path(name)
        results = scratch / "results"
        # Own TMPDIR: the pipeline's fixed rpmbuild tree then does not queue behind other builds.
        own_tmp = scratch / "tmp"
        own_tmp.mkdir()
        env = {**os.environ, "TMPDIR": str(own_tmp)}
        smerrata = [sys.executable, "-m", "smerrata"]
        build = [*smerrata, "build", "--backend", "rpmbuild", "--no-lint", "--results", str(results)]
        _run([*build, "--force"], env, ctx.root, "smerrata build (warm-up)")
        srpm = next((results / "SRPMS").glob("*.src.rpm"))
        bare, bare_work = _bare_rpmbuild_command(srpm, scratch / "bare")
        bare_env = {**env, "SOURCE_DATE_EPOCH": str(_epoch(results)), "LC_ALL": "C.UTF-8", "TZ": "UTC"}

        def bare_build() -> None:
            shutil.rmtree(bare_work / "rpmbuild", ignore_errors=True)
            _run(bare, bare_env, scratch, "bare rpmbuild -ba")

        overhead = interleaved(
            "pipeline overhead",
            ("smerrata build --force --no-lint (new process, rpmbuild backend)", lambda: _run([*build, "--force"], env, ctx.root, "smerrata build")),
            ("bare rpmbuild -ba, same spec, SOURCES and macros", bare_build),
            runs,
        )
        noop = interleaved(
            "no-op rebuild",
            ("smerrata build --no-lint with results/ up to date", lambda: _run(build, env, ctx.root, "smerrata build (no-op)")),
            ("smerrata --help (CLI start-up)", lambda: _run([*smerrata, "--help"], env, ctx.root, "smerrata --help")),
            max(runs, 5),
        )
        return [overhead, noop]


def _epoch(results: Path) -> int:
    import json

    return int(json.loads((results / "build-report.json").read_text())["source_date_epoch"])
