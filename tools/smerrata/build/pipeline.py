"""sources -> backport -> SRPM -> RPMs -> rpmlint, staged and published as one results tree.

results/
  SRPMS/*.src.rpm           RPMS/<arch>/*.rpm
  patches/                  generated patches + backport report
  logs/                     build.log, rpmlint.log
  build-report.json / .md   stages, wall times, backend, provenance, rpmlint counts

`--without-backport` builds the same spec and sources with `--without tls_fallback` (no Patch100,
no backport generated) into results-unpatched/: the unpatched 8.15.2 the QA matrix compares
against. It is a reference, never an errata build, and may not be written over results/.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from .. import hosttools
from ..console import info, stage
from ..context import Context
from ..errors import BuildError, ConfigError, LintError, StorageError
from ..spec.model import SpecInfo, read_spec
from . import compile_gate
from .backends import BuildBackend, run_logged
from .backport_step import OPENSSL_PIN, generate, prepare_base_tree
from .inputs import changed_items, inputs_key, verified_build
from .report import KIND_ERRATA, KIND_UNPATCHED, UNPATCHED_RESULTS, BuildReport, Provenance
from .rpmlint import run_rpmlint
from .selection import select_backend
from .staging import build_lock, fixed_workdir, publish, staged_results, staging_area

OPENSSL_PATCH_NUMBER = 1
BACKPORT_PATCH_NUMBER = 100
RPMLINTRC = "sendmail.rpmlintrc"
BACKPORT_BCOND = "tls_fallback"  # sendmail.spec: %bcond_without tls_fallback guards Patch100


@dataclass(frozen=True)
class BuildOptions:
    backend: str = "auto"
    results: str | None = None
    mock_config: str | None = None
    donor: str = "8.16.1"
    lint: bool = True
    srpm_only: bool = False  # stop after the SRPM (reproducibility checks, hand-off to a build system)
    force: bool = False  # rebuild even when results/ holds a verified build of the same inputs
    backport: bool = True  # False: the unpatched QA reference (--without tls_fallback)


def results_for(ctx: Context, options: BuildOptions) -> Path:
    """Where a build publishes: results/ for the errata build, results-unpatched/ for the
    reference. The reference may never replace the errata build's results."""
    if options.backport:
        return ctx.results_dir(options.results)
    results = Path(options.results).resolve() if options.results else ctx.root / UNPATCHED_RESULTS
    if results == ctx.results_dir():
        raise ConfigError(f"{results}: holds the errata build; --without-backport writes elsewhere, drop --results or pass another directory")
    return results


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_pinned(source: Path, target: Path, epoch: int) -> Path:
    shutil.copyfile(source, target)
    # Same bytes, same mtime: the SRPM payload records mtimes.
    os.utime(target, (epoch, epoch))
    return target


def _requested_backend(options: BuildOptions) -> str:
    if options.backend != "auto":
        return options.backend
    el_like = bool(hosttools.os_release_ids() & hosttools.EL_LIKE)
    return "mock" if el_like and shutil.which("mock") else "rpmbuild"


# Failures of the machine, not of the build: reported as storage errors (exit 13), not tracebacks.
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}


