"""Fedora-style lookaside provider: <base>/<name>/<file>/<hashtype>/<hash>/<file>.

A base is a local directory or an http(s)/file URL. A local directory may also hold the file
flat (<dir>/<file>), which is how maintainers usually keep downloaded tarballs.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

from .cache import Cache

PACKAGE_NAME = "sendmail"


def candidate_locations(base: str, filename: str, algo: str, digest: str) -> list[str]:
    layout = f"{PACKAGE_NAME}/{filename}/{algo}/{digest}/{filename}"
    if "://" in base:
        return [f"{base.rstrip('/')}/{layout}"]
    root = Path(base).expanduser()
    return [str(root / layout), str(root / filename)]


def fetch_from_lookaside(
    cache: Cache, bases: list[str], filename: str, sha256: str, tried: list[str], timeout: float = 30.0
) -> Path | None:
    for base in bases:
        for location in candidate_locations(base, filename, "sha256", sha256):
            if "://" not in location:
                path = Path(location)
                if not path.is_file():
                    tried.append(f"lookaside {location}: no such file")
                    continue
                return cache.store_copy(sha256, filename, path)
            try:
                with urllib.request.urlopen(location, timeout=timeout) as response:  # noqa: S310 - configured URL
                    def write(tmp: Path, response=response) -> None:  # type: ignore[no-untyped-def]
                        with tmp.open("wb") as out:
                            shutil.copyfileobj(response, out)

                    return cache.store(sha256, filename, write, location)
            except (urllib.error.URLError, OSError) as exc:
                tried.append(f"lookaside {location}: {getattr(exc, 'reason', exc)}")
    return None
