"""The Copr API v3 requests `submit` sends, as data: the dry run prints them, the real run sends them.

Endpoints and payloads are those of the pinned copr client (copr.v3): BuildProxy.create_from_file
uploads multipart/form-data with a "json" part and a "pkgs" part; build and build-chroot reads are
plain GETs with query parameters.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .settings import CoprSettings


@dataclass(frozen=True)
class PlannedRequest:
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    json_part: dict[str, object] | None = None
    file_part: dict[str, object] | None = None
    when: str = ""

    def render(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        lines = [f"{self.method} {self.url}{'?' + query if query else ''}" + (f"    # {self.when}" if self.when else "")]
        if self.json_part is not None:
            lines.append(f"  multipart part json (application/json): {json.dumps(self.json_part, sort_keys=True)}")
        if self.file_part is not None:
            lines.append(f"  multipart part pkgs (application/x-rpm): {json.dumps(self.file_part, sort_keys=True)}")
        return "\n".join(lines)


def upload_payload(settings: CoprSettings) -> dict[str, object]:
    """The JSON part of /build/create/upload: project coordinates plus the build options we set."""
    return {
        "ownername": settings.owner,
        "projectname": settings.project,
        "project_dirname": None,
        "chroots": list(settings.chroots),
    }


def api_url(copr_url: str, endpoint: str) -> str:
    return f"{copr_url.rstrip('/')}/api_3/{endpoint.lstrip('/')}"


def submission_plan(copr_url: str, settings: CoprSettings, srpm: Path) -> list[PlannedRequest]:
    data = srpm.read_bytes()
    plan = [
        PlannedRequest(
            "POST", api_url(copr_url, "build/create/upload"),
            json_part=upload_payload(settings),
            file_part={"filename": srpm.name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()},
            when="once; answers the build id",
        ),
        PlannedRequest("GET", api_url(copr_url, "build/{build_id}"),
                       when=f"every {settings.poll_interval:g} s until the build ends (at most {settings.timeout:g} s)"),
        PlannedRequest("GET", api_url(copr_url, "build-chroot/list"), params={"build_id": "{build_id}"},
                       when="with each poll, for per-chroot progress"),
    ]
    for chroot in settings.chroots:
        plan.append(PlannedRequest("GET", api_url(copr_url, "build-chroot"),
                                   params={"build_id": "{build_id}", "chrootname": chroot}, when="once, for result_url"))
        plan.append(PlannedRequest("GET", api_url(copr_url, "build-chroot/built-packages"),
                                   params={"build_id": "{build_id}", "chrootname": chroot}, when="once, NEVRA list"))
        plan.append(PlannedRequest("GET", "{result_url}/{name}-{version}-{release}.{arch}.rpm",
                                   when=f"per built package of {chroot}, into results/RPMS/<arch>/"))
    return plan
