"""results/build-report.json and .md: what ran, how long, with what, from which inputs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


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

    def write(self, directory: Path) -> None:
        (directory / "build-report.json").write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")
        (directory / "build-report.md").write_text(self.markdown())

    def markdown(self) -> str:
        lines = [
            f"# Build report: {self.name}-{self.version}-{self.release}",
            "",
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
