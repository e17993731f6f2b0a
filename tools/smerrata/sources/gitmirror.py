"""Git mirror provider: a release is a tag whose tree id is pinned; the tarball is made from it.

`git archive` output is not byte-identical to the official tarball, so the tree id is what gets
verified, and the tarball this module writes is deterministic in its own right: entries sorted by
path, fixed owner, modes from git, one mtime (the tagged commit's), gzip header without a name or
timestamp.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

# GitPython refuses to import without a git executable; git is needed only when a mirror is
# configured, and then fetch_from_git says so in one line instead of an import traceback.
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")

import git  # noqa: E402

from ..errors import HostToolsMissing, StorageError, VerificationError
from .cache import Cache
from .pins import ReleasePin


def _trust_for_reading(path: Path) -> None:
    """Let git read a mirror owned by another user.

    Content is verified by tree id, so git's ownership guard adds nothing here; it is lifted for
    this path only, through command-line-level config that never touches the user's files.
    """
    # A bare repository's ownership is judged on its parent directory by some git versions.
    for trusted in (path, path.parent):
        count = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
        if any(os.environ.get(f"GIT_CONFIG_VALUE_{i}") == str(trusted) for i in range(count)):
            continue
        os.environ[f"GIT_CONFIG_KEY_{count}"] = "safe.directory"
        os.environ[f"GIT_CONFIG_VALUE_{count}"] = str(trusted)
        os.environ["GIT_CONFIG_COUNT"] = str(count + 1)


def _open_mirror(cache: Cache, location: str, tried: list[str]) -> git.Repo | None:
    if "://" not in location and not location.startswith("git@"):
        path = Path(location).expanduser().resolve()
        if not path.exists():
            tried.append(f"git mirror {location}: no such directory")
            return None
        _trust_for_reading(path)
        try:
            repo = git.Repo(path)
            # A bare mirror without a config file looks non-bare to GitPython; pin git to it.
            repo.git.update_environment(GIT_DIR=repo.git_dir)
            return repo
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            tried.append(f"git mirror {location}: not a git repository")
            return None
    clone_dir = cache.scratch("git") / hashlib.sha256(location.encode()).hexdigest()[:16]
    try:
        if (clone_dir / "HEAD").exists():
            repo = git.Repo(clone_dir)
            repo.git.fetch("--tags", "--force", location)
            return repo
        return git.Repo.clone_from(location, clone_dir, bare=True, multi_options=["--no-checkout"])
    except git.GitCommandError as exc:
        tried.append(f"git mirror {location}: {exc.stderr.strip().splitlines()[-1] if exc.stderr else exc}")
        return None


def resolve_tree(repo: git.Repo, pin: ReleasePin, location: str, tried: list[str]) -> git.Tree | None:
    assert pin.git_tag and pin.git_tree
    try:
        commit = repo.commit(f"refs/tags/{pin.git_tag}")
    except (git.BadName, ValueError):
        tried.append(f"git mirror {location}: no tag {pin.git_tag}")
        return None
    if commit.tree.hexsha != pin.git_tree:
        raise VerificationError(
            f"{location}: tag {pin.git_tag} has tree {commit.tree.hexsha}, upstream.toml pins {pin.git_tree}; "
            "the mirror was rewritten or is the wrong repository, use a trusted mirror"
        )
    return commit.tree


def write_tarball(tree: git.Tree, topdir: str, mtime: int, out: Path) -> None:
    blobs = sorted(
        (item for item in tree.traverse() if isinstance(item, git.Blob)),  # type: ignore[union-attr]
        key=lambda blob: blob.path,
    )
    directories = sorted({str(Path(blob.path).parent) for blob in blobs} - {"."})
    all_dirs: set[str] = set()
    for directory in directories:
        parts = Path(directory).parts
        for depth in range(1, len(parts) + 1):
            all_dirs.add("/".join(parts[:depth]))

    def info(name: str, kind: bytes, mode: int, size: int = 0) -> tarfile.TarInfo:
        entry = tarfile.TarInfo(name)
        entry.type = kind
        entry.mode = mode
        entry.size = size
        entry.mtime = mtime
        entry.uid = entry.gid = 0
        entry.uname = entry.gname = "root"
        return entry

    with out.open("wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as zipped:
            with tarfile.open(fileobj=zipped, mode="w", format=tarfile.GNU_FORMAT) as tar:
                tar.addfile(info(f"{topdir}/", tarfile.DIRTYPE, 0o755))
                entries: list[tuple[str, object]] = [(d, None) for d in all_dirs]
                entries += [(blob.path, blob) for blob in blobs]
                for path, blob in sorted(entries, key=lambda pair: pair[0]):
                    if blob is None:
                        tar.addfile(info(f"{topdir}/{path}/", tarfile.DIRTYPE, 0o755))
                        continue
                    assert isinstance(blob, git.Blob)
                    data = blob.data_stream.read()
                    if blob.mode == git.Blob.link_mode:
                        entry = info(f"{topdir}/{path}", tarfile.SYMTYPE, 0o777)
                        entry.linkname = data.decode()
                        tar.addfile(entry)
                        continue
                    mode = 0o755 if blob.mode & 0o111 else 0o644
                    tar.addfile(info(f"{topdir}/{path}", tarfile.REGTYPE, mode, len(data)), io.BytesIO(data))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text)
    os.replace(tmp, path)


def fetch_from_git(cache: Cache, locations: list[str], pin: ReleasePin, tried: list[str]) -> tuple[Path, str] | None:
    """Return (tarball, provenance) made from the pinned tree, or None if no mirror has the tag."""
    if not (pin.git_tag and pin.git_tree):
        return None
    if locations and shutil.which("git") is None:
        from ..hosttools import install_hint, missing_tools

        raise HostToolsMissing(f"PATH: a git mirror is configured but git is not installed; install with: {install_hint(missing_tools(['git']))}")
    for location in locations:
        repo = _open_mirror(cache, location, tried)
        if repo is None:
            continue
        tree = resolve_tree(repo, pin, location, tried)
        if tree is None:
            continue
        commit = repo.commit(f"refs/tags/{pin.git_tag}")
        filename = f"{pin.topdir}.git-{pin.git_tree[:12]}.tar.gz"
        marker = cache.scratch("git-tarballs") / f"{pin.git_tree}.sha256"
        if marker.is_file():
            digest = marker.read_text().strip()
            cached = cache.lookup(digest, filename)
            if cached is not None:
                return cached, f"git mirror tag {pin.git_tag} tree {pin.git_tree}"
        fd, staging_name = tempfile.mkstemp(prefix=f".{pin.git_tree}.", suffix=".tar.gz.part", dir=cache.scratch("git-tarballs"))
        os.close(fd)
        staging = Path(staging_name)
        try:
            write_tarball(tree, pin.topdir, int(commit.committed_date), staging)
            digest = hashlib.sha256(staging.read_bytes()).hexdigest()
            stored = cache.store_copy(digest, filename, staging)
            _write_atomic(marker, digest + "\n")
        except OSError as exc:
            raise StorageError(f"{staging.parent}: cannot write the cache ({exc.strerror}); free space or set SMERRATA_CACHE") from exc
        finally:
            staging.unlink(missing_ok=True)
        return stored, f"git mirror tag {pin.git_tag} tree {pin.git_tree}"
    return None
