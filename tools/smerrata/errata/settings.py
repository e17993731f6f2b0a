"""Advisory and signing settings: errata.toml, then environment, then the command line.

Everything is validated here, before any file is written, so bad configuration costs nothing
and leaves the previous repository in place.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..tomlfile import read_toml as read_toml_file

ENV_ADVISORY_ID = "SMERRATA_ADVISORY_ID"
ENV_SEVERITY = "SMERRATA_ADVISORY_SEVERITY"
ENV_SIGN_KEY = "SMERRATA_SIGN_KEY"
ENV_SIGN_KEY_FILE = "SMERRATA_SIGN_KEY_FILE"

# RHBA-YYYY:NNNN; Red Hat ids have four or five digits after the colon.
ADVISORY_ID = re.compile(r"^RHBA-(?P<year>\d{4}):(?P<number>\d{4,5})$")
SEVERITIES = ("None", "Low", "Moderate", "Important", "Critical")
TYPES = ("enhancement", "bugfix", "security")
FINGERPRINT = re.compile(r"^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{16})$")

_REQUIRED_TEXT = ("type", "severity", "title", "description", "release", "collection_short", "collection_name")


@dataclass(frozen=True)
class BugReference:
    id: str
    title: str
    href: str


@dataclass(frozen=True)
class AdvisorySettings:
    id: str
    type: str
    severity: str
    status: str
    title: str
    description: str
    release: str
    collection_short: str
    collection_name: str
    rights: str
    solution: str
    bugs: tuple[BugReference, ...]


@dataclass(frozen=True)
class SigningSettings:
    fingerprint: str | None = None
    key_file: Path | None = None
    ephemeral: bool = False

    @property
    def configured(self) -> bool:
        return self.ephemeral or self.fingerprint is not None or self.key_file is not None


@dataclass(frozen=True)
class ErrataSettings:
    source: Path
    advisory: AdvisorySettings
    signing: SigningSettings = field(default_factory=SigningSettings)


def read_toml(path: Path) -> dict[str, Any]:
    return read_toml_file(path, "advisory configuration not found; create it (see docs/errata.md) or pass --config")


def validate_advisory_id(value: str, origin: str) -> str:
    if not ADVISORY_ID.match(value):
        raise ConfigError(f"{origin}: advisory id {value!r} is malformed; use the form RHBA-YYYY:NNNN, e.g. RHBA-2026:0000")
    return value


def _text(table: dict[str, Any], key: str, path: Path, required: bool) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{path}: [advisory] {key} must be a string")
    value = value.strip()
    if required and not value:
        raise ConfigError(f"{path}: [advisory] {key} is missing; add it")
    return value


def _bugs(table: dict[str, Any], path: Path) -> tuple[BugReference, ...]:
    raw = table.get("bugs", [])
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{path}: [[advisory.bugs]] is missing; add the bugzilla reference (id, title, href)")
    bugs = []
    for entry in raw:
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) and entry.get(k) for k in ("id", "title", "href")):
            raise ConfigError(f"{path}: every [[advisory.bugs]] entry needs string id, title and href")
        if not entry["id"].isdigit():
            raise ConfigError(f"{path}: bug id {entry['id']!r} is not a bugzilla number")
        bugs.append(BugReference(id=entry["id"], title=entry["title"], href=entry["href"]))
    return tuple(bugs)


def load_settings(
    path: Path,
    *,
    environ: dict[str, str] | None = None,
    advisory_id: str | None = None,
    sign_key: str | None = None,
    ephemeral_key: bool = False,
) -> ErrataSettings:
    env = dict(os.environ if environ is None else environ)
    data = read_toml(path)
    table = data.get("advisory")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [advisory] table is missing; see docs/errata.md")

    if advisory_id:
        chosen_id, origin = advisory_id, "--advisory-id"
    elif env.get(ENV_ADVISORY_ID):
        chosen_id, origin = env[ENV_ADVISORY_ID], ENV_ADVISORY_ID
    else:
        chosen_id, origin = _text(table, "id", path, required=False), f"{path} [advisory] id"
        if not chosen_id:
            raise ConfigError(
                f"{path}: [advisory] id is missing; set it (RHBA-YYYY:NNNN), or pass --advisory-id / {ENV_ADVISORY_ID}"
            )
    validate_advisory_id(chosen_id, origin)

    texts = {key: _text(table, key, path, required=key in _REQUIRED_TEXT) for key in (*_REQUIRED_TEXT, "status", "rights", "solution")}
    severity = env.get(ENV_SEVERITY) or texts["severity"]
    if severity not in SEVERITIES:
        raise ConfigError(f"{path}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    if texts["type"] not in TYPES:
        raise ConfigError(f"{path}: [advisory] type {texts['type']!r} is not one of {', '.join(TYPES)}")

    advisory = AdvisorySettings(
        id=chosen_id,
        type=texts["type"],
        severity=severity,
        status=texts["status"] or "final",
        title=texts["title"],
        description=texts["description"],
        release=texts["release"],
        collection_short=texts["collection_short"],
        collection_name=texts["collection_name"],
        rights=texts["rights"],
        solution=texts["solution"],
        bugs=_bugs(table, path),
    )
    return ErrataSettings(source=path, advisory=advisory, signing=_signing(data, path, env, sign_key, ephemeral_key))


def _signing(data: dict[str, Any], path: Path, env: dict[str, str], sign_key: str | None, ephemeral: bool) -> SigningSettings:
    if ephemeral:
        return SigningSettings(ephemeral=True)
    table = data.get("signing", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [signing] must be a table")
    fingerprint = sign_key or env.get(ENV_SIGN_KEY) or str(table.get("key", "") or "").strip() or None
    key_file = Path(env[ENV_SIGN_KEY_FILE]) if env.get(ENV_SIGN_KEY_FILE) else None
    if fingerprint is not None and not FINGERPRINT.match(fingerprint.replace(" ", "")):
        raise ConfigError(f"{path}: signing key {fingerprint!r} is not a GPG fingerprint (40 hex digits) or long key id")
    if key_file is not None and not key_file.is_file():
        raise ConfigError(f"{key_file}: {ENV_SIGN_KEY_FILE} names no file; point it at an armored secret key")
    return SigningSettings(fingerprint=fingerprint.replace(" ", "") if fingerprint else None, key_file=key_file)
