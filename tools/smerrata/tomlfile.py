"""Reading the project's TOML files (pins, definitions, settings) with one-line errors."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .errors import ConfigError


def read_toml(path: Path, if_missing: str, syntax_fix: str = "fix the syntax") -> dict[str, Any]:
    """The parsed file; a missing or malformed file is a ConfigError naming it and the fix."""
    if not path.is_file():
        raise ConfigError(f"{path}: {if_missing}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); {syntax_fix}") from exc
