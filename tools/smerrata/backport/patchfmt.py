"""Render a port as a `git format-patch`-style patch: same inputs, same bytes."""

from __future__ import annotations

import difflib
import textwrap

from .definition import FeatureDefinition
from .engine import PortResult

ZERO_SHA = "0" * 40


def _diffstat(stats: list[tuple[str, int, int]]) -> list[str]:
    width = max(len(path) for path, _, _ in stats)
    lines = [f" {path.ljust(width)} | {added + removed:>3} {'+' * min(added, 40)}{'-' * min(removed, 40)}" for path, added, removed in stats]
    total_add = sum(a for _, a, _ in stats)
    total_del = sum(r for _, _, r in stats)
    lines.append(f" {len(stats)} files changed, {total_add} insertions(+), {total_del} deletions(-)")
    return lines


def render_patch(definition: FeatureDefinition, result: PortResult, donor_provenance: str, definition_sha256: str, tool_version: str) -> str:
    body: list[str] = []
    stats: list[tuple[str, int, int]] = []
    for rel, (before, after) in sorted(result.files.items()):
        hunk_lines = list(difflib.unified_diff(before, after, f"a/{rel}", f"b/{rel}", n=3, lineterm=""))
        if not hunk_lines:
            continue
        added = sum(1 for line in hunk_lines[2:] if line.startswith("+"))
        removed = sum(1 for line in hunk_lines[2:] if line.startswith("-"))
        stats.append((rel, added, removed))
        body.append(f"diff --git a/{rel} b/{rel}")
        body.extend(hunk_lines)
    ported = ", ".join(item.change.id for item in result.changes)
    message = textwrap.fill(definition.description.replace("\n", " "), width=72)
    header = [
        f"From {ZERO_SHA} Mon Sep 17 00:00:00 2001",
        f"From: {definition.author}",
        f"Date: {definition.date}",
        f"Subject: [PATCH] {definition.subject}",
        "",
        message,
        "",
        f"Backported from sendmail {result.donor} ({donor_provenance}) onto {definition.base}"
        + "".join(f"; {item.change.id} from {item.donor_version}, which the donor predates" for item in result.changes if item.donor_version != result.donor),
        f"by smerrata {tool_version} from {definition.path.name} (sha256 {definition_sha256[:16]}).",
        f"Changes: {ported}.",
    ]
    if result.dropped:
        header.append(f"Not ported: {len(result.dropped)} donor line(s), see the backport report.")
    header += ["", f"Resolves: {definition.resolves}", "---", *_diffstat(stats), ""]
    return "\n".join(header + body) + "\n-- \nsmerrata " + tool_version + "\n"
