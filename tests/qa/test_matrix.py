"""The whole matrix against every available build: each cell meets its expectation, within 90 s,
with parity between the patched 8.15.2 and every upstream build present (and between the unpatched
builds), and nothing left running afterwards."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from smerrata.context import Context
from smerrata.qa.builds import Build, resolve_builds
from smerrata.qa.matrix import run_matrix
from smerrata.qa.report import write_reports
from smerrata.qa.scenarios import CATALOGUE, Mode

pytestmark = [pytest.mark.qa, pytest.mark.slow, pytest.mark.timeout(240)]


def processes_marked_with(marker: str) -> list[str]:
    """Processes whose environment names our output directory: every sandbox shell and sendmail
    gets OPENSSL_CONF=<cell state>/openssl.cnf, so this finds leftovers of this run only (other
    xdist workers run the same binaries at the same time). A namespace lives only as long as a
    process in it, so no such process also means no namespace left behind."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ:
            found.append(proc.name)
    return found


def test_full_matrix(ctx: Context, debian_8152: Build, debian_8179: Build, tmp_path: Path) -> None:
    builds, notes = resolve_builds(ctx, None, ctx.results_dir())
    result = run_matrix(builds, list(CATALOGUE), list(Mode), tmp_path, notes=notes)
    paths = write_reports(result, tmp_path)

    failed = [f"{c.build}/{c.scenario}/{c.mode}: want {c.expected}, got {c.outcome} ({c.detail})" for c in result.failed]
    assert not failed, "\n".join(failed)
    assert len(result.cells) == len(builds) * len(CATALOGUE) * len(Mode)
    assert result.seconds < 90, f"matrix took {result.seconds} s"
    upstream = {b.name for b in builds if b.role == "upstream"}
    if any(b.role == "patched" for b in builds):  # parity with every upstream build present
        assert {p.reference for p in result.parity if p.subject == "patched-8.15.2"} == upstream
    unpatched = [b.name for b in builds if b.role == "unpatched"]
    assert len([p for p in result.parity if p.subject in unpatched]) == len(unpatched) - 1
    assert result.parity_holds, [m for p in result.parity for m in p.mismatches]
    # every fallback happened on the builds that know the option, and only there
    fallbacks = {(c.build, c.mode) for c in result.cells if c.outcome == "clear-retry"}
    assert fallbacks == {(b.name, m.value) for b in builds if b.knows_option for m in (Mode.ON_CMDLINE, Mode.ON_M4)}

    report = json.loads(paths["json"].read_text())
    assert report["passed"] and report["cells_failed"] == 0
    for cell in report["cells"]:
        assert (tmp_path / cell["evidence"] / "peer.json").is_file()
        assert (tmp_path / cell["evidence"] / "syslog.txt").stat().st_size > 0 or cell["outcome"] == "refused"
    junit = ET.parse(paths["junit"]).getroot()
    assert int(junit.get("failures", "1")) == 0 and len(junit.findall("testcase")) >= len(result.cells)
    assert "| garbage |" in paths["markdown"].read_text()

    assert processes_marked_with(str(tmp_path)) == [], "sandbox processes (and so their namespaces) outlived the matrix"


def test_the_matrix_catches_a_wrong_expectation(debian_8152: Build, tmp_path: Path) -> None:
    """Negative control: pretend bullseye's 8.15.2 had the option; the matrix must flag it."""
    pretending = Build(**{**debian_8152.__dict__, "name": "debian-8.15.2-pretending", "knows_option": True})
    result = run_matrix([pretending], [CATALOGUE[3]], [Mode.ON_CMDLINE, Mode.ON_M4], tmp_path)
    assert {c.outcome for c in result.failed} == {"refused", "deferred"}
    assert not result.passed
