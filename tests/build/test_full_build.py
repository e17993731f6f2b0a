"""The real build: SRPM and RPMs from the pinned 8.15.2 sources (skips where none are configured)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile
import io
from pathlib import Path

import pytest

from smerrata.build.pipeline import BuildOptions, run_build
from smerrata.context import Context

pytestmark = [pytest.mark.needs_sources, pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def built(ctx: Context, base_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = tmp_path_factory.mktemp("build") / "results"
    run_build(ctx, BuildOptions(backend="rpmbuild", results=str(results)))
    return results


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_results_layout_and_report(built: Path) -> None:
    report = json.loads((built / "build-report.json").read_text())
    assert report["backend"] == "rpmbuild" and report["rpmlint"]["errors"] == 0
    assert {"sources", "backport", "srpm", "rpmlint"} <= set(report["stages"])
    srpm = built / "SRPMS" / "sendmail-8.15.2-33.src.rpm"
    assert report["srpm"]["sha256"] == _sha256(srpm)
    names = {p.name for p in built.glob("RPMS/*/*.rpm")}
    for sub in ("sendmail-8.15.2-33.x86_64", "sendmail-milter-8.15.2-33.x86_64", "sendmail-milter-devel-8.15.2-33.x86_64",
                "sendmail-cf-8.15.2-33.noarch", "sendmail-doc-8.15.2-33.noarch"):
        assert f"{sub}.rpm" in names
    assert (built / "patches" / "sendmail-8.15.2-tls-fallback-to-clear.patch").is_file()
    assert (built / "logs" / "build.log").is_file() and (built / "logs" / "rpmlint.log").is_file()


def test_changelog_in_the_srpm(built: Path) -> None:
    out = subprocess.run(["rpm", "-qp", "--changelog", str(built / "SRPMS" / "sendmail-8.15.2-33.src.rpm")],
                         capture_output=True, text=True, check=True).stdout
    top = out.split("\n\n", 1)[0]
    assert "8.15.2-33" in top and "Backport TLSFallbacktoClear option from 8.16.1 (off by default)" in top
    assert "Resolves: rhbz#1868041" in top


def _unpack(rpm: Path, into: Path) -> None:
    archive = subprocess.run(["rpm2archive", "-"], stdin=rpm.open("rb"), capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def _sendmail_bt(root: Path, option: str) -> subprocess.CompletedProcess[str]:
    """sendmail -bt in its own UTS+mount namespace with a qualified host name (an unqualified
    one costs a 60 s sleep, design.md section 5) and a private /etc/hosts."""
    hosts = root / "hosts"
    hosts.write_text("127.0.0.1 smtest.example.com smtest localhost\n")
    script = (
        "hostname smtest.example.com && mount --bind \"$1\" /etc/hosts && "
        "exec \"$2\" -C \"$3\" -bt -d0.1 -O \"$4\" < /dev/null"
    )
    return subprocess.run(
        ["unshare", "--uts", "--mount", "sh", "-c", script, "sh", str(hosts), str(root / "usr/sbin/sendmail.sendmail"),
         str(root / "etc/mail/sendmail.cf"), option],
        capture_output=True, text=True, timeout=30, check=False,
    )


def test_built_sendmail_accepts_the_option(built: Path, tmp_path: Path) -> None:
    _unpack(built / "RPMS" / "x86_64" / "sendmail-8.15.2-33.x86_64.rpm", tmp_path)
    assert "O TLSFallbacktoClear=False" in (tmp_path / "etc/mail/sendmail.cf").read_text()
    accepted = _sendmail_bt(tmp_path, "TLSFallbacktoClear=True")
    assert "Version 8.15.2" in accepted.stdout and "ADDRESS TEST MODE" in accepted.stdout
    assert "unknown option" not in accepted.stdout + accepted.stderr
    # The same run with a name sendmail does not know shows what a rejection looks like.
    rejected = _sendmail_bt(tmp_path, "TLSFallbacktoNowhere=True")
    assert "readcf: unknown option name TLSFallbacktoNowhere" in rejected.stdout + rejected.stderr


def test_srpm_is_byte_identical_across_runs(ctx: Context, built: Path, tmp_path: Path) -> None:
    again = tmp_path / "results"
    run_build(ctx, BuildOptions(backend="rpmbuild", results=str(again), srpm_only=True))
    name = "sendmail-8.15.2-33.src.rpm"
    assert _sha256(again / "SRPMS" / name) == _sha256(built / "SRPMS" / name)
