"""Tampered or broken upstream inputs: exit 3 (VERIFY), one line naming the file and the fix,
and nothing left in the cache that a later run could pick up."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from smerrata.errors import ExitCode

from .conftest import one_error_line, run
from .toy import BASE_C, Toy, cache_files, pins_toml, tarball_bytes

pytestmark = pytest.mark.timeout(120)


def _sources(toy: Toy, *versions: str, **env: str):  # type: ignore[no-untyped-def]
    return run(toy.command("sources", *versions), toy.env(**env), toy.checkout)


def test_toy_sources_verify_and_are_cached(toy: Toy) -> None:
    """The fixture itself is sound: the same chain accepts the good inputs."""
    proc = _sources(toy, "1.0", "2.0")
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in cache_files(toy.cache)} >= {"toy-1.0.tar.gz", "toy-2.0.tar.gz"}


def test_wrong_checksum_in_lookaside(toy: Toy) -> None:
    (toy.lookaside / "toy-1.0.tar.gz").write_bytes(tarball_bytes({"toy-1.0/hello.c": BASE_C + "/* tampered */\n"}))
    proc = _sources(toy, "1.0")
    assert proc.returncode == ExitCode.VERIFY
    line = one_error_line(proc)
    assert str(toy.lookaside / "toy-1.0.tar.gz") in line and "does not match the pin" in line and "upstream.toml" in line
    assert cache_files(toy.cache) == []


def test_wrong_checksum_against_the_real_pin(repo_root: Path, toy: Toy) -> None:
    """The real upstream.toml: a file called sendmail.8.15.2.tar.gz that is not the release."""
    (toy.lookaside / "sendmail.8.15.2.tar.gz").write_bytes(tarball_bytes({"sendmail-8.15.2/README": "not sendmail\n"}))
    proc = run(toy.command("sources", "8.15.2"), toy.env(SMERRATA_REPO=str(repo_root)), repo_root)
    assert proc.returncode == ExitCode.VERIFY
    assert "sendmail.8.15.2.tar.gz" in one_error_line(proc)
    assert cache_files(toy.cache) == []


def test_truncated_tarball(toy: Toy) -> None:
    """Pinned by checksum *and* size: bytes cut short (here pinned by their own checksum, as a
    careless re-pin would) are refused by the size and never stay in the cache."""
    whole = (toy.lookaside / "toy-1.0.tar.gz").read_bytes()
    cut = whole[: len(whole) // 2]
    (toy.lookaside / "toy-1.0.tar.gz").write_bytes(cut)
    donor = (toy.lookaside / "toy-2.0.tar.gz").read_bytes()
    debian = (toy.lookaside / "toy_1.0-1.debian.tar.xz").read_bytes()
    (toy.checkout / "upstream.toml").write_text(pins_toml(cut, donor, debian, base_size=len(whole)))
    proc = _sources(toy, "1.0")
    assert proc.returncode == ExitCode.VERIFY
    line = one_error_line(proc)
    assert "toy-1.0.tar.gz" in line and "truncated" in line and "fetch it again" in line
    assert cache_files(toy.cache) == []


def test_truncated_tarball_without_size_pin_is_unreadable(toy: Toy) -> None:
    whole = (toy.lookaside / "toy-1.0.tar.gz").read_bytes()
    cut = whole[: len(whole) - 40]
    (toy.lookaside / "toy-1.0.tar.gz").write_bytes(cut)
    text = pins_toml(cut, (toy.lookaside / "toy-2.0.tar.gz").read_bytes(), (toy.lookaside / "toy_1.0-1.debian.tar.xz").read_bytes())
    (toy.checkout / "upstream.toml").write_text(text.replace(f"size = {len(cut)}\n", "", 1))
    proc = _sources(toy, "1.0")
    assert proc.returncode == ExitCode.VERIFY
    line = one_error_line(proc)
    assert "toy-1.0.tar.gz" in line and "not a readable tarball" in line
    assert cache_files(toy.cache) == []


def test_wrong_top_directory(toy: Toy) -> None:
    wrong = tarball_bytes({"toy/hello.c": BASE_C})
    (toy.lookaside / "toy-1.0.tar.gz").write_bytes(wrong)
    (toy.checkout / "upstream.toml").write_text(
        pins_toml(wrong, (toy.lookaside / "toy-2.0.tar.gz").read_bytes(), (toy.lookaside / "toy_1.0-1.debian.tar.xz").read_bytes())
    )
    proc = _sources(toy, "1.0")
    assert proc.returncode == ExitCode.VERIFY
    line = one_error_line(proc)
    assert "toy-1.0.tar.gz" in line and "outside top directory toy-1.0/" in line
    assert cache_files(toy.cache) == []
    # and a second run says the same (nothing was half-accepted the first time)
    assert _sources(toy, "1.0").returncode == ExitCode.VERIFY


def test_git_tag_with_another_tree(repo_root: Path, toy: Toy, tmp_path: Path) -> None:
    """A mirror whose sendmail-8.15.2 tag points at a tree other than the pinned one."""
    mirror = tmp_path / "mirror"
    repo = git.Repo.init(mirror)
    (mirror / "README").write_text("not the release\n")
    repo.index.add(["README"])
    author = git.Actor("Test", "test@localhost.invalid")
    commit = repo.index.commit("fake 8.15.2", author=author, committer=author)
    repo.create_tag("sendmail-8.15.2", ref=commit)
    proc = run(
        toy.command("sources", "8.15.2"),
        toy.env(SMERRATA_REPO=str(repo_root), SMERRATA_GIT_MIRROR=str(mirror), SMERRATA_LOOKASIDE=""),
        repo_root,
    )
    assert proc.returncode == ExitCode.VERIFY
    line = one_error_line(proc)
    assert str(mirror) in line and commit.tree.hexsha in line and "163fdd4531a72ddc968d2cdbe9996dc853166a7b" in line
    assert "trusted mirror" in line
    assert [p for p in cache_files(toy.cache) if p.suffix in (".gz", ".part", ".sha256")] == []
