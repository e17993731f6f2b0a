"""Results appear all at once or not at all.

A build writes into a staging directory next to results/ (same filesystem, so the final step
is a rename) and publishes only after every stage passed. A lock file beside it keeps a second
build in the same checkout from racing the first: the second one refuses (exit LOCKED). The lock
is an flock, so a killed holder releases it with its last file descriptor; the next build takes
it over and removes what the dead run left behind (recover_interrupted).
The staging area carries its own .gitignore so it never shows up as untracked files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from ..errors import LockedError, StorageError
from ..swap import swap_in

STAGING_AREA = ".smerrata-staging"

# Lock file descriptors this process holds; build commands inherit them (see backends.run_logged).
_HELD_LOCKS: list[int] = []


def held_lock_fds() -> tuple[int, ...]:
    return tuple(_HELD_LOCKS)


def staging_area(results: Path) -> Path:
    area = results.parent / STAGING_AREA
    try:
        area.mkdir(parents=True, exist_ok=True)
        (area / ".gitignore").write_text("*\n")
    except OSError as exc:
        raise StorageError(f"{area}: cannot create the staging area ({exc.strerror}); make {results.parent} writable") from exc
    return area


@contextlib.contextmanager
def build_lock(results: Path) -> Iterator[Path]:
    """Hold an exclusive, non-blocking lock for results/ for the whole build."""
    lock_path = staging_area(results) / f"{results.name}.lock"
    handle = lock_path.open("a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise LockedError(
                f"{lock_path}: another build of {results} is running (pid {holder}); wait for it to finish"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        recover_interrupted(results)
        _HELD_LOCKS.append(handle.fileno())
        try:
            yield lock_path
        finally:
            _HELD_LOCKS.remove(handle.fileno())
    finally:
        handle.close()


def recover_interrupted(results: Path) -> None:
    """Clean up after a run that was killed (SIGKILL, power loss) before its finally blocks ran.

    Staging directories are only made under the lock, so once we hold it every staging
    directory of this results/ belongs to a dead run. If that run died between publish()'s two
    renames, results/ sits inside its staging directory as results.old: put it back.
    """
    area = staging_area(results)
    prefix = f"{results.name}."
    for stale in sorted(area.glob(prefix + "*")):
        if not stale.is_dir() or not stale.name[len(prefix):].isdigit():
            continue
        previous = stale / "results.old"
        if previous.is_dir() and not results.exists():
            previous.rename(results)
        from ..console import info

        info(f"removing {stale} left by an interrupted build")
        shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def staged_results(results: Path) -> Iterator[Path]:
    """A fresh staging directory; removed on failure, renamed onto results/ by publish()."""
    stage = staging_area(results) / f"{results.name}.{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def publish(stage: Path, results: Path) -> None:
    """Replace results/ with stage; recover_interrupted() knows the `.old` name used here."""
    swap_in(stage, results, stage.with_name(stage.name + ".old"), "the build")


@contextlib.contextmanager
def fixed_workdir() -> Iterator[Path]:
    """The rpmbuild tree at one fixed path per user, held under a (blocking) lock.

    rpm records the expanded %prep, which names %_sourcedir and %_builddir, in the SRPM header
    (and compilers record build paths in binaries), so a per-run path would make every SRPM
    differ. Builds from other checkouts wait for the tree instead of racing for it."""
    import tempfile

    work = Path(tempfile.gettempdir()) / f"smerrata-work-{os.getuid()}"
    with open(f"{work}.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            from ..console import info

            info(f"waiting for {work} (another checkout's build holds it)")
            fcntl.flock(handle, fcntl.LOCK_EX)
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(mode=0o700)
        _HELD_LOCKS.append(handle.fileno())
        try:
            yield work
        finally:
            _HELD_LOCKS.remove(handle.fileno())
            shutil.rmtree(work, ignore_errors=True)
