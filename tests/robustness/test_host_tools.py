"""Missing host tools: one message, before any work, listing every tool and how to install it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from smerrata.errors import ExitCode, HostToolsMissing
from smerrata.hosttools import BUILD_RPMBUILD, install_hint, missing_tools, os_release_ids, require

from .conftest import one_error_line, run
from .toy import Toy

pytestmark = pytest.mark.timeout(120)


def _path_with(tmp_path: Path, tools: list[str]) -> str:
    """A PATH directory holding only `tools` (symlinks to the host's), plus nothing else."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for tool in tools:
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"needs {tool} on the host to build a partial PATH")
        (bindir / tool).symlink_to(found)
    return str(bindir)


def test_build_with_no_tools_lists_them_all_in_one_line(toy: Toy, tmp_path: Path) -> None:
    proc = run(toy.build_command(), toy.env(PATH=_path_with(tmp_path, [])), toy.checkout)
    assert proc.returncode == ExitCode.HOST_TOOLS
    line = one_error_line(proc)
    for tool in ("rpmbuild", "rpm", "m4", "gcc", "make", "patch"):
        assert f" {tool}" in line
    ids = os_release_ids()
    if ids & {"debian", "ubuntu"}:
        assert "apt-get install rpm m4 gcc make patch" in line
    elif ids & {"rhel", "centos", "fedora", "almalinux", "rocky"}:
        assert "dnf install rpm m4 gcc make patch rpm-build" not in line and "dnf install" in line
    # nothing was started: no results, no staging, no cache
    assert not toy.results.exists() and not (toy.checkout / ".smerrata-staging").exists() and not toy.cache.exists()


def test_build_names_only_what_is_missing(toy: Toy, tmp_path: Path) -> None:
    path = _path_with(tmp_path, ["rpm", "rpmbuild", "gcc", "make", "patch"])
    proc = run(toy.build_command(), toy.env(PATH=path), toy.checkout)
    assert proc.returncode == ExitCode.HOST_TOOLS
    line = one_error_line(proc)
    assert "needs m4, not found" in line
    assert "rpmbuild" not in line and "gcc" not in line


def test_build_with_lint_also_needs_rpmlint(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = [t.command for t in missing_tools(("rpm", "rpmlint"), which=lambda name: None)]
    # rpmlint comes from the project's pinned `lint` extra: beside the interpreter counts as installed
    beside = Path(os.sys.executable).with_name("rpmlint").is_file()
    assert missing == (["rpm"] if beside else ["rpm", "rpmlint"])


@pytest.mark.parametrize(
    ("os_release", "expected"),
    [
        ('ID=debian\nVERSION_ID="12"\n', "apt-get install rpm m4 gcc make patch"),
        ('ID=ubuntu\nID_LIKE=debian\n', "apt-get install rpm m4 gcc make patch"),
        ('ID="almalinux"\nID_LIKE="rhel centos fedora"\n', "dnf install rpm rpm-build m4 gcc make patch"),
        ('ID=arch\n', "apt-get install rpm m4 gcc make patch (Debian/Ubuntu) or dnf install rpm rpm-build m4 gcc make patch (EL/Fedora)"),
    ],
)
def test_install_hint_uses_the_hosts_package_names(tmp_path: Path, os_release: str, expected: str) -> None:
    release = tmp_path / "os-release"
    release.write_text(os_release)
    with pytest.raises(HostToolsMissing) as raised:
        require(BUILD_RPMBUILD, "smerrata build", which=lambda name: None, os_release=release)
    assert raised.value.code == ExitCode.HOST_TOOLS
    assert raised.value.message.endswith(f"install with: {expected}")


def test_errata_tools_map_to_distinct_package_names(tmp_path: Path) -> None:
    release = tmp_path / "os-release"
    release.write_text("ID=debian\n")
    hint = install_hint(missing_tools(("createrepo_c", "gpg", "unshare", "rpmlint"), which=lambda name: None), release)
    assert hint.startswith("apt-get install createrepo-c gnupg util-linux")
