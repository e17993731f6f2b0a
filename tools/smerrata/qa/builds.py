"""Builds under test: a root directory holding a sendmail binary, makemap and the sendmail-cf tree.

- Debian's bullseye 8.15.2 (unpatched, shows the bug) and bookworm 8.17.1.9 (upstream with the
  option), unpacked from the pinned debs with `dpkg-deb -x`. Bullseye's binary links libssl1.1
  and libldap-2.4, which this Debian 12 host lacks: the pinned bullseye library debs are unpacked
  next to it and the binary runs with LD_LIBRARY_PATH (the host is never modified).
- The patched 8.15.2 RPMs from `tox -e build` (results/RPMS/<arch>/), unpacked with rpm2archive.
- The unpatched 8.15.2 RPMs from `smerrata build --without-backport` (results-unpatched/RPMS/),
  the same spec and sources without Patch100, unpacked the same way.
- upstream-8.18.2, compiled here from Debian's pinned orig tarball (qa/upstream_build.py). It is
  opt-in (about 45 s of compiling): in the matrix when named in --builds or already compiled.
Each unpack goes to a staging directory renamed into place, keyed by the packages' checksums.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..build.report import KIND_ERRATA, KIND_UNPATCHED, UNPATCHED_RESULTS
from ..context import Context
from ..errors import HostToolsMissing, QAFailure, UsageError
from ..sources.cache import file_digest, publish_dir, staging_dir
from . import upstream_build

DEB_BUILDS: dict[str, dict[str, object]] = {
    # name: debs (sendmail-bin, sendmail-cf), extra library debs, role
    "debian-8.15.2": {"debs": ("sendmail-bin-8.15.2", "sendmail-cf-8.15.2"), "libs": ("libssl1.1", "libldap-2.4-2", "libwrap0"),
                      "role": "unpatched", "version": "8.15.2-22+deb11u3"},
    "debian-8.17.1.9": {"debs": ("sendmail-bin-8.17.1.9", "sendmail-cf-8.17.1.9"), "libs": ("libwrap0",),
                        "role": "upstream", "version": "8.17.1.9-2+deb12u2"},
}
PATCHED = "patched-8.15.2"
UNPATCHED = "unpatched-8.15.2"
UPSTREAM_COMPILED = upstream_build.NAME
ALL_BUILDS = (PATCHED, UNPATCHED, *DEB_BUILDS, UPSTREAM_COMPILED)
# build name -> (role, accepts TLSFallbacktoClear, build-report kind its results dir must hold)
RPM_BUILDS: dict[str, tuple[str, bool, str]] = {
    PATCHED: ("patched", True, KIND_ERRATA),
    UNPATCHED: ("unpatched", False, KIND_UNPATCHED),
}

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


def _report_kind(results: Path) -> str:
    """What build-report.json says the results dir holds; builds from before the field: errata."""
    try:
        kind = json.loads((results / "build-report.json").read_text()).get("kind", KIND_ERRATA)
    except (OSError, ValueError, AttributeError):
        return KIND_ERRATA
    return str(kind)


def rpm_build(results: Path, cache_root: Path, name: str = PATCHED) -> Build | None:
    """The RPM build `name` (patched or unpatched 8.15.2) from a results dir, or None when that
    build has not produced RPMs. A results dir holding the other kind is refused, so the
    unpatched reference can never be tested as the errata build, nor the other way round."""
    role, knows_option, kind = RPM_BUILDS[name]
    rpms = find_rpms(results)
    if "sendmail" not in rpms or "sendmail-cf" not in rpms:
        return None
    found_kind = _report_kind(results)
    if found_kind != kind:
        raise QAFailure(f"{results / 'build-report.json'}: holds a {found_kind} build, not the {kind} build {name} needs; "
                        f"pass the right results directory")
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

    root = _unpacked(cache_root, f"{name}-{key}", unpack)
    sendmail = _first(root, SENDMAIL_CANDIDATES, "sendmail binary")
    return Build(
        name=name, role=role, version=rpms["sendmail"].name.removesuffix(".rpm"), root=root, sendmail=sendmail,
        makemap=_first(root, MAKEMAP_CANDIDATES, "makemap"), cf_dir=_first(root, CF_CANDIDATES, "sendmail-cf tree"),
        knows_option=knows_option,
        provenance=[f"{rpms[p].name} (sha256 {d})" for p, d in zip(("sendmail", "sendmail-cf"), digests)],
    )


def compiled_upstream(ctx: Context, compile_if_missing: bool) -> Build | None:
    """upstream-8.18.2 from the cache; compiled first only when asked (it takes ~45 s)."""
    cache_root = ctx.chain.cache.scratch("qa-builds")
    if not compile_if_missing and not (cache_root / upstream_build.cache_dir_name(ctx) / ".complete").is_file():
        return None
    root = upstream_build.compile_upstream(ctx, cache_root, _unpacked)
    tarball = ctx.chain.pins.release(upstream_build.VERSION)
    return Build(
        name=UPSTREAM_COMPILED, role="upstream", version=f"{upstream_build.VERSION} (compiled here)", root=root,
        sendmail=_first(root, SENDMAIL_CANDIDATES, "sendmail binary"), makemap=_first(root, MAKEMAP_CANDIDATES, "makemap"),
        cf_dir=_first(root, CF_CANDIDATES, "sendmail-cf tree"), knows_option=True,
        provenance=[f"{tarball.tarball} (sha256 {tarball.sha256}), compiled with {root / 'site.config.m4'}"],
    )


def resolve_builds(ctx: Context, names: list[str] | None, results: Path,
                   unpatched_results: Path | None = None) -> tuple[list[Build], list[str]]:
    """The builds to run and notes on the ones left out (e.g. no RPMs in results/ yet).

    Without names: every build that is ready (RPM builds with RPMs, upstream-8.18.2 when already
    compiled) plus the Debian references. Named builds are made ready: upstream-8.18.2 compiles."""
    wanted = names or list(ALL_BUILDS)
    unknown = [n for n in wanted if n not in ALL_BUILDS]
    if unknown:
        raise UsageError(f"--builds: unknown build(s) {', '.join(unknown)}; choose from {', '.join(ALL_BUILDS)}")
    dirs = {PATCHED: results, UNPATCHED: unpatched_results or ctx.root / UNPATCHED_RESULTS}
    how_to_make = {PATCHED: "run `tox -e build`", UNPATCHED: "run `smerrata build --without-backport`"}
    builds: list[Build] = []
    notes: list[str] = []
    for name in wanted:
        if name in RPM_BUILDS:
            build = rpm_build(dirs[name], ctx.chain.cache.scratch("qa-builds"), name)
            if build is None:
                notes.append(f"{name}: not in the matrix, {dirs[name] / 'RPMS'} has no sendmail + sendmail-cf RPMs ({how_to_make[name]})")
                continue
            builds.append(build)
        elif name == UPSTREAM_COMPILED:
            compiled = compiled_upstream(ctx, compile_if_missing=names is not None)
            if compiled is None:
                notes.append(f"{name}: not in the matrix, not compiled yet (opt-in, ~45 s once: `smerrata qa --builds {name} ...`)")
                continue
            builds.append(compiled)
        else:
            builds.append(debian_build(ctx, name))
    return builds, notes