def run_build(ctx: Context, options: BuildOptions) -> BuildReport:
    hosttools.require(hosttools.build_requirements(_requested_backend(options), options.lint), "smerrata build")
    spec = read_spec(ctx.spec_path)  # a broken spec stops here: nothing staged, nothing locked
    results = results_for(ctx, options)
    selection = select_backend(options.backend, ctx.root, options.mock_config)
    info(f"backend: {selection.backend.name} ({selection.reason})")
    if not options.backport:
        selection.backend.without = (BACKPORT_BCOND,)
        info(f"unpatched QA reference: --without {BACKPORT_BCOND}, no backport, into {results} (not an errata build)")
    report = BuildReport(
        name=spec.name, version=spec.version, release=spec.release, backend=selection.backend.name,
        backend_reason=selection.reason, source_date_epoch=spec.source_date_epoch,
        kind=KIND_ERRATA if options.backport else KIND_UNPATCHED,
    )
    checkout_files = [item.filename for item in spec.sources if item.number != 0 and not (item.is_patch and item.number in (OPENSSL_PATCH_NUMBER, BACKPORT_PATCH_NUMBER))]
    extra = [ctx.root / RPMLINTRC] + ([selection.backend.config] if isinstance(getattr(selection.backend, "config", None), Path) else [])
    key_options = {k: v for k, v in asdict(options).items() if k not in ("results", "force")}
    report.inputs_key, report.inputs = inputs_key(ctx.root, ctx.spec_path, checkout_files, selection.backend.name, key_options, extra)
    try:
        with build_lock(results):
            if not options.force and verified_build(results, report.inputs_key):
                info(f"up to date: {results} holds a verified build of these inputs (key {report.inputs_key[:16]}); --force rebuilds")
                return report
            changed = changed_items(results, report.inputs)
            if changed:
                info("rebuilding: changed " + ", ".join(changed[:8]) + (" ..." if len(changed) > 8 else ""))
            with staged_results(results) as staging, fixed_workdir() as work:
                out = staging / "results"
                for sub in ("SRPMS", "RPMS", "patches", "logs"):
                    (out / sub).mkdir(parents=True)
                sourcedir = work / "SOURCES"
                sourcedir.mkdir(parents=True)
                try:
                    _build_into(ctx, spec, selection.backend, options, report, out, work, sourcedir)
                except (BuildError, LintError):
                    _keep_failed_log(results, out)
                    raise
                report.write(out)
                publish(out, results)
    except OSError as exc:
        if exc.errno not in STORAGE_ERRNOS:
            raise
        where = exc.filename or results
        raise StorageError(f"{where}: {exc.strerror}; free space or make it writable (results: {results}, cache: {ctx.settings.cache_dir})") from exc
    info(f"results: {results}")
    return report


def _keep_failed_log(results: Path, out: Path) -> None:
    for name in ("build.log", "rpmlint.log"):
        log = out / "logs" / name
        if log.is_file():
            shutil.copyfile(log, staging_area(results) / f"last-failed-{name}")


def _build_into(
    ctx: Context, spec: SpecInfo, backend: BuildBackend, options: BuildOptions, report: BuildReport,
    out: Path, work: Path, sourcedir: Path,
) -> None:
    epoch = spec.source_date_epoch
    timings = report.stages
    build_log = out / "logs" / "build.log"

    with stage("sources", timings):
        tarball = ctx.chain.release_tarball(spec.version)
        _copy_pinned(tarball.path, sourcedir / spec.source(0).filename, epoch)
        report.sources.append(Provenance(spec.source(0).filename, tarball.sha256, tarball.provenance))
        openssl = ctx.chain.debian_file(OPENSSL_PIN)
        openssl_name = spec.patch(OPENSSL_PATCH_NUMBER).filename
        openssl_copy = _copy_pinned(openssl.path, sourcedir / openssl_name, epoch)
        shutil.copyfile(openssl.path, out / "patches" / openssl_name)
        report.sources.append(Provenance(openssl_name, openssl.sha256, openssl.provenance))
        for item in spec.sources:
            # Source0 and Patch1/Patch100 come from the provider chain and the engine; every other
            # Source and Patch the spec names is a file of the checkout.
            if item.number == 0 and not item.is_patch or item.is_patch and item.number in (OPENSSL_PATCH_NUMBER, BACKPORT_PATCH_NUMBER):
                continue
            local = ctx.root / item.filename
            if not local.is_file():
                kind = "Patch" if item.is_patch else "Source"
                raise ConfigError(f"{ctx.spec_path}: {kind}{item.number} {item.filename} is missing from the checkout; restore it or remove the {kind}{item.number} line")
            _copy_pinned(local, sourcedir / item.filename, epoch)
            report.sources.append(Provenance(item.filename, sha256_of(local), "checkout"))
        spec_copy = _copy_pinned(spec.path, work / spec.path.name, epoch)

    backport_copy: Path | None = None
    if options.backport:
        backport_copy = _backport(ctx, spec, options, report, out, sourcedir, tarball.provenance, openssl_copy, openssl.provenance)

    backend.prepare(work)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "LC_ALL": "C.UTF-8", "TZ": "UTC"}
    with stage("srpm", timings):
        command = backend.srpm_command(spec_copy, sourcedir, out / "SRPMS", work)
        step = run_logged(command, build_log, env=env, cwd=work)
        if step.returncode != 0:
            raise BuildError(f"{ctx.spec_path}: {backend.name} could not make the SRPM ({_last_error(build_log)}); see the log kept in .smerrata-staging/last-failed-build.log")
        srpm = backend.collect_srpm(out / "SRPMS")
        report.srpm = {"file": srpm.name, "sha256": sha256_of(srpm)}
        report.release = _built_release(srpm, report.release)
        info(f"SRPM {srpm.name} sha256 {report.srpm['sha256']}")

    rpms: list[Path] = []
    if options.srpm_only:
        _lint(ctx, options, timings, report, [srpm], out, partial=True)
        return
    with stage(f"rpms ({backend.name})", timings):
        rpm_out = work / "rpms-out"
        rpm_out.mkdir()
        step = run_logged(backend.rpms_command(srpm, rpm_out, work), build_log, env=env, cwd=work)
        if step.returncode != 0:
            applied = [openssl_copy] + ([backport_copy] if backport_copy else [])
            where = compile_gate.describe(build_log.read_text(errors="replace"), applied)
            raise BuildError(f"{ctx.spec_path}: the RPM build failed at {where}; see .smerrata-staging/last-failed-build.log")
        # mock also leaves the SRPM and its logs in the result dir: keep its logs, drop the rest.
        for mock_log in rpm_out.glob("*.log"):
            shutil.move(str(mock_log), out / "logs" / f"mock-{mock_log.name}")
        rpms = backend.collect_rpms(rpm_out, out / "RPMS")
        report.rpms = [{"path": str(p.relative_to(out)), "sha256": sha256_of(p)} for p in rpms]

    _lint(ctx, options, timings, report, [srpm, *rpms], out)


