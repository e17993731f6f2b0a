"""QA matrix wall time and per-scenario time, through the matrix API (qa/matrix.py)."""

from __future__ import annotations

import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..context import Context
from ..qa.builds import resolve_builds
from ..qa.matrix import default_jobs, run_matrix
from ..qa.scenarios import CATALOGUE, Mode


@dataclass(frozen=True)
class MatrixTiming:
    builds: list[str]
    cells: int
    jobs: int
    wall_s: float
    cell_seconds_sum: float
    per_scenario_median_s: dict[str, float]
    per_scenario_max_s: dict[str, float]
    failed: int
    notes: list[str]

    @property
    def name(self) -> str:
        return "QA matrix"

    @property
    def parallel_speedup(self) -> float:
        """Sum of the cells' own times over the wall time: what running cells at once buys."""
        return self.cell_seconds_sum / self.wall_s if self.wall_s else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name, "builds": self.builds, "cells": self.cells, "jobs": self.jobs,
            "wall_s": self.wall_s, "cell_seconds_sum": round(self.cell_seconds_sum, 2),
            "parallel_speedup": round(self.parallel_speedup, 2), "failed_cells": self.failed,
            "per_scenario_median_s": self.per_scenario_median_s, "per_scenario_max_s": self.per_scenario_max_s,
            "notes": self.notes,
        }


def bench_qa(ctx: Context, results: Path, jobs: int | None = None) -> MatrixTiming:
    builds, notes = resolve_builds(ctx, None, results)
    jobs = jobs or default_jobs()
    with tempfile.TemporaryDirectory(prefix="smerrata-bench-qa-") as name:
        result = run_matrix(builds, list(CATALOGUE), list(Mode), Path(name), jobs=jobs, notes=notes)
    by_scenario: dict[str, list[float]] = {}
    for cell in result.cells:
        by_scenario.setdefault(cell.scenario, []).append(cell.seconds)
    return MatrixTiming(
        builds=[b.name for b in builds], cells=len(result.cells), jobs=jobs, wall_s=result.seconds,
        cell_seconds_sum=sum(c.seconds for c in result.cells),
        per_scenario_median_s={k: round(statistics.median(v), 2) for k, v in by_scenario.items()},
        per_scenario_max_s={k: round(max(v), 2) for k, v in by_scenario.items()},
        failed=len(result.failed), notes=notes,
    )
