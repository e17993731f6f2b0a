"""The pinned upstream inputs, read from upstream.toml (and cross-checked with the `sources` file)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..tomlfile import read_toml

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX40 = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class ReleasePin:
    version: str
    role: str
    tarball: str
    topdir: str
    sha256: str
    size: int | None = None
    md5: str | None = None
    git_tag: str | None = None
    git_tree: str | None = None
    debian_source: str | None = None
    debian_version: str | None = None
    debian_suite: str | None = None


@dataclass(frozen=True)
class DebFilePin:
    name: str
    debian_source: str
    debian_version: str
    debian_suite: str
    archive: str
    archive_sha256: str
    member: str
    sha256: str
    output: str


@dataclass(frozen=True)
class DebPin:
    name: str
    package: str
    version: str
    arch: str
    suite: str
    sha256: str

    @property
    def filename(self) -> str:
        return f"{self.package}_{self.version.split(':')[-1]}_{self.arch}.deb"


@dataclass(frozen=True)
class Pins:
    path: Path
    releases: dict[str, ReleasePin]
    debfiles: dict[str, DebFilePin]
    debs: dict[str, DebPin]

    def release(self, version: str) -> ReleasePin:
        try:
            return self.releases[version]
        except KeyError:
            known = ", ".join(self.releases)
            raise ConfigError(f"{self.path}: no [release.\"{version}\"] pin; known releases: {known}") from None

    @property
    def debian_suites(self) -> list[str]:
        suites = {r.debian_suite for r in self.releases.values() if r.debian_suite}
        suites |= {d.debian_suite for d in self.debfiles.values()}
        suites |= {d.suite for d in self.debs.values()}
        return sorted(suites)


_RELEASE_KEYS = {f for f in ReleasePin.__dataclass_fields__ if f != "version"}
_DEBFILE_KEYS = {f for f in DebFilePin.__dataclass_fields__ if f != "name"}
_DEB_KEYS = {f for f in DebPin.__dataclass_fields__ if f != "name"}


def _check_keys(path: Path, where: str, table: dict[str, object], allowed: set[str], required: set[str]) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ConfigError(f"{path}: {where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")
    missing = required - set(table)
    if missing:
        raise ConfigError(f"{path}: {where}: missing key(s) {', '.join(sorted(missing))}")
    for key in ("sha256", "archive_sha256"):
        value = table.get(key)
        if value is not None and not (isinstance(value, str) and _HEX64.match(value)):
            raise ConfigError(f"{path}: {where}: {key} must be 64 lower-case hex digits")
    tree = table.get("git_tree")
    if tree is not None and not (isinstance(tree, str) and _HEX40.match(tree)):
        raise ConfigError(f"{path}: {where}: git_tree must be 40 lower-case hex digits")


def load_pins(path: Path) -> Pins:
    data = read_toml(path, "missing; restore upstream.toml from git")
    unknown_tables = set(data) - {"release", "debfile", "deb"}
    if unknown_tables:
        raise ConfigError(f"{path}: unknown table(s) {', '.join(sorted(unknown_tables))}; allowed: release, debfile, deb")
    releases: dict[str, ReleasePin] = {}
    for version, table in data.get("release", {}).items():
        _check_keys(path, f'[release."{version}"]', table, _RELEASE_KEYS, {"role", "tarball", "topdir", "sha256"})
        releases[version] = ReleasePin(version=version, **table)
    debfiles: dict[str, DebFilePin] = {}
    for name, table in data.get("debfile", {}).items():
        _check_keys(path, f'[debfile."{name}"]', table, _DEBFILE_KEYS, _DEBFILE_KEYS)
        debfiles[name] = DebFilePin(name=name, **table)
    debs: dict[str, DebPin] = {}
    for name, table in data.get("deb", {}).items():
        _check_keys(path, f'[deb."{name}"]', table, _DEB_KEYS, _DEB_KEYS)
        debs[name] = DebPin(name=name, **table)
    return Pins(path=path, releases=releases, debfiles=debfiles, debs=debs)


_SOURCES_LINE = re.compile(r"^(?P<algo>[A-Z0-9]+) \((?P<file>[^)]+)\) = (?P<hash>[0-9a-f]+)$")


def read_sources_file(path: Path) -> dict[str, tuple[str, str]]:
    """Parse a Fedora-style `sources` file: {filename: (hashtype, hexdigest)}."""
    entries: dict[str, tuple[str, str]] = {}
    if not path.is_file():
        return entries
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        match = _SOURCES_LINE.match(line.strip())
        if not match:
            raise ConfigError(f"{path}:{number}: expected 'SHA512 (file) = hash'; fix the line")
        entries[match["file"]] = (match["algo"].lower(), match["hash"])
    return entries
