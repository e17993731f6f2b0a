"""User errors through the CLI: non-zero, one line naming the file and the fix, no results;
a traceback only with --debug."""

from __future__ import annotations

from pathlib import Path

import pytest

from smerrata.errors import ExitCode

from .conftest import needs_rpmbuild, one_error_line, run  # noqa: F401 - fixture
from .toy import DEFINITION, SPEC, Toy

pytestmark = [pytest.mark.timeout(180), pytest.mark.usefixtures("needs_rpmbuild")]


def _nothing_published(toy: Toy) -> None:
    assert not toy.results.exists()
    staging = toy.checkout / ".smerrata-staging"
    assert not staging.exists() or [p.name for p in staging.iterdir() if p.name.startswith("results.") and not p.name.endswith(".lock")] == []


def test_toy_build_succeeds(toy: Toy) -> None:
    proc = run(toy.build_command(), toy.env(), toy.checkout)
    assert proc.returncode == 0, proc.stderr
    assert (toy.results / "SRPMS" / "toy-1.0-1.src.rpm").is_file()
    assert len(list((toy.results / "RPMS").rglob("toy-1.0-1.*.rpm"))) == 1
    patch = (toy.results / "patches" / "toy-feature.patch").read_text()
    assert "+int fallback_clear;" in patch


def test_spec_syntax_error(toy: Toy) -> None:
    (toy.checkout / "sendmail.spec").write_text(SPEC.replace("%build\n", "%build\n%if 0%{?\n"))
    proc = run(toy.build_command(), toy.env(), toy.checkout)
    assert proc.returncode == ExitCode.CONFIG
    line = one_error_line(proc)
    assert "sendmail.spec" in line and "rpmspec -P" in line
    _nothing_published(toy)


@pytest.mark.parametrize(("line", "kind"), [("Source1: toy.conf", "Source1"), ("Patch100: toy-feature.patch", "Patch2")])
def test_missing_source_or_patch_file(toy: Toy, line: str, kind: str) -> None:
    if kind == "Source1":
        (toy.checkout / "toy.conf").unlink()
        name = "toy.conf"
    else:
        (toy.checkout / "sendmail.spec").write_text(SPEC.replace(line, line + "\nPatch2: toy-local-fix.patch"))
        name = "toy-local-fix.patch"
    proc = run(toy.build_command(), toy.env(), toy.checkout)
    assert proc.returncode == ExitCode.CONFIG
    message = one_error_line(proc)
    assert "sendmail.spec" in message and f"{kind} {name} is missing" in message and "restore it" in message
    _nothing_published(toy)


def test_definition_with_unknown_key(toy: Toy) -> None:
    (toy.checkout / "patches" / "tls-fallback-to-clear.toml").write_text(DEFINITION.replace('what = "the flag"', 'what = "the flag"\npriority = 3'))
    proc = run(toy.build_command(), toy.env(), toy.checkout)
    assert proc.returncode == ExitCode.CONFIG
    line = one_error_line(proc)
    assert "tls-fallback-to-clear.toml" in line and "unknown key(s) priority" in line and "allowed keys" in line
    _nothing_published(toy)


def test_definition_rule_that_matches_nothing(toy: Toy) -> None:
    (toy.checkout / "patches" / "tls-fallback-to-clear.toml").write_text(DEFINITION.replace("^int fallback_clear;", "^int fallback_never;"))
    proc = run(toy.build_command(), toy.env(), toy.checkout)
    assert proc.returncode != 0 and proc.returncode != ExitCode.INTERNAL
    line = one_error_line(proc)
    assert "tls-fallback-to-clear.toml" in line
    _nothing_published(toy)


def test_bad_user_config_and_debug_traceback(toy: Toy) -> None:
    config = toy.tmp / "config.toml"
    config.write_text("[sources\ngit_mirror = 1\n")
    proc = run(toy.command("sources", "1.0"), toy.env(SMERRATA_CONFIG=str(config)), toy.checkout)
    assert proc.returncode == ExitCode.CONFIG
    assert str(config) in one_error_line(proc)
    debug = run(toy.command("--debug", "sources", "1.0"), toy.env(SMERRATA_CONFIG=str(config)), toy.checkout)
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "ConfigError" in debug.stderr


def test_unknown_pin_key(toy: Toy) -> None:
    pins = toy.checkout / "upstream.toml"
    pins.write_text(pins.read_text().replace('role = "base"', 'role = "base"\nmirror = "x"'))
    proc = run(toy.build_command(), toy.env(), toy.checkout)
    assert proc.returncode == ExitCode.CONFIG
    line = one_error_line(proc)
    assert str(pins) in line and "unknown key(s) mirror" in line
    _nothing_published(toy)
