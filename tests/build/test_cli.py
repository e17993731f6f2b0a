"""`smerrata build` as a user runs it, on inputs that must fail cleanly."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from smerrata.errors import ExitCode

pytestmark = pytest.mark.timeout(120)


def test_broken_spec_one_line_error_and_no_results(repo_root: Path, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    shutil.copy(repo_root / "upstream.toml", checkout)
    (checkout / "sendmail.spec").write_text("Name: sendmail\nVersion: 8.15.2\n%if\n")
    proc = subprocess.run(
        [sys.executable, "-m", "smerrata", "build", "--backend", "rpmbuild"],
        cwd=checkout, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SMERRATA_REPO": str(checkout)},
        check=False,
    )
    assert proc.returncode == ExitCode.CONFIG, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("smerrata: error: ") and "sendmail.spec" in lines[0]
    assert not (checkout / "results").exists()
    assert not (checkout / ".smerrata-staging").exists()
