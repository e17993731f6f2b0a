from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .toy import Toy, make_toy


@pytest.fixture()
def toy(tmp_path: Path) -> Toy:
    return make_toy(tmp_path)


@pytest.fixture()
def needs_rpmbuild() -> None:
    missing = [tool for tool in ("rpmbuild", "gcc", "m4", "make", "patch") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (ci/bootstrap.sh installs them)")


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a failed run must end in exactly one error line and hold no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("smerrata: error: ")]
    assert len(errors) == 1, proc.stderr
    assert proc.stderr.rstrip().splitlines()[-1] == errors[0], proc.stderr
    return errors[0]


@pytest.fixture()
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; their process groups are killed at the end whatever happened."""
    import os
    import signal

    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
