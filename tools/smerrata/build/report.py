"""results/build-report.json and .md: what ran, how long, with what, from which inputs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

# What a results dir holds: the errata build, or the unpatched QA reference (--without-backport,
# which publishes into UNPATCHED_RESULTS by default). The QA matrix checks the kind it reads.
KIND_ERRATA = "errata"
KIND_UNPATCHED = "qa-reference-unpatched"
UNPATCHED_RESULTS = "results-unpatched"


@dataclass
class Provenance:
    name: str
    sha256: str
    origin: str


@dataclass
class BuildReport:
    name: str
    version: str
    release: str
    backend: str
    backend_reason: str
    source_date_epoch: int
    stages: dict[str, float] = field(default_factory=dict)
    sources: list[Provenance] = field(default_factory=list)
    srpm: dict[str, str] = field(default_factory=dict)
    rpms: list[dict[str, str]] = field(default_factory=list)
    rpmlint: dict[str, object] = field(default_factory=dict)
    backport: dict[str, object] = field(default_factory=dict)
    inputs_key: str = ""  # build.inputs: a later run with the same key is "up to date"
    inputs: dict[str, str] = field(default_factory=dict)
    # "errata", or "qa-reference-unpatched" for `--without-backport` (8.15.2 without Patch100)
    kind: str = KIND_ERRATA

    def write(self, directory: Path) -> None:
        (directory / "build-report.json").write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        (directory / "build-report.md").write_text(self.markdown())

    def markdown(self) -> str:
        title = f"# Build report: {self.name}-{self.version}-{self.release}"
        lines = [title, ""]
        if self.kind != KIND_ERRATA:
            lines = [title + " (UNPATCHED QA REFERENCE)", "",
                     "**Not an errata build.** sendmail 8.15.2 from the same spec and sources, built "
                     "`--without tls_fallback`: no TLSFallbacktoClear backport (Patch100). It exists only as the "
                     "unpatched reference of the QA matrix; never ship or sign it.", ""]
        lines += [
            f"- backend: **{self.backend}** ({self.backend_reason})",
            f"- SOURCE_DATE_EPOCH: {self.source_date_epoch} (top %changelog entry)",
            f"- SRPM: `{self.srpm.get('file', '-')}` sha256 `{self.srpm.get('sha256', '-')}`",
            f"- rpmlint: {self.rpmlint.get('errors', '?')} errors, {self.rpmlint.get('warnings', '?')} warnings",
            "",
            "## Stages (wall time)",
            "",
            "| stage | seconds |",
            "|---|---:|",
            *[f"| {stage} | {seconds:.1f} |" for stage, seconds in self.stages.items()],
            f"| **total** | {sum(self.stages.values()):.1f} |",
            "",
            "## Inputs",
            "",
            "| file | sha256 | from |",
            "|---|---|---|",
            *[f"| {p.name} | `{p.sha256}` | {p.origin} |" for p in self.sources],
            "",
            "## RPMs",
            "",
            *[f"- `{rpm['path']}` sha256 `{rpm['sha256']}`" for rpm in self.rpms],
            "",
        ]
        if self.backport:
            lines += ["## Backport", "", *[f"- {key}: {value}" for key, value in self.backport.items()], ""]
        return "\n".join(lines)
