"""`smerrata errata` on real RPMs, read back with dnf, rpm -K and the raw updateinfo.xml."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from smerrata.cli import main

from .dnfclient import PrivateDnf
from .tinyrpm import require_tool

pytestmark = pytest.mark.timeout(120)

ADVISORY = "RHBA-2020:4242"
EPOCH = "1599048000"  # 2020-09-02 12:00:00 UTC


def run_errata(results: Path, config: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return main(["errata", "--results", str(results), "--config", str(config), *extra])


def updateinfo_of(repo: Path) -> ET.Element:
    repomd = ET.parse(repo / "repodata" / "repomd.xml").getroot()
    ns = {"r": "http://linux.duke.edu/metadata/repo"}
    href = repomd.find("r:data[@type='updateinfo']/r:location", ns)
    assert href is not None, "repomd.xml has no updateinfo record"
    with gzip.open(repo / href.attrib["href"]) as handle:
        return ET.parse(handle).getroot()


@pytest.fixture()
def signed_repo(results: Path, errata_toml: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    assert run_errata(results, errata_toml, monkeypatch, "--ephemeral-key", "--advisory-id", ADVISORY) == 0
    return results


def test_dnf_lists_the_advisory_for_an_installed_older_package(signed_repo: Path, tiny_builds: dict[str, Path], tmp_path: Path) -> None:
    dnf = PrivateDnf(tmp_path / "root", signed_repo / "repo")
    old = next((tiny_builds["1"] / "RPMS" / "noarch").glob("smerrata-tiny-doc-*.rpm"))
    dnf.preinstall(old)

    listed = dnf.run("updateinfo", "list")
    assert re.search(rf"^{re.escape(ADVISORY)}\s+enhancement\s+smerrata-tiny-doc-1\.0-2\.noarch$", listed, re.M), listed

    info = dnf.run("updateinfo", "info", ADVISORY)
    assert f"Update ID: {ADVISORY}" in info
    assert "Type: enhancement" in info
    assert "Severity: Low" in info
    assert re.search(r"Bugs: 1868041 - ", info), info
    assert "TLSFallbacktoClear" in info and "off by default" in info
    assert "Updated: 2020-09-02 12:00:00" in info


def test_every_listed_nevra_is_in_the_repository_with_its_sha256(signed_repo: Path, tmp_path: Path) -> None:
    repo = signed_repo / "repo"
    dnf = PrivateDnf(tmp_path / "root", repo)
    # dnf's own view of the repository: NEVRA -> file location.
    query = dnf.run("repoquery", "--qf", "%{name}|%{epoch}|%{version}|%{release}|%{arch}|%{location}")
    in_repo = {tuple(line.split("|")[:5]): line.split("|")[5] for line in query.splitlines() if line.count("|") == 5}

    update = updateinfo_of(repo).find("update")
    assert update is not None and update.findtext("id") == ADVISORY
    packages = update.findall("pkglist/collection/package")
    assert len(packages) == len(list((signed_repo / "RPMS").glob("*/*.rpm"))) == 2
    for pkg in packages:
        key = tuple(pkg.attrib[k] for k in ("name", "epoch", "version", "release", "arch"))
        assert key in in_repo, f"{key} listed in the advisory but not in the repository"
        location = in_repo[key].removeprefix(f"file://{repo}/")
        assert pkg.findtext("filename") == Path(location).name
        sum_element = pkg.find("sum")
        assert sum_element is not None and sum_element.attrib["type"] == "sha256"
        assert sum_element.text == hashlib.sha256((repo / location).read_bytes()).hexdigest()
    references = update.findall("references/reference")
    assert [(r.attrib["type"], r.attrib["id"]) for r in references] == [("bugzilla", "1868041")]


def test_every_rpm_verifies_with_rpm_K_against_the_published_key(signed_repo: Path, tmp_path: Path) -> None:
    rpm = require_tool("rpm", "rpm")
    key = signed_repo / "repo" / "RPM-GPG-KEY-smerrata"
    assert key.read_text().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    dbpath = tmp_path / "rpmdb"
    dbpath.mkdir()
    subprocess.run([rpm, "--dbpath", str(dbpath), "--import", str(key)], check=True, timeout=60)
    rpms = sorted((signed_repo / "repo").glob("*.rpm")) + sorted((signed_repo / "repo-srpms").glob("*.rpm"))
    assert len(rpms) == 3
    for path in rpms:
        out = subprocess.run([rpm, "--dbpath", str(dbpath), "-K", str(path)], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0 and out.stdout.strip().endswith("digests signatures OK"), out.stdout
    # The build's own RPMs stay unsigned: signing happens on the published copies only.
    original = next((signed_repo / "RPMS").glob("*/*.rpm"))
    out = subprocess.run([rpm, "--dbpath", str(dbpath), "-K", str(original)], capture_output=True, text=True, timeout=60)
    assert "signatures OK" not in out.stdout


def test_dnf_installs_with_gpgcheck_using_the_published_key(signed_repo: Path, tmp_path: Path) -> None:
    dnf = PrivateDnf(tmp_path / "root", signed_repo / "repo")
    dnf.run("install", "--downloadonly", f"--downloaddir={tmp_path / 'dl'}", "smerrata-tiny-doc")
    assert [p.name for p in (tmp_path / "dl").glob("*.rpm")] == ["smerrata-tiny-doc-1.0-2.noarch.rpm"]


def test_srpm_repository_is_separate_and_indexed(signed_repo: Path, tmp_path: Path) -> None:
    dnf = PrivateDnf(tmp_path / "root", signed_repo / "repo-srpms")
    query = dnf.run("repoquery", "--qf", "%{name}-%{version}-%{release}.%{arch}")
    assert query.split() == ["smerrata-tiny-1.0-2.src"]
    assert not list((signed_repo / "repo").glob("*.src.rpm"))


def test_report_records_checksums_and_timings(signed_repo: Path) -> None:
    report = json.loads((signed_repo / "errata-report.json").read_text())
    assert report["advisory"] == ADVISORY
    assert {p["filename"] for p in report["packages"]} == {p.name for p in (signed_repo / "repo").glob("*.rpm")}
    for entry in report["packages"]:
        assert entry["sha256"] == hashlib.sha256((signed_repo / "repo" / entry["filename"]).read_bytes()).hexdigest()
        assert entry["rpm_K"] == "digests signatures OK"
    assert report["timings_s"]["total"] > 0


def test_unsigned_runs_are_byte_identical(results: Path, errata_toml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same inputs, same SOURCE_DATE_EPOCH, no key: the whole repository is byte for byte the same."""
    def snapshot() -> dict[str, str]:
        assert run_errata(results, errata_toml, monkeypatch) == 0
        return {str(p.relative_to(results)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((results / "repo").rglob("*")) if p.is_file()}

    first = snapshot()
    time.sleep(1.1)  # cross a second boundary: any wall-clock time or file mtime in the metadata would show
    second = snapshot()
    assert first == second
    assert not (results / "repo" / "RPM-GPG-KEY-smerrata").exists()
