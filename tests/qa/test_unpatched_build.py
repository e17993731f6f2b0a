"""`smerrata build --without-backport`: the same spec and sources without Patch100, published
into results-unpatched/ as a QA reference; its sendmail must refuse the option as 8.15.2 does.
The spec is also read both ways with rpmspec (that part needs no sendmail sources)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from smerrata.build.hostmacros import missing_macros, write_compat_file
from smerrata.build.pipeline import BuildOptions, run_build
from smerrata.context import Context
from smerrata.errors import ConfigError
from smerrata.qa.builds import UNPATCHED, rpm_build
from smerrata.qa.certs import CertSet
from smerrata.qa.cell import run_cell
from smerrata.qa.scenarios import BY_NAME, Mode, Outcome

BACKPORT_PATCH = "sendmail-8.15.2-tls-fallback-to-clear.patch"


def rpmspec(repo_root: Path, tmp_path: Path, *args: str) -> str:
    compat = write_compat_file(tmp_path / "compat.macros", missing_macros())
    command = ["rpmspec", *args, str(repo_root / "sendmail.spec")]
    if compat is not None:
        command[1:1] = ["--load", str(compat)]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.mark.timeout(60)
@pytest.mark.skipif(shutil.which("rpmspec") is None, reason="needs rpmspec (package 'rpm')")
def test_spec_parses_with_and_without_the_backport(repo_root: Path, tmp_path: Path) -> None:
    default = rpmspec(repo_root, tmp_path, "-P")
    without = rpmspec(repo_root, tmp_path, "-P", "--without", "tls_fallback")
    assert f"Patch100: {BACKPORT_PATCH}" in default.splitlines()
    assert "Patch100" not in without and "Patch1: sendmail-8.15.2-openssl-1.1.patch" in without.splitlines()
    # the reference's NVR sorts before the errata's, so it can never shadow or replace it
    nvr = rpmspec(repo_root, tmp_path, "-q", "--srpm", "--qf", "%{nvr}\n")
    unpatched_nvr = rpmspec(repo_root, tmp_path, "-q", "--srpm", "--qf", "%{nvr}\n", "--without", "tls_fallback")
    assert (nvr.strip(), unpatched_nvr.strip()) == ("sendmail-8.15.2-33", "sendmail-8.15.2-33~unpatched")
    older = subprocess.run(["rpmdev-vercmp", "33~unpatched", "33"], capture_output=True, text=True, check=False) \
        if shutil.which("rpmdev-vercmp") else None
    if older is not None:
        assert older.returncode == 12  # rpmdev-vercmp: 12 means the first is older


def test_without_backport_never_writes_over_the_errata_results(ctx: Context) -> None:
    with pytest.raises(ConfigError, match="holds the errata build"):
        run_build(ctx, BuildOptions(backport=False, results=str(ctx.results_dir()), lint=False))


@pytest.mark.needs_sources
@pytest.mark.qa
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_unpatched_build_has_no_backport_and_refuses_the_option(ctx: Context, base_tree: Path, certs: CertSet, tmp_path: Path) -> None:
    """A real build (or "up to date" when results-unpatched/ already holds one of these inputs)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("the QA sandbox needs root and unshare")
    if shutil.which("rpmbuild") is None:
        pytest.skip("needs rpmbuild (package 'rpm')")
    run_build(ctx, BuildOptions(backport=False))  # the defaults of `smerrata build --without-backport`
    results = ctx.root / "results-unpatched"
    report = json.loads((results / "build-report.json").read_text())
    assert report["kind"] == "qa-reference-unpatched" and not report["backport"]
    assert "UNPATCHED QA REFERENCE" in (results / "build-report.md").read_text().splitlines()[0]

    srpm = results / "SRPMS" / report["srpm"]["file"]
    listed = subprocess.run(["rpm", "-qpl", str(srpm)], capture_output=True, text=True, check=True, timeout=60).stdout.split()
    assert "sendmail-8.15.2-openssl-1.1.patch" in listed and BACKPORT_PATCH not in listed

    build = rpm_build(results, ctx.chain.cache.scratch("qa-builds"), UNPATCHED)
    assert build is not None and not build.knows_option
    refused = run_cell(BY_NAME["alert40"], build, Mode.ON_CMDLINE, certs, tmp_path)
    assert refused.outcome == Outcome.REFUSED.value, refused.detail
    assert "unknown option name TLSFallbacktoClear" in refused.detail
    ignored = run_cell(BY_NAME["alert40"], build, Mode.ON_M4, certs, tmp_path)
    assert ignored.outcome == Outcome.DEFERRED.value, ignored.detail  # the define is ignored: no fallback
