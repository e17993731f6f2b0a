"""Compare ports of the same feature from different donors: the patched trees must agree."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .ctext import normalize
from .engine import PortResult


@dataclass(frozen=True)
class DonorDifference:
    file: str
    reference: str
    other: str
    diff: list[str]


def _meaningful(lines: list[str]) -> list[str]:
    # Blank lines and spacing are layout, not substance.
    return [normalize(line) for line in lines if line.strip()]


def compare_ports(reference: PortResult, others: list[PortResult]) -> list[DonorDifference]:
    differences: list[DonorDifference] = []
    for other in others:
        for rel in sorted(set(reference.files) | set(other.files)):
            left = _meaningful(reference.files.get(rel, ([], []))[1])
            right = _meaningful(other.files.get(rel, ([], []))[1])
            if left != right:
                diff = list(difflib.unified_diff(left, right, f"{rel} ({reference.donor})", f"{rel} ({other.donor})", n=1, lineterm=""))
                differences.append(DonorDifference(rel, reference.donor, other.donor, diff))
    return differences


def rules_unused_by_all(ports: list[PortResult]) -> list[str]:
    """Rule entries no donor had anything for: a typo or a stale rule."""
    if not ports:
        return []
    unused = set(ports[0].unused_rules)
    for port in ports[1:]:
        unused &= set(port.unused_rules)
    return sorted(unused)
