"""Property-based placement: hunks placed into shuffled, re-indented and padded contexts."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smerrata.backport.api import render
from smerrata.backport.ctext import normalize
from smerrata.backport.definition import load_definition
from smerrata.errors import BackportConflict

from .toyproject import BASE_SEND_C, write_toy

pytestmark = pytest.mark.timeout(240)
BASE_LINES = BASE_SEND_C.splitlines()
BODY_START = BASE_LINES.index("{")
DECLARATIONS = [i for i, line in enumerate(BASE_LINES) if i > BODY_START and re.match(r"^\t(int|bool|char) ", line)]


def port_with(send_c: str) -> tuple[str | None, str | None]:
    """(patched send.c, None) or (None, conflict message)."""
    with tempfile.TemporaryDirectory() as scratch:
        base, donor, definition = write_toy(Path(scratch))
        (base / "src/send.c").write_text(send_c)
        try:
            rendered = render(load_definition(definition), donor, base, "2.0", "toy 2.0", "toy 1.0")
        except BackportConflict as exc:
            return None, exc.message
        for rel in rendered.port.files:
            (base / rel).write_text(rendered.port.patched_text(rel))
        patched = rendered.port.patched_text("src/send.c")
        compiled = subprocess.run(
            ["gcc", "-std=gnu89", "-fsyntax-only", "-DCRYPTO=1", "-DEXTERN=extern", "-include", "src/helpers.h", "src/send.c"],
            cwd=base, capture_output=True, text=True, timeout=30, check=False,
        )
        assert compiled.returncode == 0, compiled.stderr
        return patched, None


def meaningful(text: str) -> list[str]:
    return [normalize(line) for line in text.splitlines() if line.strip()]


REFERENCE, _ = port_with(BASE_SEND_C)


def restyle_cpp(line: str, indent: bool) -> str:
    match = re.match(r"^#\s*(if|endif|else)\b(.*)$", line)
    if not match:
        return line
    return ("# " if indent else "#") + match.group(1) + match.group(2)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    blanks=st.lists(st.tuples(st.integers(0, len(BASE_LINES)), st.integers(1, 3)), max_size=6),
    cpp_indent=st.booleans(),
    trailing_space=st.booleans(),
)
def test_blank_lines_spacing_and_cpp_style_never_change_the_result(blanks: list[tuple[int, int]], cpp_indent: bool, trailing_space: bool) -> None:
    lines = [restyle_cpp(line, cpp_indent) + (" " if trailing_space and line.strip() and not line.startswith("#") else "") for line in BASE_LINES]
    for position, count in sorted(blanks, reverse=True):
        lines[position:position] = [""] * count
    patched, refused = port_with("\n".join(lines) + "\n")
    assert refused is None, refused
    assert REFERENCE is not None and patched is not None
    assert meaningful(patched) == meaningful(REFERENCE)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.permutations(DECLARATIONS),
    comments=st.lists(st.integers(0, len(BASE_LINES) - 1), max_size=4, unique=True),
)
def test_shuffled_and_padded_contexts_are_placed_right_or_refused(order: list[int], comments: list[int]) -> None:
    lines = list(BASE_LINES)
    originals = [BASE_LINES[i] for i in DECLARATIONS]
    for slot, source in zip(DECLARATIONS, order):
        lines[slot] = BASE_LINES[source]
    for position in sorted(comments, reverse=True):
        # A comment line between statements is legal C anywhere a statement may start.
        if lines[position].startswith(("\t", "#")) or not lines[position].strip():
            lines.insert(position, f"\t/* pad {position} */")
    patched, refused = port_with("\n".join(lines) + "\n")
    if refused is not None:
        assert "\n" not in refused and "cannot place" in refused or "uses" in refused
        return
    assert patched is not None
    text = patched.splitlines()
    index = {name: next(i for i, line in enumerate(text) if needle in line) for name, needle in {
        "env_flag": "usecrypt = !env_flag",
        "skip": "usecrypt = cstate == 0;",
        "start": "rc = start_crypt(conn);",
        "close": "close_conn(conn, env);",
        "arm": "if (RetryClear)",
        "quit": "quit_conn(conn);",
        "retry": "if (cstate == 1)",
        "declared": "int cstate;",
        "first_statement": "rc = 0;",
    }.items()}
    assert index["env_flag"] < index["skip"] < index["start"]
    assert index["close"] < index["arm"] < index["quit"] < index["retry"]
    assert index["declared"] < index["first_statement"]
    assert sum("++cstate;" in line for line in text) == 2
    assert sorted(originals) == sorted(BASE_LINES[i] for i in order)
