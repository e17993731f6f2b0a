"""The tmt metadata parses with the fmf library and wires the plan to the QA tests and the bug."""

from __future__ import annotations

from pathlib import Path

import fmf
import pytest

pytestmark = pytest.mark.timeout(30)


def test_tmt_plan_runs_the_qa_tests_locally(repo_root: Path) -> None:
    tree = fmf.Tree(str(repo_root))
    plan = tree.find("/plans/qa")
    assert plan is not None, "plans/qa.fmf is missing"
    assert plan.get("provision") == {"how": "local"}
    assert plan.get("discover")["how"] == "fmf"
    assert plan.get("execute")["how"] == "tmt"

    wanted = plan.get("discover")["filter"].split(":", 1)[1].strip()
    tests = [node for node in tree.prune(keys=["test"]) if wanted in (node.get("tag") or [])]
    assert [t.name for t in tests] == ["/tests/qa"]
    [test] = tests
    assert {"verifies": "https://bugzilla.redhat.com/show_bug.cgi?id=1868041"} in test.get("link")
    assert "-m qa tests/qa" in test.get("test")
    assert (repo_root / "tests" / "qa").is_dir()


def test_fmf_tree_has_a_version(repo_root: Path) -> None:
    assert (repo_root / ".fmf" / "version").read_text().strip() == "1"
