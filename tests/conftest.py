"""Shared fixtures: the checkout, the provider chain, and skips that name what is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smerrata.config import Settings
from smerrata.context import Context
from smerrata.errors import SourceNotFound

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def ctx() -> Context:
    return Context(root=REPO, settings=Settings.load())


def _release_tree_or_skip(ctx: Context, version: str) -> Path:
    try:
        return ctx.chain.release_tree(version)
    except SourceNotFound as exc:
        pytest.skip(
            f"needs sendmail {version} sources, which no configured provider has "
            f"(set SMERRATA_GIT_MIRROR or SMERRATA_LOOKASIDE): {exc.message[:300]}"
        )


@pytest.fixture(scope="session")
def base_tree(ctx: Context) -> Path:
    """sendmail 8.15.2 unpacked (skips when no provider has it, e.g. on CI)."""
    return _release_tree_or_skip(ctx, "8.15.2")


@pytest.fixture(scope="session")
def release_tree(ctx: Context):  # type: ignore[no-untyped-def]
    """A factory: release_tree("8.18.2") -> unpacked tree, skipping when unavailable."""
    return lambda version: _release_tree_or_skip(ctx, version)


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = Settings.load()
    return [
        f"smerrata sources: git mirrors={len(settings.git_mirrors)} lookasides={len(settings.lookasides)} "
        f"debian={'on' if settings.use_debian_archive else 'off'} cache={settings.cache_dir}",
        f"SMERRATA_GIT_MIRROR {'set' if os.environ.get('SMERRATA_GIT_MIRROR') else 'unset'}",
    ]
