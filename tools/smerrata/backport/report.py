"""The provenance report: enough for a maintainer to audit the port without redoing it."""

from __future__ import annotations

import json
from typing import Any

from .definition import FeatureDefinition
from .engine import PortResult


def report_data(definition: FeatureDefinition, result: PortResult, donor_provenance: str, base_provenance: str, patch_sha256: str) -> dict[str, Any]:
    return {
        "feature": definition.id,
        "resolves": definition.resolves,
        "donor": {"version": result.donor, "provenance": donor_provenance},
        "base": {"version": definition.base, "provenance": base_provenance},
        "patch": {"name": definition.patch_name, "sha256": patch_sha256},
        "changes": [
            {
                "id": item.change.id,
                "what": item.change.what,
                "donor": {"release": item.donor_version, "file": item.donor_file, "lines": list(item.donor_lines)},
                "note": item.change.note,
                "base": {
                    "file": item.base_file,
                    "lines_in_patched_file": list(item.base_range),
                    "replaced_base_lines": [item.replaced[0] + 1, item.replaced[1] + 1] if item.replaced else None,
                },
                "placement": {"strategy": item.placement.strategy, "detail": item.placement.detail},
                "rules": [{"rule": applied.rule, "detail": applied.detail} for applied in item.rules],
            }
            for item in result.changes
        ],
        "not_ported": result.dropped,
        "rules_without_effect": result.unused_rules,
        "checks": result.checks,
    }


def report_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def report_text(data: dict[str, Any]) -> str:
    lines = [
        f"Backport report: {data['feature']} ({data['resolves']})",
        f"  donor: sendmail {data['donor']['version']} from {data['donor']['provenance']}",
        f"  base:  sendmail {data['base']['version']} from {data['base']['provenance']}",
        f"  patch: {data['patch']['name']} sha256 {data['patch']['sha256']}",
        "",
    ]
    for change in data["changes"]:
        base = change["base"]
        lines.append(f"[{change['id']}] {change['what']}")
        taken_from = "" if change["donor"]["release"] == data["donor"]["version"] else f" (sendmail {change['donor']['release']}: the donor predates this change)"
        lines.append(f"  donor {change['donor']['file']}:{change['donor']['lines'][0]}-{change['donor']['lines'][1]}{taken_from}")
        target = f"  base  {base['file']}:{base['lines_in_patched_file'][0]}-{base['lines_in_patched_file'][1]} (patched file)"
        if base["replaced_base_lines"]:
            target += f", replacing base lines {base['replaced_base_lines'][0]}-{base['replaced_base_lines'][1]}"
        lines.append(target)
        lines.append(f"  placed by {change['placement']['strategy']}: {change['placement']['detail']}")
        for rule in change["rules"]:
            lines.append(f"  rule {rule['rule']}: {rule['detail']}")
        if change.get("note"):
            lines.append(f"  note: {change['note']}")
        lines.append("")
    for version, provenance in sorted(data.get("other_donors", {}).items()):
        lines.append(f"Changes marked `since` came from sendmail {version}: {provenance}")
    if data.get("other_donors"):
        lines.append("")
    if data.get("rules_without_effect"):
        lines.append("Rules with nothing to act on in this donor (used by other donors, or stale):")
        lines.extend(f"  {entry}" for entry in data["rules_without_effect"])
        lines.append("")
    if data["not_ported"]:
        lines.append("Donor lines deliberately not ported:")
        lines.extend(f"  {note}" for note in data["not_ported"])
    return "\n".join(lines) + "\n"
