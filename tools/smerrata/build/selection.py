"""Which backend builds: `--backend auto|mock|rpmbuild`.

auto picks mock only where it can build the EL8 chroot faithfully: mock is on PATH and the host
is EL-like (RHEL/CentOS/Alma/Rocky/Fedora, per /etc/os-release). Everywhere else host rpmbuild.
The reason is returned so the build can say which backend ran and why.
"""

from __future__ import annotations

import platform
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import HostToolsMissing, UsageError
from .backends import BuildBackend, MockBackend, RpmbuildBackend, in_container, mock_config_path, multiarch_libdir

EL_LIKE_IDS = {"rhel", "centos", "fedora", "almalinux", "rocky", "ol"}
BACKEND_CHOICES = ("auto", "mock", "rpmbuild")


@dataclass(frozen=True)
class Selection:
    backend: BuildBackend
    reason: str


def os_release_ids(path: Path = Path("/etc/os-release")) -> set[str]:
    """ID and ID_LIKE values of the host, lower-cased."""
    ids: set[str] = set()
    if not path.is_file():
        return ids
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        key, _, value = line.partition("=")
        if key in ("ID", "ID_LIKE"):
            ids.update(value.strip().strip('"').lower().split())
    return ids


def default_mock_config() -> str:
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine(), platform.machine())
    return f"almalinux-8-{arch}"


def select_backend(
    requested: str,
    root: Path,
    mock_config: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
    os_release: Path = Path("/etc/os-release"),
    container_root: Path = Path("/"),
) -> Selection:
    if requested not in BACKEND_CHOICES:
        raise UsageError(f"--backend {requested}: choose one of {', '.join(BACKEND_CHOICES)}")
    mock = which("mock")
    el_like = bool(os_release_ids(os_release) & EL_LIKE_IDS)
    if requested == "auto":
        if mock and el_like:
            requested, reason = "mock", f"auto: mock found at {mock} on an EL-like host"
        elif not mock:
            requested, reason = "rpmbuild", "auto: mock is not installed, using host rpmbuild (--nodeps, empty %dist)"
        else:
            requested, reason = "rpmbuild", "auto: host is not EL-like (per /etc/os-release), using host rpmbuild (--nodeps, empty %dist)"
    else:
        reason = f"--backend {requested}"
    if requested == "mock":
        if not mock:
            raise HostToolsMissing("mock: not on PATH; install it (dnf install mock, then add yourself to group mock) or use --backend rpmbuild")
        config = mock_config_path(root, mock_config or default_mock_config())
        return Selection(MockBackend(config=config, mock=mock, isolation_simple=in_container(container_root)), reason + f", config {config.name}")
    rpmbuild = which("rpmbuild")
    if not rpmbuild:
        raise HostToolsMissing("rpmbuild: not on PATH; install it (Debian: apt-get install rpm; EL: dnf install rpm-build)")
    return Selection(RpmbuildBackend(rpmbuild=rpmbuild, libsearchpath=multiarch_libdir()), reason)
