"""mock-configs/*.cfg loaded the way mock loads them: exec'd as Python with a config_opts dict
and an include() that resolves relative paths against mock's config dir (/etc/mock)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(30)

MOCK_CONFIG_PATH = "/etc/mock"
ARCHES = ("x86_64", "aarch64", "ppc64le", "s390x")
CONFIGS = sorted((Path(__file__).resolve().parents[2] / "mock-configs").glob("*.cfg"))


def load_like_mock(path: Path) -> tuple[dict[str, object], list[str]]:
    """mock's loader in miniature: defaults, then the file exec'd with include() available.
    Templates live in mock-core-configs (absent here), so includes are recorded, resolved."""
    config_opts: dict[str, object] = {"config_path": MOCK_CONFIG_PATH, "macros": {}, "root": "default"}
    included: list[str] = []

    def include(name: str) -> None:
        resolved = name if os.path.isabs(name) else os.path.join(str(config_opts["config_path"]), name)
        included.append(os.path.normpath(resolved))

    exec(compile(path.read_text(), str(path), "exec"), {"config_opts": config_opts, "include": include})  # noqa: S102
    return config_opts, included


def test_every_arch_has_alma_and_rhel_configs() -> None:
    names = {p.stem for p in CONFIGS}
    assert names == {f"{distro}-8-{arch}" for distro in ("almalinux", "rhel") for arch in ARCHES}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_config_keys(path: Path) -> None:
    opts, included = load_like_mock(path)
    distro, _, arch = path.stem.split("-", 2)
    assert included == [f"{MOCK_CONFIG_PATH}/templates/{distro}-8.tpl"]
    assert opts["root"] == f"sendmail-errata-{path.stem}"
    assert opts["target_arch"] == arch and opts["legal_host_arches"] == (arch,)
    assert opts["dist"] == "el8" and opts["releasever"] == "8"
    macros = opts["macros"]
    assert isinstance(macros, dict)
    assert macros["%dist"] == ".el8"
    assert macros["%source_date_epoch_from_changelog"] == "1"
    assert macros["%clamp_mtime_to_source_date_epoch"] == "1"
    assert macros["%use_source_date_epoch_as_buildtime"] == "1"
    assert macros["%_buildhost"] == "sendmail-errata.build"


def test_roots_are_distinct() -> None:
    roots = [load_like_mock(p)[0]["root"] for p in CONFIGS]
    assert len(set(roots)) == len(roots)
