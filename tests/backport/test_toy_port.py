"""The engine on a toy project that reproduces each kind of drift between sendmail releases."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from smerrata.backport.api import Rendered, render
from smerrata.backport.compare import rules_unused_by_all
from smerrata.backport.definition import load_definition
from smerrata.errors import BackportConflict, ConfigError

pytestmark = pytest.mark.timeout(60)


def port(toy: tuple[Path, Path, Path]) -> Rendered:
    base, donor, definition = toy
    return render(load_definition(definition), donor, base, "2.0", "toy 2.0", "toy 1.0")


def change(rendered: Rendered, change_id: str):  # type: ignore[no-untyped-def]
    return next(item for item in rendered.report["changes"] if item["id"] == change_id)  # type: ignore[index]


def write_patched(rendered: Rendered, tree: Path) -> None:
    for rel, (_, patched) in rendered.port.files.items():
        (tree / rel).write_text(rendered.port.patched_text(rel))


def compile_toy(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["gcc", "-std=gnu89", "-fsyntax-only", "-Werror=implicit-function-declaration", "-DCRYPTO=1", "-DEXTERN=extern",
         "-include", "src/helpers.h", "src/send.c"],
        cwd=tree, capture_output=True, text=True, timeout=30, check=False,
    )


def test_every_change_is_placed_and_the_result_compiles(toy: tuple[Path, Path, Path]) -> None:
    base = toy[0]
    assert compile_toy(base).returncode == 0, "the unpatched toy must compile"
    rendered = port(toy)
    write_patched(rendered, base)
    result = compile_toy(base)
    assert result.returncode == 0, result.stderr
    text = (base / "src/send.c").read_text()
    assert "usecrypt = cstate == 0;" in text
    assert "goto again;" in text
    assert "SESSION_FLAG" not in text and "PINNING" not in text and "SM_CLOSE_FP" not in text


def test_generated_patch_applies_with_patch_and_gives_the_same_tree(toy: tuple[Path, Path, Path], tmp_path: Path) -> None:
    base = toy[0]
    rendered = port(toy)
    fresh = tmp_path / "fresh"
    shutil.copytree(base, fresh)
    (tmp_path / "feature.patch").write_text(rendered.patch)
    applied = subprocess.run(["patch", "-p1", "--no-backup-if-mismatch", "-i", str(tmp_path / "feature.patch")], cwd=fresh, capture_output=True, text=True, timeout=30)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "offset" not in applied.stdout and "fuzz" not in applied.stdout
    for rel, (_, patched) in rendered.port.files.items():
        assert (fresh / rel).read_text() == rendered.port.patched_text(rel)


def test_report_names_each_placement_and_rule(toy: tuple[Path, Path, Path]) -> None:
    rendered = port(toy)
    rules = lambda cid: {r["rule"] for r in change(rendered, cid)["rules"]}  # noqa: E731
    assert change(rendered, "state-init")["placement"]["strategy"] == "anchor"
    assert change(rendered, "skip-on-retry")["placement"]["strategy"] == "relaxed context"
    assert change(rendered, "macro-clear")["placement"]["strategy"] == "replace"
    assert "braces_added" in rules("macro-clear")
    assert {"drop_conditionals", "assume_false_calls"} <= rules("count-failure")
    assert "relocate" in rules("global")
    assert "guard" in rules("state-variable")
    donor_lines = change(rendered, "retry")["donor"]["lines"]
    assert donor_lines[0] < donor_lines[1]
    simplified = [r["detail"] for r in change(rendered, "count-failure")["rules"] if r["rule"] == "assume_false_calls"][0]
    assert simplified.endswith("`if (RetryClear)`")


def test_generation_is_deterministic(toy: tuple[Path, Path, Path]) -> None:
    assert port(toy).patch == port(toy).patch


def test_preprocessor_lines_take_the_base_nesting_style(toy: tuple[Path, Path, Path]) -> None:
    base = toy[0]
    send = base / "src/send.c"
    # Wrap the whole function in a group: the base site is now one level deep.
    text = send.read_text().replace("int\nsend_one", "#if TOYMAIL\nint\nsend_one", 1) + "#endif /* TOYMAIL */\n"
    send.write_text(text)
    rendered = port(toy)
    patched = rendered.port.files["src/send.c"][1]
    assert "# if CRYPTO" in patched and "# endif" in patched
    assert "reindent_cpp" in {r["rule"] for r in change(rendered, "state-variable")["rules"]}


def test_renamed_label_is_a_conflict_naming_the_label(toy: tuple[Path, Path, Path]) -> None:
    send = toy[0] / "src/send.c"
    send.write_text(send.read_text().replace("  again:", "  retry_here:"))
    with pytest.raises(BackportConflict, match=r"src/send\.c \[retry\].*jumps to label again:.*rename = \{ again ="):
        port(toy)


def test_a_declared_rename_ports_onto_the_renamed_label(toy: tuple[Path, Path, Path]) -> None:
    base, _, definition = toy
    send = base / "src/send.c"
    send.write_text(send.read_text().replace("  again:", "  retry_here:"))
    definition.write_text(definition.read_text().replace("[rules]\n", "[rules]\nrename = { again = \"retry_here\" }\n"))
    rendered = port(toy)
    write_patched(rendered, base)
    assert compile_toy(base).returncode == 0
    assert "goto retry_here;" in (base / "src/send.c").read_text()
    assert "rename" in {r["rule"] for r in change(rendered, "retry")["rules"]}


DUPLICATED_STANZA = (
    "\t\tusecrypt = has_flag(conn, F_CRYPT);\n\t\tif (usecrypt)\n\t\t\tusecrypt = !env_flag(env, E_NOCRYPT);\n"
    "\n\t\tif (usecrypt)\n\t\t{\n\t\t\trc = start_crypt(conn);\n"
    "\t\t\tif (rc != EX_OK)\n\t\t\t\tset_macro(env, \"crypto\", \"FAILED\");\n"
)


def test_two_equally_good_sites_are_a_conflict_not_a_guess(toy: tuple[Path, Path, Path]) -> None:
    send = toy[0] / "src/send.c"
    text = send.read_text()
    assert DUPLICATED_STANZA in text
    send.write_text(text.replace(DUPLICATED_STANZA, DUPLICATED_STANZA + "\t\t}\n" + DUPLICATED_STANZA))
    with pytest.raises(BackportConflict) as raised:
        port(toy)
    message = raised.value.message
    assert "skip-on-retry" in message and "candidate sites" in message
    assert message.count("line ") >= 2
    assert "\n" not in message


def test_recorded_resolution_is_reused_and_reported(toy: tuple[Path, Path, Path]) -> None:
    base, _, definition = toy
    send = base / "src/send.c"
    marked = DUPLICATED_STANZA.replace("F_CRYPT);", "F_CRYPT); /* second */")
    send.write_text(send.read_text().replace(DUPLICATED_STANZA, DUPLICATED_STANZA + "\t\t}\n" + marked))
    definition.with_suffix(".resolutions.toml").write_text(
        "[[resolution]]\nchange = \"skip-on-retry\"\nanchor = { after = 'E_NOCRYPT\\);' }\nreason = \"second check is the real one\"\n"
    )
    with pytest.raises(BackportConflict, match="matches 2 sites"):
        port(toy)
    definition.with_suffix(".resolutions.toml").write_text(
        "[[resolution]]\nchange = \"skip-on-retry\"\nanchor = { after = 'second \\*/' }\nreason = \"second check is the real one\"\n"
    )
    rendered = port(toy)
    placed = change(rendered, "skip-on-retry")["placement"]
    assert placed["strategy"] == "resolution"
    assert "retry-clear.resolutions.toml" in placed["detail"] and "second check" in placed["detail"]


def test_donor_line_nobody_accounts_for_stops_the_run(toy: tuple[Path, Path, Path]) -> None:
    donor_send = toy[1] / "src/send.c"
    donor_send.write_text(donor_send.read_text().replace("static int extra_count;", "static int extra_count;\nstatic int RetryClear_seen;"))
    donor_send.write_text(donor_send.read_text().replace("RetryClear_seen", "RetryClear ") )
    with pytest.raises(BackportConflict, match=r"no \[\[change\]\] or \[\[drop\]\] covers them: src/send.c:7"):
        port(toy)


def test_missing_rule_is_caught_by_the_symbol_check(toy: tuple[Path, Path, Path]) -> None:
    definition = toy[2]
    definition.write_text(definition.read_text().replace('assume_false_calls = ["SESSION_FLAG"]\n', ""))
    with pytest.raises(BackportConflict, match=r"uses .*SESSION_FLAG.*1\.0 does not have"):
        port(toy)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("[[change]]\nid = \"global\"", "[[change]]\nid = \"global\"\ncolour = \"red\""), r"unknown key\(s\) colour"),
        (("extend = \"statement\" }", "extend = \"sideways\" }"), r"unknown extend mode 'sideways'"),
        (("base = \"1.0\"", "base = \"1.0\"\nbase_version = 2"), r"\[feature\]: unknown key"),
        (("cstate = 0;' }", "cstate = 9;' }"), r"matches nothing"),
        (("anchor = { after = 'CryptoOptions;' }", "anchor = { after = 'C(' }"), r"bad regular expression"),
    ],
)
def test_bad_definitions_fail_with_one_line_naming_the_file(toy: tuple[Path, Path, Path], edit: tuple[str, str], message: str) -> None:
    definition = toy[2]
    text = definition.read_text()
    assert edit[0] in text
    definition.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises((ConfigError, BackportConflict), match=message) as raised:
        port(toy)
    assert "\n" not in raised.value.message
    assert "retry-clear.toml" in raised.value.message


def test_rules_with_nothing_to_act_on_are_reported(toy: tuple[Path, Path, Path]) -> None:
    # The toy's SM_CLOSE_FP statement sits outside every selected piece, so that rule is stale.
    rendered = port(toy)
    assert rendered.port.unused_rules == [r"drop_statements ^\s*SM_CLOSE_FP\("]
    assert rendered.report["rules_without_effect"] == rendered.port.unused_rules
    definition = toy[2]
    definition.write_text(definition.read_text().replace('drop_conditionals = ["PINNING"]', 'drop_conditionals = ["PINNING", "PINNNING"]'))
    assert "drop_conditionals PINNNING" in port(toy).port.unused_rules
    assert rules_unused_by_all([rendered.port, port(toy).port]) == [r"drop_statements ^\s*SM_CLOSE_FP\("]
