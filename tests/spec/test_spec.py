"""sendmail.spec as rpm and specfile read it, on this host with the host macros."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from smerrata.build.hostmacros import missing_macros, write_compat_file
from smerrata.build.rpmlint import lint_spec
from smerrata.errors import ConfigError
from smerrata.spec.model import changelog_epoch, read_spec

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def spec(repo_root: Path):  # type: ignore[no-untyped-def]
    return read_spec(repo_root / "sendmail.spec")


def test_name_version_release(spec) -> None:  # type: ignore[no-untyped-def]
    assert (spec.name, spec.version, spec.release_number) == ("sendmail", "8.15.2", "33")


def test_changelog_top_entry_is_the_backport(spec) -> None:  # type: ignore[no-untyped-def]
    assert spec.changelog_header.endswith("- 8.15.2-33")
    assert "Backport TLSFallbacktoClear option from 8.16.1 (off by default)" in spec.changelog_text
    assert "Resolves: rhbz#1868041" in spec.changelog_text


def test_subpackages(spec) -> None:  # type: ignore[no-untyped-def]
    assert set(spec.subpackages) == {"sendmail", "sendmail-cf", "sendmail-doc", "sendmail-milter", "sendmail-milter-devel"}


def test_patches_and_sources(spec, repo_root: Path) -> None:  # type: ignore[no-untyped-def]
    assert spec.patch(1).filename == "sendmail-8.15.2-openssl-1.1.patch"
    assert spec.patch(100).filename == "sendmail-8.15.2-tls-fallback-to-clear.patch"
    assert spec.source(0).filename == "sendmail.8.15.2.tar.gz"
    # Every source besides the tarball is committed next to the spec; patches never are.
    for item in spec.sources:
        committed = (repo_root / item.filename).exists()
        assert committed == (not item.is_patch and item.number != 0), item


def test_source_date_epoch_is_the_changelog_date() -> None:
    assert changelog_epoch("* Thu Dec 03 2026 A <a@example.com> - 8.15.2-33") == 1796256000
    with pytest.raises(ConfigError):
        changelog_epoch("* sometime A <a@example.com> - 1-1")


def _rpmspec(repo_root: Path, tmp_path: Path, *defines: str) -> str:
    compat = write_compat_file(tmp_path / "compat.macros", missing_macros())
    command = ["rpmspec", "-P", str(repo_root / "sendmail.spec")]
    if compat is not None:
        command += ["--load", str(compat)]
    for define in defines:
        command += ["--define", define]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("rpmspec") is None, reason="needs rpmspec (apt-get install rpm)")
def test_rpmspec_parses_with_host_macros(repo_root: Path, tmp_path: Path) -> None:
    parsed = _rpmspec(repo_root, tmp_path, "dist %{nil}")
    assert "\nRelease: 33\n" in parsed
    assert ".el8" not in parsed
    assert "%systemd_post" not in parsed and "systemctl --no-reload preset sendmail.service sm-client.service" in parsed
    assert "/usr/lib/systemd/system/sendmail.service" in parsed
    assert "-DSTARTTLS -DSASL=2 -DMILTER" in parsed and "-DNEWDB" in parsed


@pytest.mark.skipif(shutil.which("rpmspec") is None, reason="needs rpmspec (apt-get install rpm)")
def test_rpmspec_el8_dist_and_multiarch_libdir(repo_root: Path, tmp_path: Path) -> None:
    parsed = _rpmspec(repo_root, tmp_path, "dist .el8", "sm_libsearchpath /usr/lib/x86_64-linux-gnu")
    assert "\nRelease: 33.el8\n" in parsed
    assert "APPENDDEF(`confLIBSEARCHPATH', `/usr/lib/x86_64-linux-gnu')" in parsed


def test_rpmlint_on_the_spec_file(repo_root: Path, tmp_path: Path) -> None:
    result = lint_spec(repo_root / "sendmail.spec", tmp_path)
    assert result.errors == 0, result.output
    assert result.ok, result.output


def test_broken_spec_is_one_line_config_error(tmp_path: Path) -> None:
    broken = tmp_path / "sendmail.spec"
    broken.write_text("Name: sendmail\nVersion: 8.15.2\n%if\n")
    with pytest.raises(ConfigError) as caught:
        read_spec(broken)
    assert str(broken) in caught.value.message and "\n" not in caught.value.message


@pytest.mark.parametrize("mc", ["sendmail.mc", "submit.mc"])
def test_default_mc_states_fallback_off_and_why(repo_root: Path, mc: str) -> None:
    text = (repo_root / mc).read_text()
    assert "define(`confTLS_FALLBACK_TO_CLEAR', `False')dnl" in text
    assert "man in the middle" in text and "break the handshake" in text
    assert "include(`/usr/share/sendmail-cf/m4/cf.m4')" in text


@pytest.mark.parametrize("unit", ["sendmail.service", "sm-client.service"])
def test_systemd_units(repo_root: Path, unit: str) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(repo_root / unit)
    assert parser["Service"]["Type"] == "forking"
    assert parser["Service"]["ExecStart"].startswith("/usr/sbin/sendmail ")
    assert parser["Install"]["WantedBy"] == "multi-user.target"
    assert parser["Service"]["EnvironmentFile"] == "-/etc/sysconfig/sendmail"
