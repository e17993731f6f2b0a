"""Stage then rename: a failed run never leaves a half-written repository behind."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import StorageError
from ..swap import swap_in


@contextlib.contextmanager
def staging(results: Path) -> Iterator[Path]:
    """A scratch directory inside results/ (same filesystem, so the final rename is atomic)."""
    try:
        results.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".errata-stage-", dir=results))
    except OSError as exc:
        raise StorageError(f"{results}: cannot create a staging directory ({exc.strerror}); check space and permissions") from exc
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def replace_directory(staged: Path, final: Path) -> None:
    """Swap `staged` in for `final`; the old tree is removed only after the new one is in place."""
    swap_in(staged, final, final.with_name(f".{final.name}.old"), "the repository")
