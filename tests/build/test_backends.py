"""Backend selection and the exact command lines each backend runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from smerrata.build.backends import MockBackend, RpmbuildBackend, in_container
from smerrata.build.selection import os_release_ids, select_backend
from smerrata.errors import ConfigError, HostToolsMissing, UsageError

pytestmark = pytest.mark.timeout(60)

ALMA = 'NAME="AlmaLinux"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="8.10"\n'
DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'


def tools(*present: str):  # type: ignore[no-untyped-def]
    return lambda name: f"/usr/bin/{name}" if name in present else None


@pytest.fixture()
def el_host(tmp_path: Path) -> Path:
    path = tmp_path / "os-release-el"
    path.write_text(ALMA)
    return path


@pytest.fixture()
def debian_host(tmp_path: Path) -> Path:
    path = tmp_path / "os-release-debian"
    path.write_text(DEBIAN)
    return path


def test_os_release_ids(el_host: Path) -> None:
    assert os_release_ids(el_host) == {"almalinux", "rhel", "centos", "fedora"}


def test_auto_on_el_with_mock_uses_mock(repo_root: Path, el_host: Path, tmp_path: Path) -> None:
    chosen = select_backend("auto", repo_root, "almalinux-8-aarch64", which=tools("mock", "rpmbuild"), os_release=el_host, container_root=tmp_path)
    assert isinstance(chosen.backend, MockBackend)
    assert chosen.backend.config == repo_root / "mock-configs/almalinux-8-aarch64.cfg"
    assert "mock found" in chosen.reason


def test_auto_without_mock_uses_rpmbuild(repo_root: Path, el_host: Path) -> None:
    chosen = select_backend("auto", repo_root, which=tools("rpmbuild"), os_release=el_host)
    assert isinstance(chosen.backend, RpmbuildBackend)
    assert "mock is not installed" in chosen.reason


def test_auto_on_debian_with_mock_still_uses_rpmbuild(repo_root: Path, debian_host: Path) -> None:
    chosen = select_backend("auto", repo_root, which=tools("mock", "rpmbuild"), os_release=debian_host)
    assert isinstance(chosen.backend, RpmbuildBackend)
    assert "not EL-like" in chosen.reason


def test_this_host_picks_rpmbuild(repo_root: Path) -> None:
    """Issue 7: on this Debian host without mock, auto says it used rpmbuild because mock is absent."""
    chosen = select_backend("auto", repo_root)
    assert chosen.backend.name == "rpmbuild"


def test_forced_mock_without_mock_names_what_to_install(repo_root: Path, el_host: Path) -> None:
    with pytest.raises(HostToolsMissing, match="install it"):
        select_backend("mock", repo_root, which=tools("rpmbuild"), os_release=el_host)


def test_unknown_mock_config_lists_known_ones(repo_root: Path, el_host: Path) -> None:
    with pytest.raises(ConfigError, match="almalinux-8-x86_64"):
        select_backend("mock", repo_root, "centos-9-x86_64", which=tools("mock"), os_release=el_host)


def test_bad_backend_name(repo_root: Path) -> None:
    with pytest.raises(UsageError):
        select_backend("koji", repo_root)


def test_container_detection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("container", raising=False)
    assert not in_container(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run/.containerenv").write_text("")
    assert in_container(tmp_path)


def test_mock_command_lines(tmp_path: Path) -> None:
    config = Path("/src/mock-configs/almalinux-8-x86_64.cfg")
    backend = MockBackend(config=config, mock="/usr/bin/mock", isolation_simple=True)
    assert backend.rpms_command(Path("/r/SRPMS/sendmail-8.15.2-33.el8.src.rpm"), Path("/r/out"), tmp_path) == [
        "/usr/bin/mock", "-r", str(config), "--resultdir", "/r/out", "--isolation=simple",
        "--rebuild", "/r/SRPMS/sendmail-8.15.2-33.el8.src.rpm",
    ]
    assert backend.srpm_command(Path("/w/sendmail.spec"), Path("/w/SOURCES"), Path("/r/SRPMS"), tmp_path) == [
        "/usr/bin/mock", "-r", str(config), "--resultdir", "/r/SRPMS", "--isolation=simple",
        "--buildsrpm", "--spec", "/w/sendmail.spec", "--sources", "/w/SOURCES",
    ]
    outside = MockBackend(config=config, mock="mock", isolation_simple=False)
    assert "--isolation=simple" not in outside.rpms_command(Path("x.src.rpm"), Path("/o"), tmp_path)


def test_rpmbuild_command_lines(tmp_path: Path) -> None:
    backend = RpmbuildBackend(rpmbuild="/usr/bin/rpmbuild", libsearchpath="/usr/lib/x86_64-linux-gnu")
    backend.prepare(tmp_path)
    srpm = backend.srpm_command(Path("/w/sendmail.spec"), Path("/w/SOURCES"), Path("/r/SRPMS"), tmp_path)
    assert srpm[:2] == ["/usr/bin/rpmbuild", "--nodeps"]
    assert srpm[-2:] == ["-bs", "/w/sendmail.spec"]
    pairs = list(zip(srpm, srpm[1:]))
    assert ("--define", "dist %{nil}") in pairs
    assert ("--define", "_sourcedir /w/SOURCES") in pairs
    assert ("--define", "sm_libsearchpath /usr/lib/x86_64-linux-gnu") in pairs
    rpms = backend.rpms_command(Path("/r/SRPMS/s.src.rpm"), Path("/o"), tmp_path)
    assert rpms[-2:] == ["--rebuild", "/r/SRPMS/s.src.rpm"] and ("--define", "_rpmdir /o") in list(zip(rpms, rpms[1:]))
    if backend.compat_macros is not None:  # Debian's rpm lacks %_unitdir: the backend loads ours
        assert ("--load", str(backend.compat_macros)) in pairs
        assert "%_unitdir /usr/lib/systemd/system" in backend.compat_macros.read_text()
