from __future__ import annotations

from pathlib import Path

import pytest

from .toyproject import write_toy


@pytest.fixture()
def toy(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(base tree, donor tree, definition) of the toy project, fresh for each test."""
    return write_toy(tmp_path)
