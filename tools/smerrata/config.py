"""Where sources come from and where results go, read from outside the repository.

Precedence: environment variables, then the user config file
($SMERRATA_CONFIG or ~/.config/smerrata/config.toml), then defaults. The repository itself never
names a path of a particular machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError
from .tomlfile import read_toml

ENV_GIT_MIRROR = "SMERRATA_GIT_MIRROR"
ENV_LOOKASIDE = "SMERRATA_LOOKASIDE"
ENV_CACHE = "SMERRATA_CACHE"
ENV_CONFIG = "SMERRATA_CONFIG"
ENV_NO_DEBIAN = "SMERRATA_NO_DEBIAN"

HOW_TO_CONFIGURE = (
    f"set {ENV_GIT_MIRROR}=<git repo with tags sendmail-X.Y.Z> or "
    f"{ENV_LOOKASIDE}=<dir or URL, Fedora lookaside layout> "
    f"(or [sources] git_mirror / lookaside in ~/.config/smerrata/config.toml)"
)


def repo_root() -> Path:
    """The checkout holding sendmail.spec: $SMERRATA_REPO, else the first parent of cwd with it."""
    env = os.environ.get("SMERRATA_REPO")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "sendmail.spec").is_file() and (candidate / "upstream.toml").is_file():
            return candidate
    raise ConfigError(
        f"{here}: not inside a sendmail-errata checkout (no sendmail.spec + upstream.toml); "
        "cd into the checkout or set SMERRATA_REPO"
    )


def _split_list(value: str) -> list[str]:
    return [item for item in (part.strip() for part in value.split(",")) if item]


@dataclass(frozen=True)
class Settings:
    git_mirrors: list[str] = field(default_factory=list)
    lookasides: list[str] = field(default_factory=list)
    cache_dir: Path = Path.home() / ".cache" / "smerrata"
    use_debian_archive: bool = True
    config_file: Path | None = None

    @staticmethod
    def load(environ: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        config_path = Path(env.get(ENV_CONFIG, str(Path.home() / ".config" / "smerrata" / "config.toml")))
        file_settings: dict[str, object] = {}
        if config_path.is_file():
            file_settings = read_toml(config_path, "missing", f"fix the file or unset {ENV_CONFIG}")
        sources = file_settings.get("sources", {})
        if not isinstance(sources, dict):
            raise ConfigError(f"{config_path}: [sources] must be a table")
        unknown = set(sources) - {"git_mirror", "lookaside", "cache", "debian_archive"}
        if unknown:
            raise ConfigError(
                f"{config_path}: unknown key(s) {', '.join(sorted(unknown))} in [sources]; "
                "allowed: git_mirror, lookaside, cache, debian_archive"
            )

        def as_list(value: object, key: str) -> list[str]:
            if value is None:
                return []
            if isinstance(value, str):
                return [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return list(value)
            raise ConfigError(f"{config_path}: [sources] {key} must be a string or a list of strings")

        mirrors = _split_list(env[ENV_GIT_MIRROR]) if env.get(ENV_GIT_MIRROR) else as_list(sources.get("git_mirror"), "git_mirror")
        lookasides = _split_list(env[ENV_LOOKASIDE]) if env.get(ENV_LOOKASIDE) else as_list(sources.get("lookaside"), "lookaside")
        cache = env.get(ENV_CACHE) or sources.get("cache") or str(Path.home() / ".cache" / "smerrata")
        if not isinstance(cache, str):
            raise ConfigError(f"{config_path}: [sources] cache must be a path string")
        debian = sources.get("debian_archive", True)
        if env.get(ENV_NO_DEBIAN, "") not in ("", "0"):
            debian = False
        return Settings(
            git_mirrors=mirrors,
            lookasides=lookasides,
            cache_dir=Path(cache).expanduser(),
            use_debian_archive=bool(debian),
            config_file=config_path if config_path.is_file() else None,
        )
