"""Builds under test: the RPM route (rpmbuild-made packages -> private root) and the Debian route."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from smerrata.qa.builds import Build, find_rpms, rpm_build

pytestmark = pytest.mark.timeout(120)

SPEC = """Name: {name}
Version: 8.15.2
Release: 33
Summary: layout stand-in for the QA unpack test
License: Sendmail
BuildArch: noarch
%description
Only the file layout of the real package, to exercise unpacking.
%install
{install}
%files
{files}
"""


def make_rpm(top: Path, name: str, install: str, files: str) -> None:
    top.mkdir(parents=True, exist_ok=True)
    spec = top / f"{name}.spec"
    spec.write_text(SPEC.format(name=name, install=install, files=files))
    subprocess.run(["rpmbuild", "-bb", "--define", f"_topdir {top}", str(spec)], check=True, capture_output=True, timeout=100)


@pytest.mark.skipif(shutil.which("rpmbuild") is None or shutil.which("rpm2archive") is None, reason="needs rpmbuild and rpm2archive (package 'rpm')")
def test_rpm_build_is_unpacked_into_a_private_root(tmp_path: Path) -> None:
    top = tmp_path / "top"
    make_rpm(top, "sendmail",
             "mkdir -p %{buildroot}/usr/sbin && printf x > %{buildroot}/usr/sbin/sendmail.sendmail && printf y > %{buildroot}/usr/sbin/makemap",
             "%attr(2755,root,root) /usr/sbin/sendmail.sendmail\n/usr/sbin/makemap")
    make_rpm(top, "sendmail-cf", "mkdir -p %{buildroot}/usr/share/sendmail-cf/m4 && printf z > %{buildroot}/usr/share/sendmail-cf/m4/cf.m4",
             "/usr/share/sendmail-cf")
    results = tmp_path / "results"
    shutil.copytree(top / "RPMS", results / "RPMS")
    assert set(find_rpms(results)) == {"sendmail", "sendmail-cf"}

    build = rpm_build(results, tmp_path / "cache")
    assert build is not None and build.role == "patched" and build.knows_option
    assert build.sendmail == build.root / "usr/sbin/sendmail.sendmail"
    assert build.cf_dir == build.root / "usr/share/sendmail-cf"
    assert build.sendmail.stat().st_mode & 0o6000 == 0  # set-gid dropped, or LD_LIBRARY_PATH would be ignored
    again = rpm_build(results, tmp_path / "cache")
    assert again is not None and again.root == build.root  # unpacked once, keyed by the RPMs' checksums


def test_no_rpms_means_no_patched_build(tmp_path: Path) -> None:
    assert rpm_build(tmp_path, tmp_path / "cache") is None


def test_bullseye_binary_resolves_every_library(debian_8152: Build) -> None:
    """libssl1.1 and libldap-2.4 come from the pinned bullseye debs via LD_LIBRARY_PATH."""
    ldd = subprocess.run(["ldd", str(debian_8152.sendmail)], env={"PATH": "/usr/bin:/bin", **debian_8152.env()},
                         capture_output=True, text=True, timeout=30)
    assert "not found" not in ldd.stdout, ldd.stdout
    assert str(debian_8152.root) in ldd.stdout  # and they really come from the unpacked debs
