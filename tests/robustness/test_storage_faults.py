"""Disk full and an unwritable cache: exit 13 (IO), one line, and nothing in the cache that a
later run would trust (no blob, no half-unpacked tree; at most nothing at all)."""

from __future__ import annotations

import base64
import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from smerrata.errors import ExitCode

from .conftest import one_error_line, run
from .toy import BASE_C, Toy, cache_files, pins_toml, tarball_bytes

pytestmark = pytest.mark.timeout(120)


def _big_base(toy: Toy) -> int:
    """Replace the base release by one with ~300 KB of incompressible padding; returns its size."""
    padding = base64.b64encode(os.urandom(300_000)).decode()
    big = tarball_bytes({"toy-1.0/hello.c": BASE_C, "toy-1.0/padding.txt": padding})
    (toy.lookaside / "toy-1.0.tar.gz").write_bytes(big)
    (toy.checkout / "upstream.toml").write_text(
        pins_toml(big, (toy.lookaside / "toy-2.0.tar.gz").read_bytes(), (toy.lookaside / "toy_1.0-1.debian.tar.xz").read_bytes())
    )
    return len(big)


def _can_mount(tmp_path: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                          capture_output=True, check=False, timeout=30)
    return proc.returncode == 0


def _in_mount_namespace(toy: Toy, mount_options: str, argv: list[str], listing: Path) -> subprocess.CompletedProcess[str]:
    """Run argv with a private tmpfs mounted on the cache, then list what the cache holds."""
    toy.cache.mkdir(exist_ok=True)
    script = (
        f'mount -t tmpfs -o {mount_options} tmpfs "$CACHE" || exit 99\n'
        '"$@"; rc=$?\n'
        'find "$CACHE" -type f > "$LISTING"\n'
        'exit $rc\n'
    )
    env = toy.env(CACHE=str(toy.cache), LISTING=str(listing))
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *argv],
                          env=env, cwd=toy.checkout, capture_output=True, text=True, timeout=90, check=False)


def test_disk_full_cache_on_a_small_tmpfs(toy: Toy, tmp_path: Path) -> None:
    if not _can_mount(tmp_path):
        pytest.skip("needs root and a mount namespace (unshare --mount) to mount a small tmpfs")
    assert _big_base(toy) > 128 * 1024
    listing = tmp_path / "listing"
    proc = _in_mount_namespace(toy, "size=128k", toy.command("sources", "1.0"), listing)
    assert proc.returncode == ExitCode.IO, proc.stderr
    line = one_error_line(proc)
    assert str(toy.cache) in line and "No space left on device" in line and "SMERRATA_CACHE" in line
    assert listing.read_text() == ""  # no partial blob, no .part file


def test_read_only_cache(toy: Toy, tmp_path: Path) -> None:
    if not _can_mount(tmp_path):
        pytest.skip("needs root and a mount namespace (unshare --mount) to mount a read-only tmpfs")
    listing = tmp_path / "listing"
    proc = _in_mount_namespace(toy, "ro,size=64k", toy.command("sources", "1.0"), listing)
    assert proc.returncode == ExitCode.IO, proc.stderr
    line = one_error_line(proc)
    assert str(toy.cache) in line and "Read-only file system" in line and "SMERRATA_CACHE" in line
    assert listing.read_text() == ""


def test_file_size_limit_while_storing(toy: Toy) -> None:
    """RLIMIT_FSIZE (no privileges needed): the write fails with EFBIG half-way through the copy."""
    size = _big_base(toy)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, size // 2))

    proc = subprocess.run(toy.command("sources", "1.0"), env=toy.env(PYTHONDONTWRITEBYTECODE="1"), cwd=toy.checkout,
                          capture_output=True, text=True, timeout=90, check=False, preexec_fn=limit)
    assert proc.returncode == ExitCode.IO, proc.stderr
    line = one_error_line(proc)
    assert "cannot write the cache" in line and "File too large" in line
    assert cache_files(toy.cache) == []
    # with the limit gone, the same cache works: nothing corrupt was left to trip over
    assert run(toy.command("sources", "1.0"), toy.env(), toy.checkout).returncode == 0


@pytest.mark.usefixtures("needs_rpmbuild")
def test_unwritable_results_location(toy: Toy, tmp_path: Path) -> None:
    """--results under a read-only place: the staging area cannot be made; exit 13, one line."""
    if not _can_mount(tmp_path):
        pytest.skip("needs root and a mount namespace (unshare --mount) to mount a read-only tmpfs")
    target = tmp_path / "ro"
    target.mkdir()
    script = f'mount -t tmpfs -o ro tmpfs "{target}" || exit 99\nexec "$@"\n'
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh",
                           *toy.build_command("--results", str(target / "results"))],
                          env=toy.env(), cwd=toy.checkout, capture_output=True, text=True, timeout=90, check=False)
    assert proc.returncode == ExitCode.IO, proc.stderr
    line = one_error_line(proc)
    assert str(target) in line and "writable" in line
