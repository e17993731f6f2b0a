"""The build lock (across processes) and all-or-nothing publishing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from smerrata.build.staging import build_lock, publish, staged_results
from smerrata.errors import ExitCode, LockedError

pytestmark = pytest.mark.timeout(60)

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from smerrata.build.staging import build_lock
    with build_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        sys.stdin.readline()
    """
)


def test_second_build_refuses_while_first_holds_the_lock(tmp_path: Path) -> None:
    results = tmp_path / "results"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(results)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError) as caught:
            with build_lock(results):
                pass
        assert caught.value.code == ExitCode.LOCKED
        assert str(holder.pid) in caught.value.message
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=10)
    with build_lock(results):  # released when the holder exits
        pass


def test_failure_leaves_no_results_and_no_staging(tmp_path: Path) -> None:
    results = tmp_path / "results"
    with pytest.raises(RuntimeError):
        with staged_results(results) as staging:
            (staging / "results").mkdir()
            (staging / "results" / "half.rpm").write_text("partial")
            raise RuntimeError("rpmbuild failed")
    assert not results.exists()
    assert not staging.exists()


def test_publish_replaces_previous_results(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "old.rpm").write_text("old")
    with staged_results(results) as staging:
        out = staging / "results"
        out.mkdir()
        (out / "new.rpm").write_text("new")
        publish(out, results)
    assert sorted(p.name for p in results.iterdir()) == ["new.rpm"]
    area = tmp_path / ".smerrata-staging"
    assert (area / ".gitignore").read_text() == "*\n"
    assert [p.name for p in area.iterdir() if p.name.startswith("results.")] == []
