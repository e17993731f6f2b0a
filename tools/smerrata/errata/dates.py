"""The advisory's issued/updated date: SOURCE_DATE_EPOCH, else the newest changelog entry.

Never the wall clock, so the same inputs give the same updateinfo.xml.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

from ..errors import ConfigError


def issued_date(changelog_times: list[int], environ: dict[str, str] | None = None) -> datetime:
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if not raw.isdigit():
            raise ConfigError(f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds; export e.g. SOURCE_DATE_EPOCH=1599004800 or unset it")
        try:
            return datetime.fromtimestamp(int(raw), tz=timezone.utc).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError) as exc:
            raise ConfigError(f"SOURCE_DATE_EPOCH={raw!r} is out of range ({exc}); use a Unix time in seconds") from exc
    if not changelog_times:
        raise ConfigError("no date for the advisory: SOURCE_DATE_EPOCH is unset and the SRPM has no %changelog; set one of them")
    return datetime.fromtimestamp(max(changelog_times), tz=timezone.utc).replace(tzinfo=None)


def epoch_of(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp())
