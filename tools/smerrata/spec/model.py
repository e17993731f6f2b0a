"""What the pipeline needs to know about sendmail.spec, read with `specfile` (rpm's own parser).

Parsing goes through rpm, so a broken spec is reported here, in one line, before any staging
directory or result exists.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError

# rpm's changelog header: "* Thu Dec 03 2026 Name <mail> - 8.15.2-33"
_HEADER_DATE = re.compile(r"^\*\s+\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{4})\b")
_MONTHS = {name: number for number, name in enumerate(calendar.month_abbr) if name}


@dataclass(frozen=True)
class SpecSource:
    number: int
    filename: str  # expanded, as rpmbuild looks it up in %_sourcedir
    is_patch: bool


@dataclass(frozen=True)
class SpecInfo:
    path: Path
    name: str
    version: str
    release: str  # unexpanded, e.g. "33%{?dist}"
    release_number: str  # without the dist tag, e.g. "33"
    changelog_header: str
    changelog_text: str
    source_date_epoch: int
    sources: tuple[SpecSource, ...]
    subpackages: tuple[str, ...]

    @property
    def patches(self) -> tuple[SpecSource, ...]:
        return tuple(item for item in self.sources if item.is_patch)

    def source(self, number: int) -> SpecSource:
        for item in self.sources:
            if not item.is_patch and item.number == number:
                return item
        raise ConfigError(f"{self.path}: has no Source{number}; add it to the spec")

    def patch(self, number: int) -> SpecSource:
        for item in self.patches:
            if item.number == number:
                return item
        raise ConfigError(f"{self.path}: has no Patch{number}; add it to the spec")


def changelog_epoch(header: str) -> int:
    """SOURCE_DATE_EPOCH as rpm derives it: midnight UTC of the top changelog entry's date."""
    match = _HEADER_DATE.match(header)
    if match is None or match.group(1) not in _MONTHS:
        raise ConfigError(f"changelog header {header!r} has no 'Www Mmm DD YYYY' date; fix the top %changelog entry")
    month, day, year = _MONTHS[match.group(1)], int(match.group(2)), int(match.group(3))
    return calendar.timegm((year, month, day, 0, 0, 0))


def read_spec(path: Path) -> SpecInfo:
    if not path.is_file():
        raise ConfigError(f"{path}: spec file missing; restore sendmail.spec in the checkout")
    try:
        import specfile  # imported here: it loads rpm's Python bindings, slow and optional for other commands

        spec = specfile.Specfile(str(path))
        name, version, release = spec.expanded_name, spec.expanded_version, spec.release
        with spec.changelog() as changelog:
            if not len(changelog):
                raise ConfigError(f"{path}: %changelog is empty; add the 8.15.2-33 entry")
            top = changelog[-1]
            header, text = top.header, "\n".join(top.content)
        items: list[SpecSource] = []
        with spec.sources() as sources:
            items += [SpecSource(s.number, spec.expand(s.filename), False) for s in sources]
        with spec.patches() as patches:
            items += [SpecSource(p.number, spec.expand(p.filename), True) for p in patches]
        with spec.sections() as sections:
            subs = [s.id.split(None, 1)[1] for s in sections if s.id.startswith("package ")]
    except ConfigError:
        raise
    except Exception as exc:  # specfile raises RPMException, ValueError, ... for a broken spec
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{path}: rpm cannot parse the spec ({first}); fix it (check with `rpmspec -P {path.name}`)") from exc
    release_number = release.split("%", 1)[0]
    subpackages = (name, *(f"{name}-{sub}" if not sub.startswith("-n ") else sub[3:] for sub in subs))
    return SpecInfo(
        path=path,
        name=name,
        version=version,
        release=release,
        release_number=release_number,
        changelog_header=header,
        changelog_text=text,
        source_date_epoch=changelog_epoch(header),
        sources=tuple(sorted(items, key=lambda s: (s.is_patch, s.number))),
        subpackages=subpackages,
    )
