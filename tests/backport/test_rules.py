"""The adaptation rules on their own: condition simplification, conditional groups, cpp style."""

from __future__ import annotations

import pytest

from smerrata.backport import rules as R
from smerrata.errors import BackportConflict


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("(A || F(x)) && !F(y)", "if (A)"),
        ("A && !F(&(m->t), FL)", "if (A)"),
        ("(A || F(x)) && B != C", "if (A && B != C)"),
        ("!F(x) && (A || B)", "if (A || B)"),
        ("(A && F(x)) || B", "if (B)"),
        ("A || (B && !F(z))", "if (A || B)"),
        ("!(F(x) || A)", "if (!A)"),
    ],
)
def test_calls_taken_as_false_simplify_the_condition(condition: str, expected: str) -> None:
    lines = [f"\tif ({condition})", "\t{", "\t\tx++;", "\t}"]
    out, applied = R.assume_false(lines, ("F",))
    assert out[0] == "\t" + expected
    assert out[1:] == lines[1:]
    assert applied and applied[0].rule == "assume_false_calls"


def test_condition_spread_over_lines_is_joined() -> None:
    lines = ["\t\tif ((Opt ||", "\t\t     F(&(c->t),", "\t\t\tFL)) &&", "\t\t    !F(&(c->t), NO))", "\t\t{", "\t\t\t++s;", "\t\t}"]
    out, _ = R.assume_false(lines, ("F",))
    assert out == ["\t\tif (Opt)", "\t\t{", "\t\t\t++s;", "\t\t}"]


def test_condition_that_becomes_false_removes_the_statement() -> None:
    lines = ["\tif (F(x) && A)", "\t{", "\t\tx++;", "\t}", "\ty = 1;"]
    out, applied = R.assume_false(lines, ("F",))
    assert out == ["\ty = 1;"]
    assert "removed" in applied[0].detail


def test_condition_that_becomes_true_needs_a_maintainer() -> None:
    with pytest.raises(BackportConflict, match="always true"):
        R.assume_false(["\tif (!F(x))", "\t\tx++;"], ("F",))


def test_lines_without_the_calls_are_untouched() -> None:
    lines = ["\tif (a == b)", "\t\tF2(x);"]
    assert R.assume_false(lines, ("F",)) == (lines, [])


def test_conditional_groups_are_dropped_and_else_branches_kept() -> None:
    lines = [
        "a;",
        "# if DANE",
        "dane();",
        "#  if NESTED",
        "nested();",
        "#  endif",
        "# else",
        "plain();",
        "# endif",
        "#if OTHER",
        "other();",
        "#endif",
    ]
    out, applied = R.drop_conditionals(lines, ("DANE",))
    assert out == ["a;", "plain();", "#if OTHER", "other();", "#endif"]
    assert len(applied) == 1


def test_statements_using_missing_helpers_are_dropped_whole() -> None:
    lines = ["\tSM_CLOSE_FP(mci->mci_out,", "\t\tx);", "\tkeep();"]
    out, applied = R.drop_statements(lines, (r"^\s*SM_CLOSE_FP\(",))
    assert out == ["\tkeep();"]
    assert "2 lines" in applied[0].detail


@pytest.mark.parametrize(("depth", "opening", "closing"), [(0, "#if X", "#endif"), (1, "# if X", "# endif"), (2, "#  if X", "#  endif")])
def test_preprocessor_lines_follow_the_base_depth(depth: int, opening: str, closing: str) -> None:
    out, _ = R.reindent_cpp(["#if X", "\tx = 1;", "#endif /* X */"], depth)
    assert out[0] == opening
    assert out[2].startswith(closing)
