"""A failed compile is reported as file:line, and as the backport hunk that wrote that line."""

from __future__ import annotations

from pathlib import Path

import pytest

from smerrata.build.compile_gate import describe, first_compile_error, hunks_by_file

pytestmark = pytest.mark.timeout(30)

PATCH = """Subject: [PATCH] test

--- a/sendmail/readcf.c
+++ b/sendmail/readcf.c
@@ -10,3 +10,5 @@ setoption(opt, val)
 a
+b
+c
 d
@@ -100,2 +102,4 @@
 x
+y
+z
--- a/sendmail/deliver.c
+++ b/sendmail/deliver.c
@@ -5 +5,2 @@
 p
+q
"""

LOG = """cc -O2 -c -o readcf.o readcf.c
readcf.c: In function 'setoption':
readcf.c:104:3: error: 'TLSFallbacktoClear' undeclared (first use in this function)
readcf.c:900:1: error: later error
"""


def test_hunks_by_file() -> None:
    assert [(p, a, b) for p, a, b, _ in hunks_by_file(PATCH)] == [
        ("sendmail/readcf.c", 10, 14), ("sendmail/readcf.c", 102, 105), ("sendmail/deliver.c", 5, 6),
    ]


def test_first_error_is_located_in_its_hunk(tmp_path: Path) -> None:
    patch = tmp_path / "sendmail-8.15.2-tls-fallback-to-clear.patch"
    patch.write_text(PATCH)
    error = first_compile_error(LOG)
    assert error is not None and (error.file, error.line) == ("readcf.c", 104)
    text = describe(LOG, [patch])
    assert text.startswith("readcf.c:104: 'TLSFallbacktoClear' undeclared")
    assert "inside sendmail-8.15.2-tls-fallback-to-clear.patch hunk -100,2 +102,4 of sendmail/readcf.c" in text


def test_error_outside_any_hunk_is_only_file_line(tmp_path: Path) -> None:
    patch = tmp_path / "p.patch"
    patch.write_text(PATCH)
    log = "deliver.c:50:1: error: expected ';'\n"
    assert describe(log, [patch]) == "deliver.c:50: expected ';'"
    assert describe("all good\n", [patch]) == "no compiler error found in the log"
