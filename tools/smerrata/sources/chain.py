"""The provider chain: lookaside, then git mirror, then Debian's archive, each verified.

A found file that fails verification stops the run (a tampered input is never skipped over);
a provider that simply lacks the file is recorded, and if nobody has it the error lists every
place tried and how to configure one.
"""

from __future__ import annotations

import io
import lzma
import shutil
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from ..config import HOW_TO_CONFIGURE, Settings
from ..errors import SourceNotFound, StorageError, VerificationError
from .cache import Cache, file_digest, publish_dir, staging_dir
from .debian import DebianArchive
from .gitmirror import fetch_from_git
from .lookaside import fetch_from_lookaside
from .pins import DebFilePin, DebPin, Pins, ReleasePin


@dataclass(frozen=True)
class Obtained:
    path: Path
    provenance: str
    sha256: str


@dataclass
class SourceChain:
    pins: Pins
    settings: Settings
    cache: Cache = field(init=False)
    _debian: DebianArchive | None = field(init=False, default=None)
    _obtained: dict[str, Obtained] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.cache = Cache(self.settings.cache_dir)

    @property
    def debian(self) -> DebianArchive:
        if self._debian is None:
            self._debian = DebianArchive(self.cache, self.pins.debian_suites)
        return self._debian

    # -- releases ---------------------------------------------------------------------------
    def release_tarball(self, version: str) -> Obtained:
        if version not in self._obtained:
            self._obtained[version] = self._find_release_tarball(version)
        return self._obtained[version]

    def _find_release_tarball(self, version: str) -> Obtained:
        pin = self.pins.release(version)
        tried: list[str] = []
        cached = self.cache.lookup(pin.sha256, pin.tarball)
        if cached is not None:
            _verified_or_evicted(cached, pin)
            return Obtained(cached, f"cache (sha256 {pin.sha256})", pin.sha256)
        found = fetch_from_lookaside(self.cache, self.settings.lookasides, pin.tarball, pin.sha256, tried)
        if found is not None:
            _verified_or_evicted(found, pin)
            return Obtained(found, f"lookaside (sha256 {pin.sha256})", pin.sha256)
        if not self.settings.lookasides:
            tried.append("lookaside: none configured")
        if pin.git_tag:
            made = fetch_from_git(self.cache, self.settings.git_mirrors, pin, tried)
            if made is not None:
                path, provenance = made
                _verified_or_evicted(path, pin, check_size=False)
                return Obtained(path, provenance, file_digest(path))
            if not self.settings.git_mirrors:
                tried.append("git mirror: none configured")
        if pin.debian_source and pin.debian_version:
            if self.settings.use_debian_archive:
                uri = self.debian.source_file_uri(pin.debian_source, pin.debian_version, pin.tarball)
                if uri is None:
                    tried.append(f"Debian archive: source {pin.debian_source}={pin.debian_version} has no {pin.tarball}")
                else:
                    path = self.debian.download(uri, pin.tarball, pin.sha256, tried)
                    if path is not None:
                        _verified_or_evicted(path, pin)
                        return Obtained(path, f"Debian archive {pin.debian_source}={pin.debian_version}", pin.sha256)
            else:
                tried.append("Debian archive: disabled (SMERRATA_NO_DEBIAN)")
        raise SourceNotFound(
            f"{self.pins.path}: sendmail {version} ({pin.tarball}) not found; tried: " + "; ".join(tried) + f". To fix, {HOW_TO_CONFIGURE}"
        )

    def release_tree(self, version: str) -> Path:
        """The release unpacked once into the cache; returns its top directory."""
        obtained = self._obtained.get(version) or self.release_tarball(version)
        pin = self.pins.release(version)
        root = self.cache.scratch("trees") / obtained.sha256
        top = root / pin.topdir
        if (root / ".complete").is_file() and top.is_dir():
            return top
        try:
            # A staging directory of its own: parallel runs (xdist workers) never share one.
            staging = staging_dir(self.cache.scratch("trees"), obtained.sha256)
        except OSError as exc:
            raise StorageError(f"{self.cache.root / 'trees'}: cannot write the cache ({exc.strerror}); free space or set SMERRATA_CACHE to a writable place") from exc
        try:
            with tarfile.open(obtained.path) as tar:
                tar.extractall(staging, filter="data")
            (staging / ".complete").write_text(obtained.provenance + "\n")
            if root.exists() and not (root / ".complete").is_file():
                shutil.rmtree(root, ignore_errors=True)  # left by an interrupted older run
            publish_dir(staging, root)
        except OSError as exc:
            # Disk full or read-only mid-extraction: leave no half tree behind.
            raise StorageError(f"{staging.parent}: cannot unpack {obtained.path.name} ({exc.strerror}); free space or set SMERRATA_CACHE to a writable place") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return top

    def available(self, version: str) -> tuple[bool, str]:
        try:
            self.release_tarball(version)
        except SourceNotFound as exc:
            return False, exc.message
        return True, ""

    # -- single files from Debian source packages ----------------------------------------------
    def debian_file(self, name: str) -> Obtained:
        pin: DebFilePin = self.pins.debfiles[name]
        cached = self.cache.lookup(pin.sha256, pin.output)
        if cached is not None:
            return Obtained(cached, f"cache (sha256 {pin.sha256})", pin.sha256)
        tried: list[str] = []
        archive = self.cache.lookup(pin.archive_sha256, pin.archive)
        if archive is None and self.settings.use_debian_archive:
            uri = self.debian.source_file_uri(pin.debian_source, pin.debian_version, pin.archive)
            if uri is None:
                tried.append(f"Debian archive: source {pin.debian_source}={pin.debian_version} has no {pin.archive}")
            else:
                archive = self.debian.download(uri, pin.archive, pin.archive_sha256, tried)
        archive = archive or fetch_from_lookaside(self.cache, self.settings.lookasides, pin.archive, pin.archive_sha256, tried)
        if archive is None:
            raise SourceNotFound(
                f"{self.pins.path}: {pin.archive} (for {pin.output}) not found; tried: " + "; ".join(tried)
                + f". To fix, enable Debian's archive through apt or put the file in a lookaside ({HOW_TO_CONFIGURE})"
            )
        with tarfile.open(fileobj=io.BytesIO(lzma.decompress(archive.read_bytes()))) as tar:
            try:
                member = tar.extractfile(pin.member)
            except KeyError:
                member = None
            if member is None:
                raise VerificationError(f"{archive}: has no member {pin.member}; fix [debfile.\"{name}\"] member in upstream.toml")
            data = member.read()
        path = self.cache.store(pin.sha256, pin.output, lambda tmp: tmp.write_bytes(data), f"{pin.archive}:{pin.member}")
        return Obtained(path, f"Debian {pin.debian_source}={pin.debian_version} {pin.member}", pin.sha256)

    # -- binary packages for QA -------------------------------------------------------------------
    def deb(self, name: str) -> Obtained:
        pin: DebPin = self.pins.debs[name]
        cached = self.cache.lookup(pin.sha256, pin.filename)
        if cached is not None:
            return Obtained(cached, f"cache (sha256 {pin.sha256})", pin.sha256)
        tried: list[str] = []
        if self.settings.use_debian_archive:
            uri = self.debian.deb_uri(pin.package, pin.version, pin.filename)
            if uri is not None:
                path = self.debian.download(uri, pin.filename, pin.sha256, tried)
                if path is not None:
                    return Obtained(path, f"Debian archive {pin.package}={pin.version}", pin.sha256)
            else:
                tried.append(f"Debian archive ({pin.suite}): no {pin.package}={pin.version}")
        found = fetch_from_lookaside(self.cache, self.settings.lookasides, pin.filename, pin.sha256, tried)
        if found is not None:
            return Obtained(found, "lookaside", pin.sha256)
        raise SourceNotFound(f"{self.pins.path}: {pin.filename} not found; tried: " + "; ".join(tried) + "; enable Debian's archive through apt")


