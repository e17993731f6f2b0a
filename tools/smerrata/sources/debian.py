"""Debian archive provider, reached only through apt and the machine's own apt configuration.

The archive URI is derived from the host's apt sources (the entry that carries the host's own
release); this module adds the suites the pins need (deb-src for source files, deb for the QA
binaries) in a private apt state directory, so the system's apt setup is never modified.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..errors import HostToolsMissing, SourceNotFound
from .cache import Cache, file_lock

APT_SOURCES = Path("/etc/apt/sources.list")
APT_SOURCES_DIR = Path("/etc/apt/sources.list.d")
LIST_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class ArchiveEntry:
    uri: str
    signed_by: str | None


def _host_codename() -> str | None:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("VERSION_CODENAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        return None
    return None


def _parse_deb822(text: str) -> list[dict[str, str]]:
    stanzas: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                stanzas.append(current)
                current = {}
            continue
        if line.lstrip().startswith("#"):
            continue
        if ":" in line and not line.startswith((" ", "\t")):
            key, value = line.split(":", 1)
            current[key.strip().lower()] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def find_archive(codename: str | None = None, sources_list: Path = APT_SOURCES, sources_dir: Path = APT_SOURCES_DIR) -> ArchiveEntry:
    """The host's main Debian archive: the apt entry whose suite is the host's own codename."""
    codename = codename or _host_codename()
    candidates: list[ArchiveEntry] = []
    files = [sources_list] + (sorted(sources_dir.glob("*")) if sources_dir.is_dir() else [])
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            for stanza in _parse_deb822(text):
                suites = stanza.get("suites", "").split()
                if codename in suites and "main" in stanza.get("components", "").split():
                    for uri in stanza.get("uris", "").split():
                        candidates.append(ArchiveEntry(uri.rstrip("/"), stanza.get("signed-by")))
        else:
            for line in text.splitlines():
                line = line.split("#", 1)[0].strip()
                match = re.match(r"^deb(?:-src)?\s+(?:\[(?P<opts>[^\]]*)\]\s+)?(?P<uri>\S+)\s+(?P<suite>\S+)\s+(?P<comps>.*)$", line)
                if match and match["suite"] == codename and "main" in match["comps"].split():
                    opts = dict(o.split("=", 1) for o in (match["opts"] or "").split() if "=" in o)
                    candidates.append(ArchiveEntry(match["uri"].rstrip("/"), opts.get("signed-by")))
    if not candidates:
        raise SourceNotFound(
            f"{sources_list}: no apt entry for Debian '{codename}' main was found, so Debian's archive cannot be reached; "
            "add the host's Debian archive to apt's sources"
        )
    return candidates[0]


class DebianArchive:
    """apt-get with a private sources list and state, derived from the host's archive entry."""

    def __init__(self, cache: Cache, suites: list[str], arch: str = "amd64") -> None:
        self.cache = cache
        self.suites = suites
        self.arch = arch
        self.state = cache.scratch("apt")
        self._updated = False

    def _options(self) -> list[str]:
        return [
            "-o", f"Dir::Etc::SourceList={self.state / 'sources.list'}",
            "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={self.state / 'lists'}",
            "-o", f"Dir::Cache={self.state / 'cache'}",
            "-o", f"APT::Architecture={self.arch}",
            "-o", "Debug::NoLocking=1",
            "-o", "APT::Sandbox::User=root",
        ]

    def _write_sources(self) -> None:
        entry = find_archive()
        signed = [f"signed-by={entry.signed_by}"] if entry.signed_by else []
        lines = []
        for suite in self.suites:
            src_opts = " ".join(signed)
            lines.append(f"deb-src [{src_opts}] {entry.uri} {suite} main" if src_opts else f"deb-src {entry.uri} {suite} main")
            lines.append(f"deb [{' '.join([f'arch={self.arch}', *signed])}] {entry.uri} {suite} main")
        (self.state / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (self.state / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        wanted = "\n".join(lines) + "\n"
        path = self.state / "sources.list"
        if not path.is_file() or path.read_text() != wanted:
            tmp = path.with_name(f".sources.list.{os.getpid()}")
            tmp.write_text(wanted)
            os.replace(tmp, path)
            (self.state / "updated").unlink(missing_ok=True)

    def _apt(self, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(["apt-get", *self._options(), *args], capture_output=True, text=True, timeout=600, check=False)
        except FileNotFoundError:
            raise HostToolsMissing("apt-get: not found; Debian's archive provider needs apt (install the 'apt' package)") from None

    def update(self, force: bool = False) -> None:
        if self._updated and not force:
            return
        # apt runs here without its own locking (private state, not root's): serialise runs.
        with file_lock(self.state / "update.lock"):
            self._update_locked(force)

    def _update_locked(self, force: bool) -> None:
        self._write_sources()
        stamp = self.state / "updated"
        if force or not stamp.is_file() or time.time() - stamp.stat().st_mtime > LIST_MAX_AGE:
            result = self._apt("update")
            if result.returncode != 0:
                raise SourceNotFound(f"apt-get update ({self.state / 'sources.list'}): {result.stderr.strip().splitlines()[-1:]}; check the network and the host's apt sources")
            stamp.write_text(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))
        self._updated = True

    _URI_LINE = re.compile(r"^'(?P<uri>[^']+)'\s+(?P<name>\S+)\s+(?P<size>\d+)\s+(?P<hash>\S+)")

    def _uris(self, args: list[str]) -> dict[str, str]:
        result = self._apt("--print-uris", *args)
        uris: dict[str, str] = {}
        for line in result.stdout.splitlines():
            match = self._URI_LINE.match(line)
            if match:
                uris[match["name"]] = match["uri"]
        return uris

    def source_file_uri(self, package: str, version: str, filename: str) -> str | None:
        self.update()
        uris = self._uris(["source", f"{package}={version}"])
        if filename not in uris:
            self.update(force=True)
            uris = self._uris(["source", f"{package}={version}"])
        return uris.get(filename)

    def deb_uri(self, package: str, version: str, filename: str) -> str | None:
        self.update()
        uris = self._uris(["download", f"{package}={version}"])
        if filename not in uris:
            self.update(force=True)
            uris = self._uris(["download", f"{package}={version}"])
        return uris.get(filename)

    def download(self, uri: str, filename: str, sha256: str, tried: list[str], timeout: float = 120.0) -> Path | None:
        def write(tmp: Path) -> None:
            with urllib.request.urlopen(uri, timeout=timeout) as response, tmp.open("wb") as out:  # noqa: S310 - URI from apt
                while chunk := response.read(1 << 16):
                    out.write(chunk)

        try:
            return self.cache.store(sha256, filename, write, uri)
        except (urllib.error.URLError, TimeoutError) as exc:
            tried.append(f"Debian archive {uri}: {getattr(exc, 'reason', exc)}")
            return None

    def describe(self) -> str:
        return f"Debian archive via apt ({shlex.join(['suites', *self.suites])})"
