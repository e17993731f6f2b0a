"""All cells of scenarios x builds x modes, run in parallel, plus the parity verdict.

Cells run on a thread pool: each cell spends its time waiting on its own sendmail process and
its own peer (own port, own state directory), so threads overlap them well on 2 cores.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .builds import PATCHED, Build
from .cell import CellResult, run_cell
from .certs import make_certs
from .sandbox import check_host_tools
from .scenarios import Mode, Scenario

UPSTREAM_REFERENCE = "debian-8.17.1.9"
DEFAULT_JOBS = 8


@dataclass
class Parity:
    evaluated: bool
    holds: bool
    note: str
    mismatches: list[str] = field(default_factory=list)


@dataclass
class MatrixResult:
    cells: list[CellResult]
    builds: list[Build]
    scenarios: list[Scenario]
    modes: list[Mode]
    notes: list[str]
    seconds: float
    parity: Parity

    @property
    def failed(self) -> list[CellResult]:
        return [c for c in self.cells if not c.ok]

    @property
    def passed(self) -> bool:
        return not self.failed and (self.parity.holds or not self.parity.evaluated)


def parity(cells: list[CellResult], patched: str = PATCHED, reference: str = UPSTREAM_REFERENCE) -> Parity:
    """The patched 8.15.2 must give upstream's outcome on every scenario and mode."""
    by_key = {(c.build, c.scenario, c.mode): c for c in cells}
    pairs = [(c, by_key.get((reference, c.scenario, c.mode))) for c in cells if c.build == patched]
    if not pairs:
        return Parity(False, False, f"not evaluated: {patched} is not in the matrix")
    if any(ref is None for _, ref in pairs):
        return Parity(False, False, f"not evaluated: {reference} is not in the matrix")
    mismatches = [f"{c.scenario}/{c.mode}: {patched} {c.outcome}, {reference} {ref.outcome}" for c, ref in pairs if ref and c.outcome != ref.outcome]
    holds = not mismatches
    return Parity(True, holds, f"{patched} {'matches' if holds else 'differs from'} {reference} on {len(pairs) - len(mismatches)}/{len(pairs)} cells", mismatches)


def run_matrix(
    builds: list[Build], scenarios: list[Scenario], modes: list[Mode], out_dir: Path, *,
    jobs: int = DEFAULT_JOBS, notes: list[str] | None = None, on_cell: Callable[[CellResult], None] | None = None,
) -> MatrixResult:
    check_host_tools()
    out_dir.mkdir(parents=True, exist_ok=True)
    certs = make_certs(out_dir / "certs")
    started = time.monotonic()
    work = [(s, b, m) for b in builds for s in scenarios for m in modes]
    cells: list[CellResult] = []
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(work) or 1)), thread_name_prefix="qa-cell") as pool:
        futures = [pool.submit(run_cell, s, b, m, certs, out_dir) for s, b, m in work]
        for future in as_completed(futures):
            cell = future.result()
            cells.append(cell)
            if on_cell:
                on_cell(cell)
    order = {(b.name, s.name, m.value): i for i, (s, b, m) in enumerate(work)}
    cells.sort(key=lambda c: order[(c.build, c.scenario, c.mode)])
    seconds = round(time.monotonic() - started, 2)
    return MatrixResult(cells, builds, scenarios, modes, list(notes or []), seconds, parity(cells))


def default_jobs() -> int:
    return max(4, min(DEFAULT_JOBS, 4 * (os.cpu_count() or 1)))
