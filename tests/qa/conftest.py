"""QA fixtures: the builds under test, the test CA, skips that name what is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from smerrata.context import Context
from smerrata.errors import SourceNotFound
from smerrata.qa.builds import Build, debian_build, rpm_build
from smerrata.qa.certs import CertSet, make_certs


def _sandbox_or_skip() -> None:
    if os.geteuid() != 0:
        pytest.skip("the QA sandbox needs root (unshare --mount, mknod, mount)")
    if shutil.which("unshare") is None:
        pytest.skip("the QA sandbox needs unshare (util-linux)")


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertSet:
    return make_certs(tmp_path_factory.mktemp("qa-certs"))


def _debian(ctx: Context, name: str) -> Build:
    _sandbox_or_skip()
    try:
        return debian_build(ctx, name)
    except SourceNotFound as exc:
        pytest.skip(f"{name}: Debian's reference debs are not reachable through apt: {exc.message[:300]}")


@pytest.fixture(scope="session")
def debian_8152(ctx: Context) -> Build:
    return _debian(ctx, "debian-8.15.2")


@pytest.fixture(scope="session")
def debian_8179(ctx: Context) -> Build:
    return _debian(ctx, "debian-8.17.1.9")


@pytest.fixture(scope="session")
def patched_build(ctx: Context) -> Build:
    _sandbox_or_skip()
    results = ctx.results_dir()
    build = rpm_build(results, ctx.chain.cache.scratch("qa-builds"))
    if build is None:
        pytest.skip(f"no patched build: {results / 'RPMS'} has no sendmail + sendmail-cf RPMs (run `tox -e build`)")
    return build


@pytest.fixture
def cell_dir(tmp_path: Path) -> Path:
    return tmp_path
