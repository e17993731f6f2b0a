"""Build backends: how an SRPM and RPMs are produced, behind one interface.

Both backends write into the same places (an SRPM directory and a per-arch RPM tree), so
everything after them (rpmlint, report, publishing) does not care which one ran.
- rpmbuild: the host's rpmbuild, `--nodeps` (a non-EL host's rpmdb knows none of the
  BuildRequires), an empty %dist (a host build must never claim .el8) and the EL8 macros the
  host lacks.
- mock: an EL8 chroot from mock-configs/, %dist el8, `--isolation=simple` inside containers.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BuildError, ConfigError
from .hostmacros import missing_macros, write_compat_file
from .staging import held_lock_fds

MOCK_CONFIG_DIR = "mock-configs"


@dataclass
class StepResult:
    command: list[str]
    returncode: int
    log: Path


class BuildBackend(ABC):
    name: str
    # Spec build conditionals switched off (`--without NAME`), e.g. tls_fallback for the unpatched
    # QA reference. Given to both steps: an SRPM does not remember them, so the rebuild needs them too.
    without: tuple[str, ...]

    def _bcond_args(self) -> list[str]:
        return [arg for name in self.without for arg in ("--without", name)]

    @abstractmethod
    def srpm_command(self, spec: Path, sourcedir: Path, outdir: Path, workdir: Path) -> list[str]:
        """The command that writes the SRPM into outdir."""

    @abstractmethod
    def rpms_command(self, srpm: Path, outdir: Path, workdir: Path) -> list[str]:
        """The command that rebuilds the SRPM into binary RPMs under outdir."""

    def prepare(self, workdir: Path) -> None:
        """Anything the commands need on disk (macro files); default: nothing."""

    def collect_srpm(self, outdir: Path) -> Path:
        found = sorted(outdir.glob("*.src.rpm"))
        if len(found) != 1:
            raise BuildError(f"{outdir}: expected one .src.rpm after the {self.name} run, found {len(found)}; see build.log")
        return found[0]

    def collect_rpms(self, outdir: Path, rpms_dir: Path) -> list[Path]:
        """Move binary RPMs into rpms_dir/<arch>/ (the layout both backends share)."""
        moved: list[Path] = []
        for rpm in sorted(outdir.rglob("*.rpm")):
            if rpm.name.endswith(".src.rpm"):
                continue
            arch = rpm.name.rsplit(".", 2)[-2]
            target = rpms_dir / arch / rpm.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(rpm), target)
            moved.append(target)
        if not moved:
            raise BuildError(f"{outdir}: the {self.name} run produced no binary RPMs; see build.log")
        return moved


def run_logged(command: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> StepResult:
    """Run a build command with its output appended to log (never the console: it is long)."""
    with log.open("a", encoding="utf-8") as handle:
        handle.write("+ " + " ".join(command) + "\n")
        handle.flush()
        # Same process group as smerrata, so killing the group (Ctrl-C, a CI runner) takes the
        # whole rpmbuild/make/cc tree; a SIGTERM to smerrata alone lands in the except below.
        # The build's locks are inherited: if smerrata itself is SIGKILLed, leftover compilers
        # still hold them, and the next build waits instead of deleting their tree.
        proc = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=cwd, pass_fds=held_lock_fds())
        try:
            returncode = proc.wait()
        except BaseException:
            kill_tree(proc)
            raise
    return StepResult(command, returncode, log)


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid ...: comm may hold spaces and parentheses
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Stop a child and everything it started (TERM, then KILL after a grace period)."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        children = _children_by_parent()
        tree, todo = [], [proc.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, []))
        for pid in tree:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=grace)
            if sig == signal.SIGKILL or not any(Path(f"/proc/{pid}").exists() for pid in tree[1:]):
                return
        except subprocess.TimeoutExpired:
            continue


def multiarch_libdir() -> str | None:
    """/usr/lib/<triplet> on multiarch hosts (Debian); None where libraries live in %_libdir."""
    gcc = shutil.which("gcc")
    if gcc is None:
        return None
    triplet = subprocess.run([gcc, "-print-multiarch"], capture_output=True, text=True, check=False).stdout.strip()
    return f"/usr/lib/{triplet}" if triplet else None


@dataclass
class RpmbuildBackend(BuildBackend):
    name: str = "rpmbuild"
    rpmbuild: str = "rpmbuild"
    libsearchpath: str | None = None
    without: tuple[str, ...] = ()
    compat_macros: Path | None = field(default=None, init=False)

    def prepare(self, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.compat_macros = write_compat_file(workdir / "host-compat.macros", missing_macros())

    def _common(self, workdir: Path) -> list[str]:
        args = [
            self.rpmbuild,
            "--nodeps",
            "--define", f"_topdir {workdir / 'rpmbuild'}",
            # A host build must never claim an EL dist tag.
            "--define", "dist %{nil}",
        ]
        if self.compat_macros is not None:
            args += ["--load", str(self.compat_macros)]
        if self.libsearchpath:
            args += ["--define", f"sm_libsearchpath {self.libsearchpath}"]
        return args + self._bcond_args()

    def srpm_command(self, spec: Path, sourcedir: Path, outdir: Path, workdir: Path) -> list[str]:
        return [*self._common(workdir), "--define", f"_sourcedir {sourcedir}", "--define", f"_srcrpmdir {outdir}", "-bs", str(spec)]

    def rpms_command(self, srpm: Path, outdir: Path, workdir: Path) -> list[str]:
        # Rebuild from the SRPM, as mock does: proves the SRPM alone is enough.
        return [*self._common(workdir), "--define", f"_rpmdir {outdir}", "--rebuild", str(srpm)]


def in_container(root: Path = Path("/")) -> bool:
    """podman/docker mark their containers with these files; systemd-nspawn sets $container."""
    import os

    return (root / "run/.containerenv").exists() or (root / ".dockerenv").exists() or bool(os.environ.get("container"))


@dataclass
class MockBackend(BuildBackend):
    config: Path = Path()
    name: str = "mock"
    mock: str = "mock"
    isolation_simple: bool = False
    without: tuple[str, ...] = ()

    def _common(self, outdir: Path) -> list[str]:
        args = [self.mock, "-r", str(self.config), "--resultdir", str(outdir)]
        if self.isolation_simple:
            # nspawn cannot run inside most containers; chroot isolation can.
            args.append("--isolation=simple")
        return args + self._bcond_args()

    def srpm_command(self, spec: Path, sourcedir: Path, outdir: Path, workdir: Path) -> list[str]:
        return [*self._common(outdir), "--buildsrpm", "--spec", str(spec), "--sources", str(sourcedir)]

    def rpms_command(self, srpm: Path, outdir: Path, workdir: Path) -> list[str]:
        return [*self._common(outdir), "--rebuild", str(srpm)]


def mock_config_path(root: Path, name: str) -> Path:
    """mock-configs/<name>.cfg, or a clear error listing the configs that exist."""
    directory = root / MOCK_CONFIG_DIR
    path = directory / (name if name.endswith(".cfg") else f"{name}.cfg")
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.cfg"))) or "none"
        raise ConfigError(f"{path}: no such mock config; pass --mock-config with one of: {known}")
    return path
