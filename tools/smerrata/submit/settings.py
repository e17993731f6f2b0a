"""[submit.copr] in errata.toml, the copr client's own config file, and command-line overrides."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errata.settings import read_toml
from ..errors import ConfigError

ENV_COPR_CONFIG = "SMERRATA_COPR_CONFIG"
CHROOT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9.]+)*-(?P<arch>x86_64|aarch64|ppc64le|s390x|i386|armhfp|noarch)$")


@dataclass(frozen=True)
class CoprSettings:
    owner: str
    project: str
    chroots: tuple[str, ...]
    poll_interval: float
    timeout: float
    client_config: Path | None  # None: the copr client's default (~/.config/copr)


def chroot_arch(chroot: str) -> str:
    match = CHROOT.match(chroot)
    if not match:
        raise ConfigError(f"chroot {chroot!r} is not of the form <os>-<version>-<arch>, e.g. epel-8-x86_64")
    return match.group("arch")


def load_copr_settings(
    path: Path,
    *,
    environ: dict[str, str] | None = None,
    chroots: list[str] | None = None,
    owner: str | None = None,
    project: str | None = None,
    poll_interval: float | None = None,
) -> CoprSettings:
    env = os.environ if environ is None else environ
    data = read_toml(path)
    table: Any = data.get("submit", {}).get("copr") if isinstance(data.get("submit"), dict) else None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [submit.copr] table is missing; add owner, project and chroots (see docs/errata.md)")
    chosen_owner = owner or table.get("owner")
    chosen_project = project or table.get("project")
    chosen_chroots = chroots or table.get("chroots")
    for key, value in (("owner", chosen_owner), ("project", chosen_project)):
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{path}: [submit.copr] {key} is missing; set it or pass --{key}")
    if not isinstance(chosen_chroots, list) or not chosen_chroots or not all(isinstance(c, str) for c in chosen_chroots):
        raise ConfigError(f"{path}: [submit.copr] chroots must be a non-empty list like [\"epel-8-x86_64\"]")
    for chroot in chosen_chroots:
        chroot_arch(chroot)
    interval = poll_interval if poll_interval is not None else table.get("poll_interval", 30)
    timeout = table.get("timeout", 14400)
    if not isinstance(interval, (int, float)) or interval < 0 or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ConfigError(f"{path}: [submit.copr] poll_interval and timeout must be positive numbers of seconds")
    client_config = Path(env[ENV_COPR_CONFIG]) if env.get(ENV_COPR_CONFIG) else None
    if client_config is not None and not client_config.is_file():
        raise ConfigError(f"{client_config}: {ENV_COPR_CONFIG} names no file; write the copr client config there ([copr-cli] login, token, copr_url)")
    return CoprSettings(
        owner=str(chosen_owner),
        project=str(chosen_project),
        chroots=tuple(chosen_chroots),
        poll_interval=float(interval),
        timeout=float(timeout),
        client_config=client_config,
    )