def _backport(
    ctx: Context, spec: SpecInfo, options: BuildOptions, report: BuildReport, out: Path, sourcedir: Path,
    tarball_provenance: str, openssl_copy: Path, openssl_provenance: str,
) -> Path:
    """Generate Patch100 against 8.15.2 + Patch1 and stage it next to the other sources."""
    work = sourcedir.parent
    with stage("backport", report.stages):
        base = prepare_base_tree(ctx.chain.release_tree(spec.version), [openssl_copy], work / "base")
        base_provenance = f"{tarball_provenance}, plus {openssl_copy.name} ({openssl_provenance})"
        backport = generate(ctx, base, out / "patches", spec.patch(BACKPORT_PATCH_NUMBER).filename, options.donor, base_provenance)
        backport_copy = _copy_pinned(backport.patch_path, sourcedir / backport.patch_path.name, spec.source_date_epoch)
        report.sources.append(Provenance(backport.patch_path.name, sha256_of(backport.patch_path), backport.origin))
        report.backport = {"origin": backport.origin, "dropped": backport.dropped, "reports": [p.name for p in backport.reports]}
        for line in backport.dropped:
            info(f"backport dropped: {line}")
    return backport_copy


def _lint(
    ctx: Context, options: BuildOptions, timings: dict[str, float], report: BuildReport, packages: list[Path], out: Path,
    partial: bool = False,
) -> None:
    if options.lint:
        with stage("rpmlint", timings):
            lint = run_rpmlint(packages, ctx.root / RPMLINTRC, out / "logs" / "rpmlint.log", partial=partial)
            report.rpmlint = {"errors": lint.errors, "warnings": lint.warnings, "returncode": lint.returncode}
            info(f"rpmlint: {lint.errors} errors, {lint.warnings} warnings")
            if not lint.ok:
                first = lint.error_lines()[0] if lint.error_lines() else lint.output.strip().splitlines()[-1:]
                raise LintError(f"{ctx.root / RPMLINTRC}: rpmlint found {lint.errors} errors (first: {first}); fix the spec or justify a filter; full output in .smerrata-staging/last-failed-rpmlint.log")


def _built_release(srpm: Path, fallback: str) -> str:
    """The Release the SRPM really carries ("33", "33~unpatched"), not the spec's macro text."""
    proc = subprocess.run(["rpm", "-qp", "--qf", "%{release}", str(srpm)], capture_output=True, text=True, check=False, timeout=60)
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else fallback


def _last_error(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if "error" in line.lower()]
    return lines[-1].strip() if lines else "no error line in the log"
