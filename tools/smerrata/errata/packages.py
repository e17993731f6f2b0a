"""Find the build's RPMs in the results layout and read what the advisory needs from them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import createrepo_c as cr

from ..errors import ExitCode, PipelineError, StorageError


class NoPackages(PipelineError):
    """results/ has nothing to publish: the build step did not run or failed."""

    code = ExitCode.NOT_FOUND


@dataclass(frozen=True)
class BuiltPackage:
    path: Path
    name: str
    epoch: str
    version: str
    release: str
    arch: str
    sha256: str
    sourcerpm: str
    changelog_times: tuple[int, ...]

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def nevra(self) -> str:
        return f"{self.name}-{self.epoch}:{self.version}-{self.release}.{self.arch}"


def read_package(path: Path) -> BuiltPackage:
    try:
        pkg = cr.package_from_rpm(str(path), checksum_type=cr.SHA256, changelog_limit=1)
    except Exception as exc:  # createrepo_c raises its own error type for unreadable headers
        raise StorageError(f"{path}: not a readable RPM ({exc}); rebuild it with `tox -e build`") from exc
    return BuiltPackage(
        path=path,
        name=pkg.name,
        epoch=pkg.epoch or "0",
        version=pkg.version,
        release=pkg.release,
        arch=pkg.arch,
        sha256=pkg.pkgId,
        sourcerpm=pkg.rpm_sourcerpm or "",
        changelog_times=tuple(int(entry[1]) for entry in pkg.changelogs),
    )


@dataclass(frozen=True)
class BuildOutput:
    binaries: list[Path]
    sources: list[Path]


def find_build_output(results: Path) -> BuildOutput:
    """results/RPMS/<arch>/*.rpm and results/SRPMS/*.src.rpm, sorted so every run sees one order."""
    binaries = sorted(p for p in (results / "RPMS").glob("*/*.rpm") if not p.name.endswith(".src.rpm"))
    sources = sorted((results / "SRPMS").glob("*.src.rpm"))
    if not binaries:
        raise NoPackages(f"{results / 'RPMS'}: no binary RPMs to publish; run `tox -e build` first (or pass --results)")
    if not sources:
        raise NoPackages(f"{results / 'SRPMS'}: no SRPM to publish; run `tox -e build` first (or pass --results)")
    return BuildOutput(binaries=binaries, sources=sources)
