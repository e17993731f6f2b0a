"""What each command needs from the host, checked before the command starts.

A command that finds rpmbuild missing after three minutes of fetching and porting wastes the
maintainer's time; one that stops at the first missing tool makes them install one package per
attempt. So every tool a command will call is looked up first, and a single message lists all
that are missing with the install command of this host's package manager (apt names on
Debian/Ubuntu, dnf names on EL/Fedora, both when the host is neither).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import HostToolsMissing

DEBIAN_LIKE = {"debian", "ubuntu"}
EL_LIKE = {"rhel", "centos", "fedora", "almalinux", "rocky", "ol"}


@dataclass(frozen=True)
class Tool:
    command: str
    apt: str  # Debian package that provides it
    dnf: str  # EL/Fedora package that provides it
    pip_extra: str | None = None  # tools this project pins on PyPI come from an extra, not the OS


TOOLS: dict[str, Tool] = {
    tool.command: tool
    for tool in (
        Tool("rpmbuild", apt="rpm", dnf="rpm-build"),
        Tool("rpm", apt="rpm", dnf="rpm"),
        Tool("m4", apt="m4", dnf="m4"),
        Tool("gcc", apt="gcc", dnf="gcc"),
        Tool("make", apt="make", dnf="make"),
        Tool("patch", apt="patch", dnf="patch"),
        Tool("rpmlint", apt="rpmlint", dnf="rpmlint", pip_extra="lint"),
        Tool("mock", apt="mock", dnf="mock"),
        Tool("createrepo_c", apt="createrepo-c", dnf="createrepo_c"),
        Tool("gpg", apt="gnupg", dnf="gnupg2"),
        Tool("rpmsign", apt="rpm", dnf="rpm-sign"),
        Tool("unshare", apt="util-linux", dnf="util-linux"),
        Tool("openssl", apt="openssl", dnf="openssl"),
        Tool("git", apt="git", dnf="git"),
    )
}

# Build: the rpmbuild backend runs rpm/rpmbuild, sendmail's Build needs m4, gcc and make, and the
# base tree is prepared with patch. mock builds inside its own chroot, so it needs only mock.
BUILD_RPMBUILD = ("rpm", "rpmbuild", "m4", "gcc", "make", "patch")
BUILD_MOCK = ("mock", "patch")
ERRATA = ("createrepo_c", "rpm", "gpg")


def os_release_ids(path: Path = Path("/etc/os-release")) -> set[str]:
    ids: set[str] = set()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ids
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key in ("ID", "ID_LIKE"):
            ids.update(value.strip().strip('"').lower().split())
    return ids


def _python_tool(command: str) -> str | None:
    """Console scripts installed beside this interpreter (a venv's rpmlint) count as present."""
    beside = Path(sys.executable).with_name(command)
    return str(beside) if beside.is_file() else None


def missing_tools(commands: Iterable[str], which: Callable[[str], str | None] = shutil.which) -> list[Tool]:
    missing: list[Tool] = []
    for command in dict.fromkeys(commands):
        tool = TOOLS[command]
        if which(command) is None and not (tool.pip_extra and _python_tool(command)):
            missing.append(tool)
    return missing


def install_hint(missing: list[Tool], os_release: Path = Path("/etc/os-release")) -> str:
    ids = os_release_ids(os_release)
    system = [t for t in missing if t.pip_extra is None]
    pip = sorted({t.pip_extra for t in missing if t.pip_extra})
    hints: list[str] = []
    if system:
        apt = " ".join(dict.fromkeys(t.apt for t in system))
        dnf = " ".join(dict.fromkeys(t.dnf for t in system))
        if ids & DEBIAN_LIKE:
            hints.append(f"apt-get install {apt}")
        elif ids & EL_LIKE:
            hints.append(f"dnf install {dnf}")
        else:
            hints.append(f"apt-get install {apt} (Debian/Ubuntu) or dnf install {dnf} (EL/Fedora)")
    if pip:
        hints.append(f"pip install -e '.[{','.join(pip)}]' (or run through tox)")
    return " and ".join(hints)


def require(commands: Iterable[str], purpose: str, which: Callable[[str], str | None] = shutil.which,
            os_release: Path = Path("/etc/os-release")) -> None:
    """Raise one HostToolsMissing naming every missing tool and how to install them all."""
    missing = missing_tools(commands, which)
    if missing:
        names = ", ".join(t.command for t in missing)
        raise HostToolsMissing(f"PATH: {purpose} needs {names}, not found; install with: {install_hint(missing, os_release)}")


def build_requirements(backend: str, lint: bool) -> tuple[str, ...]:
    tools = BUILD_MOCK if backend == "mock" else BUILD_RPMBUILD
    return (*tools, "rpmlint") if lint else tools
