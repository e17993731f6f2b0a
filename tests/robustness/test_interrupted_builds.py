"""Builds killed half-way (SIGINT, SIGKILL to the whole process group) and builds racing each
other in one checkout, with real processes: results/ never holds partial artifacts and the next
run recovers by itself."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from smerrata.build.staging import STAGING_AREA, recover_interrupted
from smerrata.errors import ExitCode

from .conftest import needs_rpmbuild, one_error_line, run  # noqa: F401 - fixture
from .toy import Toy

pytestmark = [pytest.mark.timeout(180), pytest.mark.usefixtures("needs_rpmbuild")]


def _start_slow_build(toy: Toy, processes: list[subprocess.Popen[str]]) -> subprocess.Popen[str]:
    """A build whose %build sleeps; returns once rpmbuild is inside %build."""
    proc = subprocess.Popen(
        toy.build_command("--force"), env=toy.env(TOY_BUILD_SLEEP="60"), cwd=toy.checkout,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    processes.append(proc)
    area = toy.checkout / STAGING_AREA
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        logs = list(area.glob("results.*/results/logs/build.log"))
        if logs and "+ sleep 60" in logs[0].read_text(errors="replace"):
            return proc
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError("the slow build never reached %build")


def _staging_dirs(toy: Toy) -> list[str]:
    area = toy.checkout / STAGING_AREA
    return sorted(p.name for p in area.iterdir() if p.is_dir()) if area.exists() else []


def _results_snapshot(toy: Toy) -> dict[str, bytes]:
    return {str(p.relative_to(toy.results)): p.read_bytes() for p in sorted(toy.results.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_killed_first_build_publishes_nothing_and_next_run_recovers(toy: Toy, processes: list[subprocess.Popen[str]], sig: int) -> None:
    proc = _start_slow_build(toy, processes)
    os.killpg(proc.pid, sig)
    _, stderr = proc.communicate(timeout=30)
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "interrupted; nothing was published" in stderr and "Traceback" not in stderr
        assert _staging_dirs(toy) == []  # cleaned on the way out
    else:
        assert proc.returncode == -signal.SIGKILL
        assert len(_staging_dirs(toy)) == 1  # a dead run's leftovers, for the next run to clear
    assert not toy.results.exists()
    again = run(toy.build_command(), toy.env(), toy.checkout)
    assert again.returncode == 0, again.stderr
    assert (toy.results / "SRPMS" / "toy-1.0-1.src.rpm").is_file()
    assert _staging_dirs(toy) == []
    if sig == signal.SIGKILL:
        assert "left by an interrupted build" in again.stderr


def test_killed_rebuild_keeps_the_previous_results_intact(toy: Toy, processes: list[subprocess.Popen[str]]) -> None:
    first = run(toy.build_command(), toy.env(), toy.checkout)
    assert first.returncode == 0, first.stderr
    before = _results_snapshot(toy)
    proc = _start_slow_build(toy, processes)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert _results_snapshot(toy) == before


def test_second_build_in_the_same_checkout_refuses(toy: Toy, processes: list[subprocess.Popen[str]]) -> None:
    first = _start_slow_build(toy, processes)
    second = run(toy.build_command("--force"), toy.env(), toy.checkout, timeout=60)
    assert second.returncode == ExitCode.LOCKED
    line = one_error_line(second)
    assert f"pid {first.pid}" in line and "results.lock" in line and "wait for it to finish" in line
    assert first.poll() is None  # the first one is unharmed
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    # the lock died with its holder: the next build takes it over
    third = run(toy.build_command(), toy.env(), toy.checkout)
    assert third.returncode == 0, third.stderr


def test_death_between_the_two_publish_renames_restores_the_old_results(tmp_path: Path) -> None:
    """publish() moves results/ into the staging dir, then the new tree onto results/; a run
    killed between the two leaves results/ missing. The next lock holder puts it back."""
    results = tmp_path / "results"
    dead = tmp_path / STAGING_AREA / "results.999999"
    (dead / "results.old" / "SRPMS").mkdir(parents=True)
    (dead / "results.old" / "SRPMS" / "old.src.rpm").write_text("complete old build")
    (dead / "results" / "RPMS").mkdir(parents=True)
    recover_interrupted(results)
    assert (results / "SRPMS" / "old.src.rpm").read_text() == "complete old build"
    assert not dead.exists()
