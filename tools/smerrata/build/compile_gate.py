"""When the compile fails, say where: file:line of the first compiler error and, when that
line was written by a patch hunk (the backport above all), which hunk."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_ERROR = re.compile(r"^(?P<file>[\w./+-]+\.[ch]):(?P<line>\d+)(?::\d+)?: (?:fatal )?error: (?P<text>.*)$", re.M)
_FILE = re.compile(r"^\+\+\+ b/(\S+)", re.M)
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@.*$", re.M)


@dataclass(frozen=True)
class CompileError:
    file: str
    line: int
    text: str


@dataclass(frozen=True)
class HunkHit:
    patch: str
    path: str
    header: str


def first_compile_error(log_text: str) -> CompileError | None:
    match = _ERROR.search(log_text)
    if match is None:
        return None
    return CompileError(match.group("file"), int(match.group("line")), match.group("text").strip())


def hunks_by_file(patch_text: str) -> list[tuple[str, int, int, str]]:
    """(path, first new line, last new line, hunk header) for every hunk of a unified diff."""
    result: list[tuple[str, int, int, str]] = []
    current: str | None = None
    for line in patch_text.splitlines():
        file_match = _FILE.match(line)
        if file_match:
            current = file_match.group(1)
            continue
        hunk_match = _HUNK.match(line)
        if hunk_match and current is not None:
            start = int(hunk_match.group(1))
            length = int(hunk_match.group(2)) if hunk_match.group(2) is not None else 1
            result.append((current, start, start + max(length, 1) - 1, line))
    return result


def locate(error: CompileError, patches: list[Path]) -> HunkHit | None:
    """The hunk (in the last patch that touches the file) whose new lines cover the error line.

    Compiler paths are relative to sendmail's obj.* directories (symlinks to the sources), so
    files are matched on their trailing path components."""
    for patch in reversed(patches):
        for path, first, last, header in hunks_by_file(patch.read_text(encoding="utf-8", errors="replace")):
            if (path == error.file or path.endswith("/" + error.file)) and first <= error.line <= last:
                return HunkHit(patch.name, path, header)
    return None


def describe(log_text: str, patches: list[Path]) -> str:
    error = first_compile_error(log_text)
    if error is None:
        return "no compiler error found in the log"
    where = f"{error.file}:{error.line}: {error.text}"
    hit = locate(error, patches)
    if hit is None:
        return where
    return f"{where} (inside {hit.patch} hunk {hit.header.split('@@')[1].strip()} of {hit.path})"
