"""Write a yum/dnf repository with createrepo_c's RepositoryWriter.

gzip metadata (EL8's libsolv cannot read zstd repodata) and a repomd revision taken from the
advisory date, so the metadata does not change between runs on the same inputs.
"""

from __future__ import annotations

import os
from pathlib import Path

import createrepo_c as cr

from ..errors import VerificationError
from .packages import BuiltPackage, read_package


def write_repository(directory: Path, rpms: list[Path], revision: int, record: cr.UpdateRecord | None = None) -> None:
    """Index the RPMs already placed flat in `directory` (plus an optional advisory)."""
    for path in rpms:
        # primary.xml records each file's mtime (<time file=...>): pin it, signing just rewrote the file.
        os.utime(path, (revision, revision))
    writer = cr.RepositoryWriter(str(directory), compression=cr.GZ_COMPRESSION, changelog_limit=10)
    writer.set_num_of_pkgs(len(rpms))
    for path in sorted(rpms):
        writer.add_pkg_from_file(str(path))
    if record is not None:
        writer.add_update_record(record)
    writer.repomd.set_revision(str(revision))
    writer.finish()
    _pin_record_timestamps(directory / "repodata", revision)


def _pin_record_timestamps(repodata: Path, timestamp: int) -> None:
    """repomd.xml records carry file mtimes; pin them so repeated runs write the same repomd.xml."""
    repomd_path = repodata / "repomd.xml"
    repomd = cr.Repomd(str(repomd_path))
    for record in list(repomd.records):
        record.set_timestamp(timestamp)
        repomd.set_record(record)
    repomd_path.write_text(repomd.xml_dump(), encoding="utf-8")


def place_packages(sources: list[Path], directory: Path) -> list[Path]:
    """Copy RPMs flat into the repository directory (names are unique: N-V-R.A.rpm)."""
    directory.mkdir(parents=True, exist_ok=True)
    placed = []
    for source in sources:
        target = directory / source.name
        if target.exists():
            raise VerificationError(f"{source}: {source.name} appears twice under the results; remove the stale copy and rerun")
        target.write_bytes(source.read_bytes())
        placed.append(target)
    return placed


def describe(paths: list[Path]) -> list[BuiltPackage]:
    return [read_package(path) for path in paths]
