"""Load and validate a feature definition (patches/<feature>.toml) and its recorded resolutions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError
from ..tomlfile import read_toml

SELECT_KEYS = {"match", "from", "to", "extend", "occurrence", "with_comment"}
EXTEND_MODES = {"line", "statement", "enclosing-block", "case", "indented-entry", "roff-paragraph"}
ANCHOR_KEYS = {"after", "before", "before_label"}


@dataclass(frozen=True)
class Selector:
    match: str | None = None
    start: str | None = None
    end: str | None = None
    extend: str = "line"
    occurrence: int | None = None
    with_comment: bool = False


@dataclass(frozen=True)
class Anchor:
    after: str | None = None
    before: str | None = None
    before_label: str | None = None

    def describe(self) -> str:
        if self.before_label:
            return f"before label {self.before_label}:"
        if self.after:
            return f"after /{self.after}/"
        return f"before /{self.before}/"


@dataclass(frozen=True)
class Change:
    id: str
    what: str
    file: str
    base_file: str
    scope: str | None
    select: Selector
    action: str = "insert"
    base_select: Selector | None = None
    guard: str | None = None
    anchor: Anchor | None = None
    require_absent: tuple[str, ...] = ()
    since: str | None = None  # earliest listed donor carrying this change: older donors take it from there
    note: str | None = None  # what a reviewer should know (printed in the report)


@dataclass(frozen=True)
class Drop:
    file: str
    match: str
    reason: str


@dataclass(frozen=True)
class Rules:  # noqa: PLR0913 - one field per rule kind
    drop_conditionals: tuple[str, ...] = ()
    assume_false_calls: tuple[str, ...] = ()
    drop_statements: tuple[str, ...] = ()
    check_symbols_in: tuple[str, ...] = ()
    rename: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Resolution:
    change: str
    donor: str | None
    anchor: Anchor
    reason: str
    source: str


@dataclass(frozen=True)
class FeatureDefinition:
    path: Path
    id: str
    patch_name: str
    subject: str
    author: str
    date: str
    resolves: str
    description: str
    default_donor: str
    donors: tuple[str, ...]
    base: str
    coverage_symbols: tuple[str, ...]
    coverage_files: tuple[str, ...]
    rules: Rules
    changes: tuple[Change, ...]
    drops: tuple[Drop, ...]
    resolutions: tuple[Resolution, ...] = field(default=())

    def resolution_for(self, change_id: str, donor: str) -> Resolution | None:
        for resolution in self.resolutions:
            if resolution.change == change_id and resolution.donor in (None, donor):
                return resolution
        return None


def _fail(path: Path, where: str, problem: str, fix: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {problem}; {fix}")


def _check_keys(path: Path, where: str, table: dict[str, object], allowed: set[str], required: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _fail(path, where, f"unknown key(s) {', '.join(unknown)}", f"allowed keys: {', '.join(sorted(allowed))}")
    missing = sorted(required - set(table))
    if missing:
        raise _fail(path, where, f"missing key(s) {', '.join(missing)}", "add them")


def _regex(path: Path, where: str, pattern: object) -> str:
    if not isinstance(pattern, str):
        raise _fail(path, where, "pattern must be a string", "quote it as a TOML literal string '...'")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise _fail(path, where, f"bad regular expression /{pattern}/ ({exc})", "fix the pattern") from exc
    return pattern


def _selector(path: Path, where: str, table: object) -> Selector:
    if not isinstance(table, dict):
        raise _fail(path, where, "must be an inline table", "write select = { match = '...' }")
    _check_keys(path, where, table, SELECT_KEYS)
    extend = table.get("extend", "line")
    if extend not in EXTEND_MODES:
        raise _fail(path, where, f"unknown extend mode {extend!r}", f"use one of {', '.join(sorted(EXTEND_MODES))}")
    if ("match" in table) == ("from" in table):
        raise _fail(path, where, "needs exactly one of match or from/to", "write match = '...' or from = '...', to = '...'")
    if ("from" in table) != ("to" in table):
        raise _fail(path, where, "from and to go together", "add the missing one")
    occurrence = table.get("occurrence")
    if occurrence is not None and (not isinstance(occurrence, int) or occurrence < 1):
        raise _fail(path, where, "occurrence must be a positive integer", "count matches from 1")
    return Selector(
        match=_regex(path, where, table["match"]) if "match" in table else None,
        start=_regex(path, where, table["from"]) if "from" in table else None,
        end=_regex(path, where, table["to"]) if "to" in table else None,
        extend=str(extend),
        occurrence=occurrence,
        with_comment=bool(table.get("with_comment", False)),
    )


def _anchor(path: Path, where: str, table: object) -> Anchor:
    if not isinstance(table, dict):
        raise _fail(path, where, "must be an inline table", "write anchor = { after = '...' }")
    _check_keys(path, where, table, ANCHOR_KEYS)
    if len(table) != 1:
        raise _fail(path, where, "needs exactly one of after, before, before_label", "keep one")
    return Anchor(**{k: _regex(path, where, v) for k, v in table.items()})


CHANGE_KEYS = {"id", "what", "file", "base_file", "scope", "select", "action", "base_select", "guard", "anchor", "require_absent", "since", "note"}
FEATURE_KEYS = {"id", "patch_name", "subject", "author", "date", "resolves", "default_donor", "donors", "base", "description"}


def load_definition(path: Path) -> FeatureDefinition:
    data = read_toml(path, "no such feature definition; restore it from git or pass --definition")
    _check_keys(path, "top level", data, {"feature", "coverage", "rules", "change", "drop"}, {"feature", "change"})
    feature = data["feature"]
    _check_keys(path, "[feature]", feature, FEATURE_KEYS, FEATURE_KEYS)
    coverage = data.get("coverage", {})
    _check_keys(path, "[coverage]", coverage, {"symbols", "files"})
    rules_table = data.get("rules", {})
    _check_keys(path, "[rules]", rules_table, set(Rules.__dataclass_fields__))
    for key in ("drop_statements",):
        for pattern in rules_table.get(key, []):
            _regex(path, f"[rules] {key}", pattern)
    renames = rules_table.get("rename", {})
    if not isinstance(renames, dict) or not all(isinstance(k, str) and isinstance(v, str) and re.fullmatch(r"[A-Za-z_]\w*", v) for k, v in renames.items()):
        raise _fail(path, "[rules] rename", "must map identifiers to identifiers", "write rename = { donor_name = \"base_name\" }")
    rules = Rules(**{k: tuple(v) for k, v in rules_table.items() if k != "rename"}, rename=dict(renames))

    changes: list[Change] = []
    seen: set[str] = set()
    for index, table in enumerate(data["change"], start=1):
        where = f"[[change]] #{index} ({table.get('id', '?')})"
        _check_keys(path, where, table, CHANGE_KEYS, {"id", "what", "file", "select"})
        if table["id"] in seen:
            raise _fail(path, where, f"duplicate id {table['id']!r}", "give every change its own id")
        seen.add(table["id"])
        action = table.get("action", "insert")
        if action not in ("insert", "replace"):
            raise _fail(path, where, f"unknown action {action!r}", "use insert or replace")
        if (action == "replace") != ("base_select" in table):
            raise _fail(path, where, "replace needs base_select (and only replace takes it)", "add or remove base_select")
        changes.append(
            Change(
                id=table["id"],
                what=table["what"],
                file=table["file"],
                base_file=table.get("base_file", table["file"]),
                scope=table.get("scope"),
                select=_selector(path, f"{where} select", table["select"]),
                action=action,
                base_select=_selector(path, f"{where} base_select", table["base_select"]) if "base_select" in table else None,
                guard=table.get("guard"),
                anchor=_anchor(path, f"{where} anchor", table["anchor"]) if "anchor" in table else None,
                require_absent=tuple(_regex(path, f"{where} require_absent", p) for p in table.get("require_absent", [])),
                since=_since(path, where, table.get("since"), feature.get("donors", [])),
                note=table.get("note"),
            )
        )
    drops = []
    for index, table in enumerate(data.get("drop", []), start=1):
        where = f"[[drop]] #{index}"
        _check_keys(path, where, table, {"file", "match", "reason"}, {"file", "match", "reason"})
        drops.append(Drop(table["file"], _regex(path, where, table["match"]), table["reason"]))

    resolutions = _load_resolutions(path.with_suffix(".resolutions.toml"), seen)
    return FeatureDefinition(
        path=path,
        id=feature["id"],
        patch_name=feature["patch_name"],
        subject=feature["subject"],
        author=feature["author"],
        date=feature["date"],
        resolves=feature["resolves"],
        description=feature["description"].strip(),
        default_donor=feature["default_donor"],
        donors=tuple(feature["donors"]),
        base=feature["base"],
        coverage_symbols=tuple(_regex(path, "[coverage] symbols", s) for s in coverage.get("symbols", [])),
        coverage_files=tuple(coverage.get("files", [])),
        rules=rules,
        changes=tuple(changes),
        drops=tuple(drops),
        resolutions=resolutions,
    )


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _since(path: Path, where: str, value: object, donors: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in donors:
        raise _fail(path, f"{where} since", f"{value!r} is not one of the donors {donors}", "name a release listed in [feature] donors")
    return value


def _load_resolutions(path: Path, change_ids: set[str]) -> tuple[Resolution, ...]:
    """Placements a maintainer recorded after a conflict; later runs reuse them (and say so)."""
    if not path.is_file():
        return ()
    data = read_toml(path, "missing")
    _check_keys(path, "top level", data, {"resolution"})
    result = []
    for index, table in enumerate(data.get("resolution", []), start=1):
        where = f"[[resolution]] #{index}"
        _check_keys(path, where, table, {"change", "donor", "anchor", "reason"}, {"change", "anchor", "reason"})
        if table["change"] not in change_ids:
            raise _fail(path, where, f"names unknown change {table['change']!r}", "use an id from the feature definition")
        result.append(Resolution(table["change"], table.get("donor"), _anchor(path, where, table["anchor"]), table["reason"], str(path.name)))
    return tuple(result)
