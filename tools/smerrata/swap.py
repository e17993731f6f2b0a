"""Publishing a finished directory: results are staged elsewhere and swapped in by two renames,
so readers see the old tree or the new one, never a half-written one."""

from __future__ import annotations

import shutil
from pathlib import Path

from .errors import StorageError


def swap_in(staged: Path, final: Path, old: Path, what: str) -> None:
    """Replace `final` with `staged`; the previous tree waits at `old` until the new one is in
    place (so a crash between the renames can be recovered from `old`), then is removed."""
    shutil.rmtree(old, ignore_errors=True)
    try:
        if final.exists():
            final.rename(old)
        staged.rename(final)
    except OSError as exc:
        if old.exists() and not final.exists():
            old.rename(final)
        raise StorageError(f"{final}: cannot publish {what} ({exc.strerror}); check permissions and free space") from exc
    shutil.rmtree(old, ignore_errors=True)
