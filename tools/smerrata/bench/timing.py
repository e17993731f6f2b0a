"""Interleaved repetitions and medians."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Comparison:
    name: str
    subject: str
    baseline: str
    subject_seconds: list[float]
    baseline_seconds: list[float]

    @property
    def subject_median(self) -> float:
        return statistics.median(self.subject_seconds)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline_seconds)

    @property
    def ratio(self) -> float:
        """Median of the per-pair ratios: each pair ran back to back, so load drifts cancel."""
        return statistics.median(s / b for s, b in zip(self.subject_seconds, self.baseline_seconds))

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "subject": self.subject,
            "baseline": self.baseline,
            "runs": len(self.subject_seconds),
            "subject_median_s": round(self.subject_median, 3),
            "baseline_median_s": round(self.baseline_median, 3),
            "ratio_median": round(self.ratio, 3),
            "subject_s": [round(v, 3) for v in self.subject_seconds],
            "baseline_s": [round(v, 3) for v in self.baseline_seconds],
        }


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def interleaved(name: str, subject: tuple[str, Callable[[], object]], baseline: tuple[str, Callable[[], object]], runs: int) -> Comparison:
    subject_times: list[float] = []
    baseline_times: list[float] = []
    for index in range(runs):
        # Alternate which goes first so neither always gets the warmer cache.
        if index % 2:
            baseline_times.append(timed(baseline[1]))
            subject_times.append(timed(subject[1]))
        else:
            subject_times.append(timed(subject[1]))
            baseline_times.append(timed(baseline[1]))
    return Comparison(name, subject[0], baseline[0], subject_times, baseline_times)
