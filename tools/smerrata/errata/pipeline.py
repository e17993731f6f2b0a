"""`smerrata errata` from end to end: results/ in, results/repo + results/repo-srpms out."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..build.report import KIND_ERRATA
from ..build.staging import build_lock
from ..console import stage, warn
from ..errors import ConfigError
from .advisory import update_record
from .dates import epoch_of, issued_date
from .packages import BuiltPackage, find_build_output, read_package
from .publish import replace_directory, staging
from .repository import describe, place_packages, write_repository
from .settings import ErrataSettings, SigningSettings
from .signing import SigningKey, configured_key, ephemeral_key, imported_key, sign_rpms, verify_rpms

PUBLIC_KEY_NAME = "RPM-GPG-KEY-smerrata"
REPORT_NAME = "errata-report.json"


@dataclass
class ErrataResult:
    repo: Path
    srpm_repo: Path
    advisory_id: str
    issued: datetime
    packages: list[BuiltPackage]
    signed_by: str | None
    verdicts: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def report(self) -> dict[str, object]:
        return {
            "advisory": self.advisory_id,
            "issued": self.issued.strftime("%Y-%m-%d %H:%M:%S"),
            "repository": self.repo.name,
            "srpm_repository": self.srpm_repo.name,
            "signed_by": self.signed_by,
            "public_key": PUBLIC_KEY_NAME if self.signed_by else None,
            "packages": [
                {"nevra": p.nevra, "filename": p.filename, "sha256": p.sha256, "rpm_K": self.verdicts.get(p.filename)}
                for p in self.packages
            ],
            "timings_s": self.timings,
        }


def open_signing_key(signing: SigningSettings) -> SigningKey | None:
    if signing.ephemeral:
        return ephemeral_key()
    if signing.key_file is not None:
        return imported_key(signing.key_file)
    if signing.fingerprint is not None:
        return configured_key(signing.fingerprint)
    return None


def refuse_non_errata_build(results: Path) -> None:
    """An unpatched QA reference build must never be published as an errata."""
    report = results / "build-report.json"
    if not report.is_file():
        return  # RPMs put there by hand or by `smerrata submit`: nothing says what they are
    try:
        kind = json.loads(report.read_text(encoding="utf-8")).get("kind", KIND_ERRATA)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{report}: unreadable build report ({exc}); rebuild with `smerrata build`") from exc
    if kind != KIND_ERRATA:
        raise ConfigError(f"{report}: these RPMs are a {kind} build, not an errata build; publish the results of a normal `smerrata build`")


def make_errata(results: Path, settings: ErrataSettings, environ: dict[str, str] | None = None) -> ErrataResult:
    refuse_non_errata_build(results)
    # Same lock as `smerrata build`: a build publishing results/ meanwhile would swap the
    # repository out from under us.
    with build_lock(results):
        return _make_errata(results, settings, environ)


def _make_errata(results: Path, settings: ErrataSettings, environ: dict[str, str] | None = None) -> ErrataResult:
    timings: dict[str, float] = {}
    started = time.monotonic()
    output = find_build_output(results)
    # Dates are settled before anything is written: a bad SOURCE_DATE_EPOCH publishes nothing.
    srpm_changelogs = [t for path in output.sources for t in read_package(path).changelog_times]
    issued = issued_date(srpm_changelogs, environ)

    with staging(results) as scratch:
        repo, srpm_repo = scratch / "repo", scratch / "repo-srpms"
        with stage("copy RPMs into the staged repositories", timings):
            binaries = place_packages(output.binaries, repo)
            sources = place_packages(output.sources, srpm_repo)

        key = None
        verdicts: dict[str, str] = {}
        with stage("open signing key", timings):
            key = open_signing_key(settings.signing)
        try:
            if key is not None:
                with stage(f"rpmsign {len(binaries) + len(sources)} RPMs with {key.fingerprint[-16:]}", timings):
                    sign_rpms(key, binaries + sources)
                public = key.export_public()
                for directory in (repo, srpm_repo):
                    (directory / PUBLIC_KEY_NAME).write_bytes(public)
                with stage("rpm -K against the published key", timings):
                    verdicts = verify_rpms(repo / PUBLIC_KEY_NAME, binaries + sources)
            else:
                warn("no signing key configured (--sign-key, --ephemeral-key, SMERRATA_SIGN_KEY[_FILE]): the repository is UNSIGNED")
        finally:
            signed_by = key.fingerprint if key is not None else None
            if key is not None:
                key.close()

        with stage("createrepo_c + updateinfo", timings):
            # Checksums are taken after signing: the advisory lists the files dnf will download.
            packages = describe(binaries)
            record = update_record(settings.advisory, issued, packages)
            write_repository(repo, binaries, epoch_of(issued), record)
            write_repository(srpm_repo, sources, epoch_of(issued))

        timings["total"] = round(time.monotonic() - started, 2)
        result = ErrataResult(
            repo=results / "repo",
            srpm_repo=results / "repo-srpms",
            advisory_id=settings.advisory.id,
            issued=issued,
            packages=packages,
            signed_by=signed_by,
            verdicts=verdicts,
            timings=timings,
        )
        report = scratch / REPORT_NAME
        report.write_text(json.dumps(result.report(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        replace_directory(repo, results / "repo")
        replace_directory(srpm_repo, results / "repo-srpms")
        os.replace(report, results / REPORT_NAME)
    return result
