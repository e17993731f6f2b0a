"""The engine on real sendmail releases.

Debian's archive carries 8.17.1.9 and 8.18.2, so extraction from both donors runs everywhere (CI
included). Porting onto 8.15.2 needs its sources from a configured provider and skips otherwise.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from smerrata.backport.api import DEFAULT_DEFINITION, render
from smerrata.backport.compare import compare_ports
from smerrata.backport.ctext import normalize
from smerrata.backport.definition import load_definition
from smerrata.backport.engine import Porter
from smerrata.cli import main
from smerrata.context import Context
from smerrata.errors import BackportConflict, ExitCode, SourceNotFound

pytestmark = [pytest.mark.timeout(300), pytest.mark.slow]
DOC_CHANGES = {"doc-op-option", "doc-op-verify-clear", "doc-cf-readme"}


def donor_tree(ctx: Context, version: str) -> Path:
    try:
        return ctx.chain.release_tree(version)
    except SourceNotFound as exc:
        pytest.skip(f"needs sendmail {version} from Debian's archive (through apt), unreachable here: {exc.message[:200]}")


@pytest.fixture(scope="module")
def definition(repo_root: Path):  # type: ignore[no-untyped-def]
    return load_definition(repo_root / DEFAULT_DEFINITION)


def test_debian_donors_yield_the_same_adapted_feature(ctx: Context, definition) -> None:  # type: ignore[no-untyped-def]
    pieces = {}
    unused = []
    for version in ("8.17.1.9", "8.18.2"):
        tree = donor_tree(ctx, version)
        # extract_all also runs the coverage check: every feature line is ported or dropped.
        porter = Porter(definition, tree, tree, version)
        pieces[version] = porter.extract_all()
        unused.append(set(porter.unused_rules()))
    assert not (unused[0] & unused[1]), f"rules no Debian donor needs: {unused[0] & unused[1]}"
    older, newer = pieces["8.17.1.9"], pieces["8.18.2"]
    assert set(older) == {change.id for change in definition.changes}
    for change_id in older:
        left = [normalize(line) for line in older[change_id] if line.strip()]
        right = [normalize(line) for line in newer[change_id] if line.strip()]
        if change_id in DOC_CHANGES:
            # Upstream rewrapped and reworded its documentation between releases: same entry, same name.
            assert left[0].split()[:2] == right[0].split()[:2], change_id
            continue
        assert left == right, f"{change_id}: 8.17.1.9 and 8.18.2 differ after the rules"
    everything = "\n".join(line for piece in newer.values() for line in piece)
    for gone in ("DANE", "SM_TLSI_IS", "_FFR_MTA_STS", "SM_CLOSE_FP", "mci_tlsi"):
        assert gone not in everything, f"{gone} survived the rules"
    assert [normalize(line) for line in newer["deliver-count-handshake-failure"]] == ["if (TLSFallbacktoClear)", "{", "++tlsstate;", "}"]


def test_an_unknown_donor_line_is_refused_on_a_real_donor(ctx: Context, definition, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = donor_tree(ctx, "8.18.2")
    copy = tmp_path / "donor"
    shutil.copytree(tree / "sendmail", copy / "sendmail")
    for rel in definition.coverage_files:
        if (tree / rel).is_file() and not (copy / rel).exists():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(tree / rel, copy / rel)
    readcf = copy / "sendmail/readcf.c"
    readcf.write_text(readcf.read_text(encoding="latin-1") + "\n/* TLSFallbacktoClear also here */\n", encoding="latin-1")
    with pytest.raises(BackportConflict, match=r"sendmail/readcf\.c:\d+"):
        Porter(definition, copy, copy, "8.18.2").extract_all()


# -- onto 8.15.2 (skips without a configured 8.15.2 source) --------------------------------------


@pytest.fixture(scope="module")
def ports(ctx: Context, definition):  # type: ignore[no-untyped-def]
    try:
        base = ctx.chain.release_tree("8.15.2")
    except SourceNotFound as exc:
        pytest.skip(f"needs sendmail 8.15.2 sources (set SMERRATA_GIT_MIRROR or SMERRATA_LOOKASIDE): {exc.message[:200]}")
    results = {}
    for version in definition.donors:
        try:
            results[version] = render(definition, ctx.chain.release_tree(version), base, version, version, "8.15.2", ctx.chain.release_tree)
        except SourceNotFound as exc:
            pytest.skip(f"needs sendmail {version} sources (set SMERRATA_GIT_MIRROR): {exc.message[:200]}")
    return base, results


@pytest.mark.needs_sources
def test_three_donors_give_the_same_patched_8_15_2_code(ports) -> None:  # type: ignore[no-untyped-def]
    _, results = ports
    reference = results["8.16.1"].port
    differences = compare_ports(reference, [results[v].port for v in ("8.17.1.9", "8.18.2")])
    assert {d.file for d in differences} <= {"doc/op/op.me"}, [d.diff for d in differences]


@pytest.mark.needs_sources
def test_the_patch_applies_cleanly_to_8_15_2(ports, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, results = ports
    rendered = results["8.16.1"]
    (tmp_path / "p.patch").write_text(rendered.patch, encoding="latin-1")
    tree = tmp_path / "tree"
    shutil.copytree(base, tree, symlinks=True)
    applied = subprocess.run(["patch", "-p1", "--no-backup-if-mismatch", "-i", str(tmp_path / "p.patch")], cwd=tree, capture_output=True, text=True, timeout=60)
    assert applied.returncode == 0, applied.stdout
    assert "fuzz" not in applied.stdout and "offset" not in applied.stdout
    strategies = {c["id"]: c["placement"]["strategy"] for c in rendered.report["changes"]}  # type: ignore[index]
    assert strategies["deliver-verify-clear"] == "replace"
    assert "already present" not in strategies.values()


@pytest.mark.needs_sources
def test_renamed_label_in_the_base_is_a_conflict_with_no_artifacts(ports, repo_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    base, _ = ports
    broken = tmp_path / "broken"
    shutil.copytree(base, broken, symlinks=True)
    deliver = broken / "sendmail/deliver.c"
    deliver.write_text(deliver.read_text(encoding="latin-1").replace("one_last_try", "last_attempt"), encoding="latin-1")
    out = tmp_path / "out"
    code = main(["backport", "--base-tree", str(broken), "--out", str(out)])
    assert code == ExitCode.CONFLICT
    err = capsys.readouterr().err
    assert "sendmail/deliver.c" in err and "one_last_try" in err
    assert not out.exists()
