"""`smerrata bench --what pipeline` where no provider has the sendmail sources: it says so and
records the skip instead of failing or inventing figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import run
from .toy import Toy

pytestmark = pytest.mark.timeout(120)


def test_pipeline_benchmark_without_sources_says_why(repo_root: Path, toy: Toy, tmp_path: Path) -> None:
    out = tmp_path / "bench"
    proc = run(toy.command("bench", "--what", "pipeline", "--out", str(out)),
               toy.env(SMERRATA_REPO=str(repo_root), SMERRATA_GIT_MIRROR=""), repo_root)
    assert proc.returncode == 0, proc.stderr
    assert "pipeline benchmark skipped: needs sendmail 8.15.2 sources" in proc.stderr.replace("\n", " ")
    figures = json.loads((out / "bench.json").read_text())
    assert figures == [{"name": "pipeline overhead", "skipped": figures[0]["skipped"]}]
    assert "SMERRATA_GIT_MIRROR" in figures[0]["skipped"]
