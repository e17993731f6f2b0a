"""`smerrata backport` end to end on the toy project: outputs, exit codes, drift check."""

from __future__ import annotations

from pathlib import Path

import pytest

from smerrata.cli import main
from smerrata.errors import ExitCode

pytestmark = pytest.mark.timeout(60)


def run_backport(toy: tuple[Path, Path, Path], out: Path, *extra: str) -> int:
    base, donor, definition = toy
    return main(["backport", "--base-tree", str(base), "--donor-tree", str(donor), "--definition", str(definition), "--donor", "2.0", "--out", str(out), *extra])


def test_writes_patch_and_both_reports(toy: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert run_backport(toy, out) == 0
    assert sorted(p.name for p in out.iterdir()) == ["toy-retry-clear.patch", "toy-retry-clear.report.json", "toy-retry-clear.report.txt"]
    patch = (out / "toy-retry-clear.patch").read_text()
    assert patch.startswith("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: ")
    assert "\nSubject: [PATCH] Add the RetryClear option\n" in patch and "\nResolves: rhbz#1\n" in patch
    assert "Backport report: retry-clear" in capsys.readouterr().out


def test_check_passes_when_unchanged_and_fails_on_definition_drift(toy: tuple[Path, Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_backport(toy, out) == 0
    recorded = out / "toy-retry-clear.patch"
    assert run_backport(toy, tmp_path / "unused", "--check", str(recorded)) == 0
    definition = toy[2]
    definition.write_text(definition.read_text().replace('subject = "Add the RetryClear option"', 'subject = "Add RetryClear"'))
    assert run_backport(toy, tmp_path / "unused", "--check", str(recorded)) == ExitCode.DRIFT
    assert not (tmp_path / "unused").exists()


def test_conflict_exits_5_with_one_line_and_writes_nothing(toy: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    send = toy[0] / "src/send.c"
    send.write_text(send.read_text().replace("  again:", "  elsewhere:"))
    out = tmp_path / "out"
    assert run_backport(toy, out) == ExitCode.CONFLICT
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("smerrata: error:")]
    assert len(errors) == 1 and "src/send.c" in errors[0]
    assert not out.exists()
