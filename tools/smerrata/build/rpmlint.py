"""rpmlint over the SRPM and RPMs (or a spec file) with the committed sendmail.rpmlintrc.

rpmlint's last line is a summary "N packages and M specfiles checked; E errors, W warnings";
its counts go into the build report, and errors fail the build (exit LINT).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import HostToolsMissing

_SUMMARY = re.compile(r"(\d+) errors?, (\d+) warnings?")
_BADNESS = re.compile(r"(\d+) badness")


@dataclass(frozen=True)
class LintResult:
    errors: int
    warnings: int
    returncode: int
    output: str
    command: list[str]

    @property
    def ok(self) -> bool:
        return self.errors == 0 and self.returncode in (0, 64, 66) and _SUMMARY.search(self.output) is not None

    def error_lines(self) -> list[str]:
        return [line for line in self.output.splitlines() if ": E: " in line and "unused-rpmlintrc-filter" not in line]


def rpmlint_executable() -> str:
    """rpmlint from this Python's environment (the pinned `lint` extra), else PATH."""
    beside = Path(sys.executable).with_name("rpmlint")
    if beside.is_file():
        return str(beside)
    found = shutil.which("rpmlint")
    if found is None:
        raise HostToolsMissing("rpmlint: not installed; install the lint extra (pip install -e '.[lint]') or run through tox")
    return found


def run_rpmlint(paths: list[Path], rpmlintrc: Path, log: Path | None = None, partial: bool = False) -> LintResult:
    """partial: only some of the packages (e.g. the SRPM alone), so filters written for the
    others are expected to go unused; those notices are not counted as errors."""
    command = [rpmlint_executable(), "--rpmlintrc", str(rpmlintrc), *map(str, paths)]
    proc = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    output = proc.stdout + proc.stderr
    if log is not None:
        log.write_text("+ " + " ".join(command) + "\n" + output)
    match = _SUMMARY.search(output)
    errors, warnings = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    if partial and match:
        errors -= sum(1 for line in output.splitlines() if ": E: unused-rpmlintrc-filter " in line)
    return LintResult(errors, warnings, proc.returncode, output, command)


def lint_spec(spec: Path, workdir: Path) -> LintResult:
    """rpmlint on the spec file alone, with no filters: the committed ones are written for the
    built packages (rpmlint would report each as unused here), and the spec needs none."""
    empty = workdir / "no-filters.rpmlintrc"
    empty.write_text("# no filters for the spec file itself\n")
    return run_rpmlint([spec], empty, workdir / "rpmlint-spec.log")
