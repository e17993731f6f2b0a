"""Fixtures: tiny RPMs built once per session, and a fresh results/ copy per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .tinyrpm import build_tiny, results_layout


@pytest.fixture(scope="session")
def tiny_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Release 1 (what a host has installed) and release 2 (the errata build), each in its own _topdir."""
    builds = {}
    for release in ("1", "2"):
        topdir = tmp_path_factory.mktemp(f"tiny-top-{release}")
        build_tiny(topdir, release)
        builds[release] = topdir
    return builds


@pytest.fixture()
def results(tiny_builds: dict[str, Path], tmp_path: Path) -> Path:
    """A results/ directory holding the release-2 build, as `smerrata build` leaves it."""
    return results_layout(tiny_builds["2"], tmp_path / "results")


@pytest.fixture(scope="session")
def errata_toml() -> Path:
    return Path(__file__).resolve().parents[2] / "errata.toml"
