"""All cells of scenarios x builds x modes, run in parallel, plus the parity verdicts.

Parity compares builds cell by cell: the patched 8.15.2 against every upstream build in the
matrix (it must behave as upstream does), and the unpatched builds against each other (the
8.15.2 built here without the backport must behave as Debian's 8.15.2 binary).

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

from .builds import Build
from .cell import CellResult, run_cell
from .certs import make_certs
from .sandbox import check_host_tools
from .scenarios import Mode, Scenario

DEFAULT_JOBS = 8


@dataclass
class Parity:
    subject: str
    reference: str
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
    parity: list[Parity]

    @property
    def failed(self) -> list[CellResult]:
        return [c for c in self.cells if not c.ok]

    @property
    def parity_holds(self) -> bool:
        return all(p.holds for p in self.parity)

    @property
    def passed(self) -> bool:
        return not self.failed and self.parity_holds

    def parity_summary(self) -> str:
        if not self.parity:
            return "not evaluated (needs the patched build with an upstream build, or two unpatched builds)"
        return "; ".join(p.note for p in self.parity)


def compare(cells: list[CellResult], subject: str, reference: str) -> Parity:
    """subject must give reference's outcome on every (scenario, mode) both ran."""
    by_key = {(c.build, c.scenario, c.mode): c for c in cells}
    pairs = [(c, by_key[(reference, c.scenario, c.mode)]) for c in cells
             if c.build == subject and (reference, c.scenario, c.mode) in by_key]
    mismatches = [f"{c.scenario}/{c.mode}: {subject} {c.outcome}, {reference} {ref.outcome}" for c, ref in pairs if c.outcome != ref.outcome]
    holds = not mismatches
    if holds:
        note = f"{subject} matches {reference} on {len(pairs)}/{len(pairs)} cells"
    else:
        note = f"{subject} differs from {reference} on {len(mismatches)}/{len(pairs)} cells"
    return Parity(subject, reference, holds, note, mismatches)


def parity_pairs(builds: list[Build]) -> list[tuple[str, str]]:
    """(subject, reference): patched vs each upstream build; each unpatched build vs the last
    one, which in the usual order (builds.ALL_BUILDS) is Debian's binary, the longer-standing one."""
    patched = [b.name for b in builds if b.role == "patched"]
    upstream = [b.name for b in builds if b.role == "upstream"]
    unpatched = [b.name for b in builds if b.role == "unpatched"]
    pairs = [(p, u) for p in patched for u in upstream]
    pairs += [(other, unpatched[-1]) for other in unpatched[:-1]]
    return pairs


def parity(cells: list[CellResult], builds: list[Build]) -> list[Parity]:
    return [compare(cells, subject, reference) for subject, reference in parity_pairs(builds)]


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
    try:
        with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(work) or 1)), thread_name_prefix="qa-cell") as pool:
            futures = [pool.submit(run_cell, s, b, m, certs, out_dir) for s, b, m in work]
            for future in as_completed(futures):
                cell = future.result()
                cells.append(cell)
                if on_cell:
                    on_cell(cell)
    finally:
        # The reports become CI artifacts: keep the test CA and certificates, not private keys.
        for secret in (certs.client_key, certs.server_chain, certs.expired_chain):
            secret.unlink(missing_ok=True)
    order = {(b.name, s.name, m.value): i for i, (s, b, m) in enumerate(work)}
    cells.sort(key=lambda c: order[(c.build, c.scenario, c.mode)])
    seconds = round(time.monotonic() - started, 2)
    return MatrixResult(cells, builds, scenarios, modes, list(notes or []), seconds, parity(cells, builds))


def default_jobs() -> int:
    return max(4, min(DEFAULT_JOBS, 4 * (os.cpu_count() or 1)))