def _verified_or_evicted(path: Path, pin: ReleasePin, check_size: bool = True) -> None:
    """Verify a tarball that is already in the cache; if it fails, it leaves the cache, so a
    bad file is never found there again and the cache holds only what was verified."""
    try:
        if check_size:
            verify_release_tarball(path, pin)
        else:
            verify_topdir(path, pin)
    except VerificationError:
        path.unlink(missing_ok=True)
        for marker in path.parent.glob(f".{path.name}.topdir-ok-*"):
            marker.unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:
            pass
        raise


def verify_release_tarball(path: Path, pin: ReleasePin) -> None:
    if pin.size is not None and path.stat().st_size != pin.size:
        raise VerificationError(f"{path}: {path.stat().st_size} bytes, upstream.toml pins {pin.size}; the tarball is truncated or wrong, fetch it again")
    verify_topdir(path, pin)


def verify_topdir(path: Path, pin: ReleasePin) -> None:
    # The cache is content-addressed and re-hashed on every lookup, so a layout check passed once
    # for these exact bytes holds for good.
    marker = path.with_name(f".{path.name}.topdir-ok-{pin.topdir}")
    if marker.is_file():
        return
    _check_topdir(path, pin)
    try:
        marker.touch()
    except OSError:
        pass


def _check_topdir(path: Path, pin: ReleasePin) -> None:
    try:
        with tarfile.open(path) as tar:
            names = tar.getnames()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise VerificationError(f"{path}: not a readable tarball ({exc}); fetch it again") from exc
    bad = [n for n in names if n.split("/", 1)[0] != pin.topdir]
    if not names or bad:
        raise VerificationError(
            f"{path}: entries outside top directory {pin.topdir}/ (e.g. {bad[0] if bad else 'empty archive'}); "
            "this is not the pinned release tarball"
        )
