"""Builds under test: a root directory holding a sendmail binary, makemap and the sendmail-cf tree.

- Debian's bullseye 8.15.2 (unpatched, shows the bug) and bookworm 8.17.1.9 (upstream with the
  option), unpacked from the pinned debs with `dpkg-deb -x`. Bullseye's binary links libssl1.1
  and libldap-2.4, which this Debian 12 host lacks: the pinned bullseye library debs are unpacked
  next to it and the binary runs with LD_LIBRARY_PATH (the host is never modified).
- The patched 8.15.2 RPMs from `tox -e build` (results/RPMS/<arch>/), unpacked with rpm2archive.
Each unpack goes to a staging directory renamed into place, keyed by the packages' checksums.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..context import Context
from ..errors import ConfigError, HostToolsMissing, QAFailure
from ..sources.cache import file_digest, publish_dir, staging_dir

DEB_BUILDS: dict[str, dict[str, object]] = {
    # name: debs (sendmail-bin, sendmail-cf), extra library debs, role
    "debian-8.15.2": {"debs": ("sendmail-bin-8.15.2", "sendmail-cf-8.15.2"), "libs": ("libssl1.1", "libldap-2.4-2", "libwrap0"),
                      "role": "unpatched", "version": "8.15.2-22+deb11u3"},
    "debian-8.17.1.9": {"debs": ("sendmail-bin-8.17.1.9", "sendmail-cf-8.17.1.9"), "libs": ("libwrap0",),
                        "role": "upstream", "version": "8.17.1.9-2+deb12u2"},
}
PATCHED = "patched-8.15.2"
ALL_BUILDS = (PATCHED, *DEB_BUILDS)

SENDMAIL_CANDIDATES = ("usr/libexec/sendmail/sendmail", "usr/sbin/sendmail.sendmail", "usr/sbin/sendmail")
MAKEMAP_CANDIDATES = ("usr/libexec/sendmail/makemap", "usr/sbin/makemap", "usr/bin/makemap")
CF_CANDIDATES = ("usr/share/sendmail/cf", "usr/share/sendmail-cf")
LIB_DIRS = ("usr/lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu")


@dataclass(frozen=True)
class Build:
    name: str
    role: str  # unpatched | upstream | patched
    version: str
    root: Path
    sendmail: Path
    makemap: Path
    cf_dir: Path
    knows_option: bool  # does its binary accept TLSFallbacktoClear?
    provenance: list[str] = field(default_factory=list)
    lib_path: tuple[Path, ...] = ()

    def env(self) -> dict[str, str]:
        return {"LD_LIBRARY_PATH": ":".join(str(p) for p in self.lib_path)} if self.lib_path else {}


def _first(root: Path, candidates: tuple[str, ...], what: str) -> Path:
    for rel in candidates:
        if (root / rel).exists():
            return root / rel
    raise QAFailure(f"{root}: no {what} at any of {', '.join(candidates)}; the package set is incomplete, rebuild or refetch it")


def _unpacked(cache_root: Path, key: str, unpack: Callable[[Path], None]) -> Path:
    target = cache_root / key
    if (target / ".complete").is_file():
        return target
    staging = staging_dir(cache_root, key)
    try:
        unpack(staging)
        _drop_setid_bits(staging)
        (staging / ".complete").write_text("ok\n")
        if target.exists() and not (target / ".complete").is_file():
            shutil.rmtree(target, ignore_errors=True)  # left by an interrupted older run
        publish_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _drop_setid_bits(root: Path) -> None:
    """Packaged sendmail is set-gid: the dynamic loader would then ignore LD_LIBRARY_PATH (and we
    run as root anyway), so the unpacked copies lose their set-id bits."""
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            mode = path.stat().st_mode
            if mode & 0o6000:
                path.chmod(mode & ~0o6000)


def _dpkg_x(deb: Path, dest: Path) -> None:
    if shutil.which("dpkg-deb") is None:
        raise HostToolsMissing("dpkg-deb: not found; install the 'dpkg' package to unpack the Debian reference builds")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(dest)], check=True, capture_output=True, timeout=120)


def debian_build(ctx: Context, name: str) -> Build:
    spec = DEB_BUILDS[name]
    obtained = [ctx.chain.deb(deb) for deb in (*spec["debs"], *spec["libs"])]  # type: ignore[misc]
    key = hashlib.sha256("".join(o.sha256 for o in obtained).encode()).hexdigest()[:24]

    def unpack(staging: Path) -> None:
        for item in obtained:
            _dpkg_x(item.path, staging)

    root = _unpacked(ctx.chain.cache.scratch("qa-builds"), f"{name}-{key}", unpack)
    sendmail = _first(root, SENDMAIL_CANDIDATES, "sendmail binary")
    return Build(
        name=name, role=str(spec["role"]), version=str(spec["version"]), root=root, sendmail=sendmail,
        makemap=_first(root, MAKEMAP_CANDIDATES, "makemap"), cf_dir=_first(root, CF_CANDIDATES, "sendmail-cf tree"),
        knows_option=spec["role"] != "unpatched",  # declared, so the matrix checks the binary against it
        provenance=[f"{o.path.name} ({o.provenance})" for o in obtained],
        lib_path=tuple(root / d for d in LIB_DIRS if spec["libs"] and (root / d).is_dir()),
    )


def find_rpms(results: Path) -> dict[str, Path]:
    """sendmail and sendmail-cf binary RPMs under results/RPMS/<arch>/, by package name."""
    found: dict[str, Path] = {}
    for rpm in sorted((results / "RPMS").glob("*/*.rpm")):
        stem = rpm.name
        for package in ("sendmail-cf", "sendmail"):
            rest = stem[len(package) + 1 :] if stem.startswith(package + "-") else ""
            if rest[:1].isdigit():
                found.setdefault(package, rpm)
                break
    return found


def rpm_build(results: Path, cache_root: Path) -> Build | None:
    """The patched build from results/, or None when the build has not produced RPMs."""
    rpms = find_rpms(results)
    if "sendmail" not in rpms or "sendmail-cf" not in rpms:
        return None
    if shutil.which("rpm2archive") is None:
        raise HostToolsMissing("rpm2archive: not found; install the 'rpm' package to unpack the built RPMs")
    digests = [file_digest(rpms[p]) for p in ("sendmail", "sendmail-cf")]
    key = hashlib.sha256("".join(digests).encode()).hexdigest()[:24]

    def unpack(staging: Path) -> None:
        for package in ("sendmail", "sendmail-cf"):
            archive = staging / f"{package}.tgz"
            with rpms[package].open("rb") as src, archive.open("wb") as out:
                subprocess.run(["rpm2archive", "-"], stdin=src, stdout=out, check=True, timeout=120)
            with tarfile.open(archive) as tar:
                tar.extractall(staging, filter="tar")  # keeps modes (sendmail checks them)
            archive.unlink()

    root = _unpacked(cache_root, f"{PATCHED}-{key}", unpack)
    sendmail = _first(root, SENDMAIL_CANDIDATES, "sendmail binary")
    return Build(
        name=PATCHED, role="patched", version=rpms["sendmail"].name.removesuffix(".rpm"), root=root, sendmail=sendmail,
        makemap=_first(root, MAKEMAP_CANDIDATES, "makemap"), cf_dir=_first(root, CF_CANDIDATES, "sendmail-cf tree"),
        knows_option=True,
        provenance=[f"{rpms[p].name} (sha256 {d})" for p, d in zip(("sendmail", "sendmail-cf"), digests)],
    )


def resolve_builds(ctx: Context, names: list[str] | None, results: Path) -> tuple[list[Build], list[str]]:
    """The builds to run and notes on the ones left out (e.g. no RPMs in results/ yet)."""
    wanted = names or list(ALL_BUILDS)
    unknown = [n for n in wanted if n not in ALL_BUILDS]
    if unknown:
        raise ConfigError(f"--builds: unknown build(s) {', '.join(unknown)}; choose from {', '.join(ALL_BUILDS)}")
    builds: list[Build] = []
    notes: list[str] = []
    for name in wanted:
        if name == PATCHED:
            build = rpm_build(results, ctx.chain.cache.scratch("qa-builds"))
            if build is None:
                notes.append(f"{PATCHED}: not in the matrix, {results / 'RPMS'} has no sendmail + sendmail-cf RPMs (run `tox -e build`)")
                continue
            builds.append(build)
        else:
            builds.append(debian_build(ctx, name))
    return builds, notes
