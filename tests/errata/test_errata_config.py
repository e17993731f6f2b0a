"""Bad advisory configuration: one line naming the file and the fix, exit CONFIG, nothing published."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from smerrata.errata.settings import load_settings
from smerrata.errors import ExitCode

pytestmark = pytest.mark.timeout(60)


def smerrata(results: Path, config: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMERRATA_ADVISORY")}
    environ.setdefault("SOURCE_DATE_EPOCH", "1599048000")
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "smerrata", "errata", "--results", str(results), "--config", str(config), *extra],
        capture_output=True, text=True, env=environ, timeout=60, stdin=subprocess.DEVNULL,
    )


def config_without(errata_toml: Path, tmp_path: Path, line_prefix: str, replacement: str = "") -> Path:
    lines = errata_toml.read_text().splitlines(keepends=True)
    assert any(line.startswith(line_prefix) for line in lines), f"{line_prefix!r} not in errata.toml"
    edited = tmp_path / "errata.toml"
    edited.write_text("".join(replacement if line.startswith(line_prefix) else line for line in lines))
    return edited


def assert_config_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode == ExitCode.CONFIG, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("smerrata: error:")]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


def assert_nothing_published(results: Path) -> None:
    assert not (results / "repo").exists() and not (results / "repo-srpms").exists()
    assert not list(results.glob(".errata-stage-*")), "staging directory left behind"


def test_missing_id_names_the_file_and_the_fix(results: Path, errata_toml: Path, tmp_path: Path) -> None:
    config = config_without(errata_toml, tmp_path, "id = ")
    proc = smerrata(results, config)
    assert_config_error(proc, str(config), "[advisory] id is missing", "--advisory-id")
    assert_nothing_published(results)


@pytest.mark.parametrize("bad_id", ["RHBA-26:0001", "RHSA-2026:0001", "RHBA-2026-0001", "RHBA-2026:12"])
def test_malformed_id_from_the_command_line(results: Path, errata_toml: Path, bad_id: str) -> None:
    proc = smerrata(results, errata_toml, "--advisory-id", bad_id)
    assert_config_error(proc, bad_id, "RHBA-YYYY:NNNN")
    assert_nothing_published(results)


def test_malformed_id_from_the_environment(results: Path, errata_toml: Path) -> None:
    proc = smerrata(results, errata_toml, env={"SMERRATA_ADVISORY_ID": "2026:0001"})
    assert_config_error(proc, "SMERRATA_ADVISORY_ID", "RHBA-YYYY:NNNN")


@pytest.mark.parametrize("epoch", ["yesterday", "1599048000.5", "-5", "99999999999999999999"])
def test_malformed_source_date_epoch(results: Path, errata_toml: Path, epoch: str) -> None:
    proc = smerrata(results, errata_toml, "--ephemeral-key", env={"SOURCE_DATE_EPOCH": epoch})
    assert_config_error(proc, "SOURCE_DATE_EPOCH")
    assert_nothing_published(results)


def test_bad_config_keeps_the_previous_repository(results: Path, errata_toml: Path) -> None:
    assert smerrata(results, errata_toml).returncode == 0
    before = sorted(p.name for p in (results / "repo" / "repodata").iterdir())
    proc = smerrata(results, errata_toml, "--advisory-id", "RHBA-bad")
    assert_config_error(proc, "RHBA-bad")
    assert sorted(p.name for p in (results / "repo" / "repodata").iterdir()) == before


def test_missing_results_is_one_line(tmp_path: Path, errata_toml: Path) -> None:
    proc = smerrata(tmp_path / "empty", errata_toml)
    assert proc.returncode == ExitCode.NOT_FOUND
    assert "run `tox -e build` first" in proc.stderr and "Traceback" not in proc.stderr


def test_precedence_cli_over_environment_over_file(errata_toml: Path) -> None:
    from_file = load_settings(errata_toml, environ={})
    assert from_file.advisory.id == "RHBA-2026:0000"  # the placeholder, never a real advisory
    from_env = load_settings(errata_toml, environ={"SMERRATA_ADVISORY_ID": "RHBA-2026:1111"})
    assert from_env.advisory.id == "RHBA-2026:1111"
    from_cli = load_settings(errata_toml, environ={"SMERRATA_ADVISORY_ID": "RHBA-2026:1111"}, advisory_id="RHBA-2026:22222")
    assert from_cli.advisory.id == "RHBA-2026:22222"
    assert [b.id for b in from_file.advisory.bugs] == ["1868041"]
    assert from_file.advisory.type == "enhancement"
    assert not from_file.signing.configured


def test_unknown_severity_is_rejected(errata_toml: Path) -> None:
    from smerrata.errors import ConfigError

    with pytest.raises(ConfigError, match="severity 'Urgent'"):
        load_settings(errata_toml, environ={"SMERRATA_ADVISORY_SEVERITY": "Urgent"})


def test_an_unpatched_qa_build_is_never_published(results: Path, errata_toml: Path) -> None:
    (results / "build-report.json").write_text(json.dumps({"kind": "qa-reference-unpatched"}))
    proc = smerrata(results, errata_toml)
    assert_config_error(proc, "build-report.json", "not an errata build")
    assert_nothing_published(results)
