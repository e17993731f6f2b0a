"""Find where a piece goes in the base: exact context, relaxed context, declared anchor, or a
resolution a maintainer recorded. Two equally good sites are a conflict, never a guess."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..errors import BackportConflict
from .ctext import cpp_directive, is_blank, normalize
from .definition import Anchor

CONTEXT_LINES = 4
MIN_RELAXED_SCORE = 2


@dataclass(frozen=True)
class Placement:
    position: int  # insert before this base line index
    strategy: str  # "exact context" | "relaxed context" | "anchor" | "resolution"
    detail: str
    candidates: list[int] = field(default_factory=list)


_COMMENT_ONLY = re.compile(r"^\s*/\*.*\*/\s*$")
_GENERIC = re.compile(r"^(?:[{}();]*|else|break;|continue;|default:|return;)$")


def _distinctive(text: str) -> bool:
    """A line that says where it is: not a lone brace, `else` or `break;`."""
    return _GENERIC.match(text) is None


def _relaxed_skip(line: str, skip: re.Pattern[str] | None) -> bool:
    if _COMMENT_ONLY.match(line):
        return True  # a comment line moves nothing; it must not break the context
    directive = cpp_directive(line)
    if directive and directive[0] in ("if", "ifdef", "ifndef", "else", "elif", "endif"):
        return True
    return skip is not None and skip.search(line) is not None


def _significant(lines: list[str], indices: range, relaxed: bool, skip: re.Pattern[str] | None) -> list[str]:
    out = []
    for index in indices:
        line = lines[index]
        if is_blank(line) or (relaxed and _relaxed_skip(line, skip)):
            continue
        out.append(normalize(line) if relaxed else line.rstrip())
        if len(out) == CONTEXT_LINES:
            break
    return out


def _agree(donor: list[str], base: list[str]) -> int:
    count = 0
    for left, right in zip(donor, base):
        if left != right:
            break
        count += 1
    return count


_SCOPE_TEXTS: dict[tuple[int, int, int, bool], tuple[list[str], list[int], list[str], dict[str, list[int]]]] = {}


def _scope_texts(base: list[str], scope: tuple[int, int], relaxed: bool) -> tuple[list[int], list[str], dict[str, list[int]]]:
    """The base's significant lines in a scope (indices, texts, text -> positions), once per file."""
    key = (id(base), scope[0], scope[1], relaxed)
    cached = _SCOPE_TEXTS.get(key)
    if cached is not None and cached[0] is base:
        return cached[1], cached[2], cached[3]
    kept = [i for i in range(scope[0], scope[1] + 1) if not is_blank(base[i]) and not (relaxed and _relaxed_skip(base[i], None))]
    texts = [normalize(base[i]) if relaxed else base[i].rstrip() for i in kept]
    where: dict[str, list[int]] = {}
    for slot, text in enumerate(texts):
        where.setdefault(text, []).append(slot)
    _SCOPE_TEXTS[key] = (base, kept, texts, where)
    return kept, texts, where


def by_context(
    donor: list[str], span: tuple[int, int], base: list[str], scope: tuple[int, int], feature_lines: re.Pattern[str] | None
) -> tuple[Placement | None, list[int], str]:
    """Returns (placement, ambiguous_candidates, why_not)."""
    start, end = span
    for relaxed in (False, True):
        want_before = _significant(donor, range(start - 1, -1, -1), relaxed, feature_lines)
        want_after = _significant(donor, range(end + 1, len(donor)), relaxed, feature_lines)
        kept, texts, where = _scope_texts(base, scope, relaxed)
        # Only a site next to a line equal to the nearest context line can score at all.
        splits: set[int] = set()
        if want_before:
            splits.update(slot + 1 for slot in where.get(want_before[0], []))
        if want_after:
            splits.update(where.get(want_after[0], []))
        scored: list[tuple[int, int, int]] = []
        for split in sorted(splits):
            # The site right after the significant line before it (blank runs are one site).
            position = kept[split - 1] + 1 if split > 0 else scope[0] + 1
            have_before = texts[max(0, split - CONTEXT_LINES):split][::-1]
            have_after = texts[split:split + CONTEXT_LINES]
            before = _agree(want_before, have_before)
            after = _agree(want_after, have_after)
            scored.append((before + after, before, position))
        if not relaxed:
            full = [p for total, b, p in scored if b == len(want_before) and total - b == len(want_after) and want_before and want_after]
            if len(full) == 1:
                return Placement(full[0], "exact context", f"{len(want_before)} lines before and {len(want_after)} after match exactly"), [], ""
            if len(full) > 1:
                return None, full, "exact context matches more than one site"
            continue
        # A site whose only agreement is braces and `else` is not evidence of anything.
        scored = [
            (total, b, p) for total, b, p in scored
            if any(_distinctive(t) for t in (*want_before[:b], *want_after[:total - b]))
        ]
        best = max((total for total, _, _ in scored), default=0)
        if best < MIN_RELAXED_SCORE:
            return None, [], f"no site shares {MIN_RELAXED_SCORE}+ context lines (best {best})"
        winners = [(b, p) for total, b, p in scored if total == best]
        if len(winners) > 1:
            return None, [p for _, p in winners], f"relaxed context scores {best} at {len(winners)} sites"
        before, position = winners[0]
        return (
            Placement(position, "relaxed context", f"{before}/{len(want_before)} lines before and {best - before}/{len(want_after)} after match after normalising whitespace and #if/#endif style"),
            [],
            "",
        )
    return None, [], "no context"


def by_anchor(base: list[str], scope: tuple[int, int], anchor: Anchor, strategy: str = "anchor") -> tuple[Placement | None, list[int]]:
    first, last = scope
    if anchor.before_label:
        pattern = re.compile(rf"^\s*{re.escape(anchor.before_label)}:\s*$")
    else:
        pattern = re.compile(anchor.after or anchor.before or "")
    hits = [index for index in range(first, last + 1) if pattern.search(base[index])]
    if len(hits) != 1:
        return None, hits
    hit = hits[0]
    if anchor.after:
        position = hit + 1
    else:
        position = hit
        while position - 1 > first and is_blank(base[position - 1]):
            position -= 1
    return Placement(position, strategy, anchor.describe()), []


def conflict(change_id: str, file: str, donor_lines: tuple[int, int], why: str, candidates: list[int], base: list[str]) -> BackportConflict:
    shown = ", ".join(f"line {c + 1} (after `{base[c - 1].strip()[:40]}`)" for c in candidates[:5]) if candidates else "none"
    return BackportConflict(
        f"{file}: cannot place change {change_id} (donor lines {donor_lines[0] + 1}-{donor_lines[1] + 1}): {why}; candidate sites: {shown}; "
        f"record a placement in patches/<feature>.resolutions.toml ([[resolution]] change = \"{change_id}\", anchor = {{ after = '...' }})"
    )
