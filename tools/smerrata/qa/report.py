"""The matrix as JSON (machines), Markdown (people: one table, links to evidence) and JUnit XML (CI)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from .cell import CellResult
from .matrix import MatrixResult
from .scenarios import Outcome

BUG = "https://bugzilla.redhat.com/show_bug.cgi?id=1868041"


def as_json(result: MatrixResult) -> dict[str, Any]:
    return {
        "bug": BUG,
        "seconds": result.seconds,
        "passed": result.passed,
        "cells_total": len(result.cells),
        "cells_failed": len(result.failed),
        "notes": result.notes,
        "parity_holds": result.parity_holds,
        "parity": [{"subject": p.subject, "reference": p.reference, "holds": p.holds, "note": p.note,
                    "mismatches": p.mismatches} for p in result.parity],
        "builds": [{"name": b.name, "role": b.role, "version": b.version, "knows_option": b.knows_option,
                    "provenance": b.provenance, "ld_library_path": [str(p) for p in b.lib_path]} for b in result.builds],
        "scenarios": [{"name": s.name, "title": s.title, "expect_off": s.expect_off.value, "expect_on": s.expect_on.value,
                       "access": list(s.access)} for s in result.scenarios],
        "fallback_seconds": fallback_times(result.cells),
        "cells": [{k: v for k, v in c.as_dict().items() if k != "log_lines"} for c in result.cells],
    }


def fallback_times(cells: list[CellResult]) -> dict[str, dict[str, float]]:
    """scenario -> "build/mode" -> seconds from the first connection to the message in clear."""
    times: dict[str, dict[str, float]] = {}
    for c in cells:
        if c.fallback_seconds is not None:
            times.setdefault(c.scenario, {})[f"{c.build}/{c.mode}"] = c.fallback_seconds
    return times


def _mark(cell: CellResult) -> str:
    sign = "ok" if cell.ok else "**FAIL**"
    text = cell.outcome if cell.ok else f"{cell.outcome} (want {cell.expected})"
    return f"[{sign} {text}]({cell.evidence}/)"


def as_markdown(result: MatrixResult) -> str:
    by_key = {(c.scenario, c.build, c.mode): c for c in result.cells}
    columns = [(b.name, m.value) for b in result.builds for m in result.modes]
    verdict = "PASS" if result.passed else "FAIL"
    lines = [
        f"# QA matrix: TLSFallbacktoClear ([rhbz#1868041]({BUG}))",
        "",
        f"**{verdict}**: {len(result.cells) - len(result.failed)}/{len(result.cells)} cells meet their expectation "
        f"in {result.seconds} s.",
        "",
    ]
    if not result.parity:
        lines.append(f"- parity: {result.parity_summary()}")
    for check in result.parity:
        lines.append(f"- parity {'holds' if check.holds else '**FAILS**'}: {check.note}")
        lines += [f"  - mismatch: {mismatch}" for mismatch in check.mismatches]
    for note in result.notes:
        lines.append(f"- note: {note}")
    lines += ["", "Builds: " + "; ".join(f"`{b.name}` ({b.role}, {b.version})" for b in result.builds), ""]
    lines.append("| scenario | " + " | ".join(f"{b} {m}" for b, m in columns) + " |")
    lines.append("|---" * (len(columns) + 1) + "|")
    for s in result.scenarios:
        row = [by_key.get((s.name, b, m)) for b, m in columns]
        lines.append(f"| {s.name} | " + " | ".join(_mark(c) if c else "-" for c in row) + " |")
    lines += ["", "Outcomes: " + ", ".join(o.value for o in Outcome) + ". Each link opens the cell's evidence "
              "(peer.json: what the peer saw per connection; syslog.txt; queue.out: `sendmail -bp`; client.mc/.cf).", ""]
    times = fallback_times(result.cells)
    if times:
        lines += ["## Fallback: first connection to message received in clear (s)", "", "| scenario | " +
                  " | ".join(sorted({k for t in times.values() for k in t})) + " |"]
        keys = sorted({k for t in times.values() for k in t})
        lines.append("|---" * (len(keys) + 1) + "|")
        for scenario, per in times.items():
            lines.append(f"| {scenario} | " + " | ".join(f"{per[k]:.3f}" if k in per else "-" for k in keys) + " |")
        lines.append("")
    lines += ["## Scenarios", ""]
    for s in result.scenarios:
        lines.append(f"- `{s.name}`: {s.title}; expected off `{s.expect_off.value}`, on `{s.expect_on.value}`")
    return "\n".join(lines) + "\n"


def as_junit(result: MatrixResult) -> bytes:
    suite = ET.Element("testsuite", name="smerrata-qa", tests=str(len(result.cells)),
                       failures=str(len(result.failed)), time=f"{result.seconds:.2f}")
    for c in result.cells:
        case = ET.SubElement(suite, "testcase", classname=f"qa.{c.build}", name=f"{c.scenario}[{c.mode}]", time=f"{c.seconds:.3f}")
        if not c.ok:
            failure = ET.SubElement(case, "failure", message=f"expected {c.expected}, got {c.outcome}")
            failure.text = f"{c.detail}\nevidence: {c.evidence}"
        out = ET.SubElement(case, "system-out")
        out.text = c.detail
    for check in result.parity:
        case = ET.SubElement(suite, "testcase", classname="qa.parity", name=f"{check.subject}-vs-{check.reference}", time="0")
        if not check.holds:
            ET.SubElement(case, "failure", message=check.note).text = "\n".join(check.mismatches)
    suite.set("tests", str(len(result.cells) + len(result.parity)))
    suite.set("failures", str(len(result.failed) + sum(not p.holds for p in result.parity)))
    return ET.tostring(ET.ElementTree(suite).getroot(), encoding="utf-8", xml_declaration=True)


def write_reports(result: MatrixResult, out_dir: Path) -> dict[str, Path]:
    paths = {"json": out_dir / "report.json", "markdown": out_dir / "report.md", "junit": out_dir / "junit.xml"}
    paths["json"].write_text(json.dumps(as_json(result), indent=2) + "\n")
    paths["markdown"].write_text(as_markdown(result))
    paths["junit"].write_bytes(as_junit(result))
    return paths
