"""Build the tiny test package (tests/fixtures/tiny-rpm) with rpmbuild in a private _topdir."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parent.parent / "fixtures" / "tiny-rpm" / "smerrata-tiny.spec"


def require_tool(name: str, package: str) -> str:
    """The path of a host tool; CI must have it (ci/bootstrap.sh installs it), a laptop may skip."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install {package}; ci/bootstrap.sh does this)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def build_tiny(topdir: Path, release: str, targets: tuple[str, ...] = ("",)) -> None:
    """rpmbuild the tiny spec; each target adds that arch's binary RPM (and the noarch doc)."""
    rpmbuild = require_tool("rpmbuild", "rpm")
    for index, target in enumerate(targets):
        argv = [
            rpmbuild, "-ba" if index == 0 else "-bb", "--nodeps", "--quiet",
            "--define", f"_topdir {topdir}",
            "--define", f"tiny_release {release}",
            # A fixed build time and host keep repeat builds comparable, like the real spec does.
            "--define", "use_source_date_epoch_as_buildtime 1",
            "--define", "_buildhost smerrata-tests.example.invalid",
            *(["--target", target] if target else []),
            str(SPEC),
        ]
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1599048000"}
        subprocess.run(argv, check=True, capture_output=True, env=env, timeout=120, stdin=subprocess.DEVNULL)


def results_layout(topdir: Path, results: Path) -> Path:
    """Lay out rpmbuild's output the way `smerrata build` does: results/SRPMS, results/RPMS/<arch>."""
    (results / "SRPMS").mkdir(parents=True, exist_ok=True)
    for srpm in (topdir / "SRPMS").glob("*.src.rpm"):
        shutil.copy2(srpm, results / "SRPMS" / srpm.name)
    for rpm in (topdir / "RPMS").glob("*/*.rpm"):
        (results / "RPMS" / rpm.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy2(rpm, results / "RPMS" / rpm.parent.name / rpm.name)
    return results
