"""A content-addressed download cache that never hands out a half-written file.

Files land in a temporary name beside their final place, are verified, fsynced and renamed, so an
interrupted download leaves at most a `.part` file that the next run removes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import StorageError, VerificationError


def file_digest(path: Path, algo: str = "sha256") -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, algo).hexdigest()


class Cache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _ensure(self, directory: Path) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"{directory}: cannot create cache directory ({exc.strerror}); set SMERRATA_CACHE to a writable place") from exc

    def blob_path(self, sha256: str, filename: str) -> Path:
        return self.root / "by-sha256" / sha256[:2] / sha256 / filename

    def lookup(self, sha256: str, filename: str) -> Path | None:
        path = self.blob_path(sha256, filename)
        if path.is_file() and file_digest(path) == sha256:
            return path
        if path.exists():
            # A corrupt entry (bit rot, a tampered file) is dropped, not trusted.
            path.unlink()
        return None

    def store(self, sha256: str, filename: str, write: Callable[[Path], None], origin: str) -> Path:
        """Produce a file with `write(tmp_path)`, verify it, then publish it atomically."""
        final = self.blob_path(sha256, filename)
        self._ensure(final.parent)
        for stale in final.parent.glob("*.part"):
            stale.unlink(missing_ok=True)
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=final.parent)
        except OSError as exc:
            raise StorageError(f"{final.parent}: cannot write the cache ({exc.strerror}); free space or set SMERRATA_CACHE") from exc
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            write(tmp)
            got = file_digest(tmp)
            if got != sha256:
                raise VerificationError(
                    f"{origin}: sha256 {got} does not match the pin {sha256} in upstream.toml; "
                    "the file is corrupt or tampered, fix the source or the pin"
                )
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.EFBIG, errno.EPERM):
                raise StorageError(f"{final.parent}: cannot write the cache ({exc.strerror}); free space or set SMERRATA_CACHE") from exc
            raise
        finally:
            tmp.unlink(missing_ok=True)
        return final

    def store_copy(self, sha256: str, filename: str, source: Path) -> Path:
        return self.store(sha256, filename, lambda tmp: shutil.copyfile(source, tmp), str(source))

    def scratch(self, name: str) -> Path:
        path = self.root / name
        self._ensure(path)
        return path


def staging_dir(parent: Path, name: str) -> Path:
    """A fresh directory beside its final place: concurrent runs (xdist workers, two
    maintainers' shells) never share one."""
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".part", dir=parent))


def publish_dir(staging: Path, final: Path) -> Path:
    """Rename a finished staging directory into place; if another run got there first with the
    same content-addressed result, keep theirs."""
    try:
        os.rename(staging, final)
    except OSError as exc:
        if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
            raise
        shutil.rmtree(staging, ignore_errors=True)
    return final


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock held while the block runs (released if the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def iter_chunks(stream, size: int = 1 << 16) -> Iterable[bytes]:  # type: ignore[no-untyped-def]
    while chunk := stream.read(size):
        yield chunk
