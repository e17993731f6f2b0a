"""Port a feature definition from a donor tree onto a base tree, in memory.

Each [[change]] is extracted from the donor, adapted by the definition's rules, and placed on the
*original* base file (so placements never depend on each other); edits are applied at the end,
bottom-up. Every donor line that mentions a feature symbol must be ported or dropped with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BackportConflict, ConfigError
from . import rules as R
from .ctext import (
    IDENT,
    case_end,
    code_view,
    cpp_directive,
    cpp_stack,
    enclosing_block,
    find_function,
    indented_entry_end,
    leading_comment_start,
    normalize,
    roff_paragraph_end,
    statement_end,
    statement_start,
)
from .definition import Change, FeatureDefinition, Selector, version_key
from .place import Placement, by_anchor, by_context, conflict

DECLARES = re.compile(r"^\s*#\s*define\s+(\w+)|^\s*(?:EXTERN\s+)?(?:bool|int|long|char\s*\*?)\s+(\w+)\s*;")
C_KEYWORDS = {
    "if", "else", "for", "while", "do", "switch", "case", "break", "continue", "return", "goto", "sizeof",
    "int", "char", "bool", "void", "long", "unsigned", "short", "static", "extern", "const", "volatile",
    "struct", "union", "enum", "typedef", "register", "default", "true", "false", "NULL",
}


@dataclass
class PortedChange:
    change: Change
    donor_file: str
    donor_lines: tuple[int, int]  # 1-based, inclusive
    base_file: str
    placement: Placement
    new_lines: list[str]
    replaced: tuple[int, int] | None  # 0-based inclusive range of base lines replaced
    rules: list[R.Applied]
    base_range: tuple[int, int] = (0, 0)  # 1-based lines in the patched file, filled after applying
    present_in_base: bool = False
    donor_version: str = ""


@dataclass
class PortResult:
    donor: str
    changes: list[PortedChange]
    files: dict[str, tuple[list[str], list[str]]]  # path -> (base lines, patched lines)
    dropped: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unused_rules: list[str] = field(default_factory=list)

    def patched_text(self, rel: str) -> str:
        return "\n".join(self.files[rel][1]) + "\n"


_SCOPES: dict[tuple[int, int, int], tuple[list[str], list[tuple[int, str]]]] = {}


def _normalised_scope(base: list[str], scope: tuple[int, int]) -> list[tuple[int, str]]:
    key = (id(base), *scope)
    cached = _SCOPES.get(key)
    if cached is not None and cached[0] is base:
        return cached[1]
    first, last = scope
    lines = [(i, normalize(base[i])) for i in range(first, last + 1) if base[i].strip() and not _CPP_IF.match(base[i])]
    _SCOPES[key] = (base, lines)
    return lines


_CPP_IF = re.compile(r"^\s*#\s*(if|endif)\b")


def already_present(piece: list[str], base: list[str], scope: tuple[int, int]) -> int | None:
    """Index in `base` where the piece's non-blank lines already stand (normalised), if anywhere."""
    wanted = [normalize(line) for line in piece if line.strip() and not re.match(r"^\s*#\s*(if|endif)\b", line)]
    if not wanted:
        return None
    lines = _normalised_scope(base, scope)
    texts = [text for _, text in lines]
    for offset in range(len(texts) - len(wanted) + 1):
        if texts[offset] == wanted[0] and texts[offset:offset + len(wanted)] == wanted:
            return lines[offset][0]
    return None


def read_lines(path: Path) -> list[str]:
    """Lines without newlines; a final newline does not make an extra empty line."""
    text = path.read_text(encoding="latin-1")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class Porter:
    def __init__(
        self, definition: FeatureDefinition, donor_tree: Path, base_tree: Path, donor: str,
        tree_for: Callable[[str], Path] | None = None,
    ) -> None:
        self.definition = definition
        self.donor_tree = donor_tree
        self.base_tree = base_tree
        self.donor = donor
        # Trees of later releases, for changes marked `since` that this donor predates.
        self.tree_for = tree_for
        self._donor_files: dict[tuple[str, str], list[str]] = {}
        self._base_files: dict[str, list[str]] = {}
        self._base_symbols: set[str] | None = None
        self.fired: set[str] = set()
        symbols = definition.coverage_symbols
        self.feature_pattern = re.compile("|".join(f"(?:{s})" for s in symbols)) if symbols else None

    # -- file access -------------------------------------------------------------------------
    def donor_for(self, change: Change) -> str:
        """The release a change is taken from: the donor, or its `since` release if the donor predates it."""
        if change.since and version_key(self.donor) < version_key(change.since):
            return change.since
        return self.donor

    def tree_of(self, version: str) -> Path:
        if version == self.donor:
            return self.donor_tree
        if self.tree_for is None:
            raise BackportConflict(f"{self.definition.path}: a change needs sendmail {version} (since), which was not provided; fetch it or port from {version}")
        return self.tree_for(version)

    def donor_file(self, rel: str, version: str | None = None) -> list[str]:
        version = version or self.donor
        if (version, rel) not in self._donor_files:
            path = self.tree_of(version) / rel
            if not path.is_file():
                raise BackportConflict(f"{path}: donor {version} has no {rel}; fix file = \"{rel}\" in {self.definition.path.name}")
            self._donor_files[(version, rel)] = read_lines(path)
        return self._donor_files[(version, rel)]

    def base_file(self, rel: str) -> list[str]:
        if rel not in self._base_files:
            path = self.base_tree / rel
            if not path.is_file():
                raise BackportConflict(f"{path}: base has no {rel}; fix base_file in {self.definition.path.name}")
            self._base_files[rel] = read_lines(path)
        return self._base_files[rel]

    def base_symbols(self) -> set[str]:
        if self._base_symbols is None:
            found: set[str] = set()
            for directory in self.definition.rules.check_symbols_in:
                root = self.base_tree / directory
                for path in sorted(root.rglob("*")):
                    if path.suffix in (".c", ".h") and path.is_file():
                        found.update(IDENT.findall(path.read_text(encoding="latin-1")))
            self._base_symbols = found
        return self._base_symbols

    # -- extraction --------------------------------------------------------------------------
    def _scope(self, lines: list[str], name: str | None, where: str) -> tuple[int, int]:
        if name is None:
            return 0, len(lines) - 1
        span = find_function(lines, name)
        if span is None:
            raise BackportConflict(f"{where}: function {name}() not found; the scope in {self.definition.path.name} no longer fits")
        return span

    def select(self, lines: list[str], selector: Selector, scope: tuple[int, int], where: str) -> tuple[int, int]:
        first, last = scope
        if selector.match is not None:
            regex = re.compile(selector.match)
            hits = [i for i in range(first, last + 1) if regex.search(lines[i])]
            if selector.occurrence is not None:
                if len(hits) < selector.occurrence:
                    raise BackportConflict(f"{where}: /{selector.match}/ matches {len(hits)} line(s), occurrence {selector.occurrence} wanted; fix select in {self.definition.path.name}")
                hits = [hits[selector.occurrence - 1]]
            if not hits:
                raise BackportConflict(f"{where}: select /{selector.match}/ matches nothing; fix select in {self.definition.path.name}")
            if len(hits) > 1:
                raise BackportConflict(f"{where}: select /{selector.match}/ matches lines {', '.join(str(h + 1) for h in hits)}; add occurrence = N or a narrower pattern in {self.definition.path.name}")
            start = hits[0]
            if selector.extend == "statement":
                start = statement_start(lines, start)
            end = self._extend(lines, start, selector.extend, where)
            if selector.extend == "statement":
                start = self._controlling_header(lines, start, first)
        else:
            assert selector.start is not None and selector.end is not None
            start_re, end_re = re.compile(selector.start), re.compile(selector.end)
            starts = [i for i in range(first, last + 1) if start_re.search(lines[i])]
            if len(starts) != 1:
                raise BackportConflict(f"{where}: from /{selector.start}/ matches {len(starts)} lines, need exactly 1; fix select in {self.definition.path.name}")
            start = starts[0]
            ends = [i for i in range(start, last + 1) if end_re.search(lines[i])]
            if not ends:
                raise BackportConflict(f"{where}: to /{selector.end}/ matches nothing after line {start + 1}; fix select in {self.definition.path.name}")
            end = ends[0]
        if selector.with_comment:
            start = leading_comment_start(lines, start)
        return start, end

    def _extend(self, lines: list[str], start: int, mode: str, where: str) -> int:
        if mode == "line":
            return start
        if mode == "statement":
            return statement_end(lines, start)
        if mode == "case":
            return case_end(lines, start)
        if mode == "indented-entry":
            return indented_entry_end(lines, start)
        if mode == "roff-paragraph":
            return roff_paragraph_end(lines, start)
        if mode == "enclosing-block":
            return enclosing_block(lines, start)[1]
        raise ConfigError(f"{where}: unknown extend mode {mode}")

    @staticmethod
    def _controlling_header(lines: list[str], start: int, floor: int) -> int:
        """A statement that is the body of a brace-less `if (...)` is taken with its header."""
        view = code_view(lines)
        previous = start - 1
        while previous > floor and not view[previous].strip():
            previous -= 1
        if re.match(r"^\s*(?:if\s*\(.*\)|else)\s*$", view[previous]) and not view[start].strip().startswith("{"):
            return previous
        return start

    # -- porting ------------------------------------------------------------------------------
    def extract(self, change: Change) -> tuple[int, int, list[str], list[R.Applied]]:
        """Donor lines of one change (0-based span) and the piece after the definition's rules."""
        version = self.donor_for(change)
        where = f"{change.file} [{change.id}] donor {version}"
        donor = self.donor_file(change.file, version)
        donor_scope = self._scope(donor, change.scope, where)
        start, end = self.select(donor, change.select, donor_scope, where)
        if change.select.extend == "enclosing-block":
            start, end = enclosing_block(donor, start)
        piece = donor[start:end + 1]
        applied: list[R.Applied] = []
        rules = self.definition.rules
        self._note_rule_targets(piece)
        if change.base_file.endswith((".c", ".h")):
            piece, more = R.drop_conditionals(piece, rules.drop_conditionals)
            applied += more
            piece, more = R.drop_statements(piece, rules.drop_statements)
            applied += more
            piece, more = R.assume_false(piece, rules.assume_false_calls)
            applied += more
            piece, more = R.rename(piece, rules.rename)
            applied += more
        return start, end, piece, applied

    def _note_rule_targets(self, piece: list[str]) -> None:
        """Remember which rule entries have something to act on in this donor's pieces."""
        rules = self.definition.rules
        text = "\n".join(piece)
        for symbol in rules.drop_conditionals:
            if any(cpp_directive(line) in (("if", symbol), ("ifdef", symbol)) for line in piece):
                self.fired.add(f"drop_conditionals {symbol}")
        for name in rules.assume_false_calls:
            if re.search(rf"\b{re.escape(name)}\s*\(", text):
                self.fired.add(f"assume_false_calls {name}")
        for pattern in rules.drop_statements:
            if any(re.search(pattern, line) for line in piece):
                self.fired.add(f"drop_statements {pattern}")
        for name in rules.rename:
            if re.search(rf"\b{re.escape(name)}\b", text):
                self.fired.add(f"rename {name}")

    def unused_rules(self) -> list[str]:
        """Rule entries that found nothing to act on in any piece of this donor."""
        rules = self.definition.rules
        every = [f"drop_conditionals {s}" for s in rules.drop_conditionals]
        every += [f"assume_false_calls {n}" for n in rules.assume_false_calls]
        every += [f"drop_statements {p}" for p in rules.drop_statements]
        every += [f"rename {n}" for n in rules.rename]
        return [entry for entry in every if entry not in self.fired]

    def port_change(self, change: Change) -> PortedChange:
        ported = self._port_change(change)
        ported.donor_version = self.donor_for(change)
        return ported

    def _port_change(self, change: Change) -> PortedChange:
        version = self.donor_for(change)
        donor = self.donor_file(change.file, version)
        start, end, piece, applied = self.extract(change)
        is_c = change.base_file.endswith((".c", ".h"))
        base = self.base_file(change.base_file)
        base_where = f"{change.base_file} [{change.id}]"
        base_scope = self._scope(base, change.scope, base_where)
        if change.base_file != change.file:
            applied.append(R.Applied("relocate", f"{change.file} does not exist in {self.definition.base}; declaration moved to {change.base_file}"))
        replaced: tuple[int, int] | None = None
        resolution = self.definition.resolution_for(change.id, self.donor)
        present = already_present(piece, base, base_scope)
        if present is None and change.base_file != change.file and (self.base_tree / change.file).is_file():
            original = self.base_file(change.file)
            if already_present(piece, original, (0, len(original) - 1)) is not None:
                return PortedChange(change, change.file, (start + 1, end + 1), change.file,
                                    Placement(0, "already present", f"the base already declares it in {change.file}"), [], None, applied, present_in_base=True)
        if present is not None:
            placement = Placement(present, "already present", "the base already contains these lines (normalised); nothing to change")
            return PortedChange(change, change.file, (start + 1, end + 1), change.base_file, placement, [], None, applied, present_in_base=True)
        for pattern in change.require_absent:
            hits = [i + 1 for i, line in enumerate(base) if re.search(pattern, line)]
            if hits:
                raise BackportConflict(f"{change.base_file}: /{pattern}/ already used at line(s) {hits} in the base, so [{change.id}] would collide; pick another value in a resolution")
            applied.append(R.Applied("require_absent", f"checked /{pattern}/ is unused in base {change.base_file}"))

        if change.action == "replace":
            assert change.base_select is not None
            b_start, b_end = self.select(base, change.base_select, base_scope, base_where)
            replaced = (b_start, b_end)
            placement = Placement(b_start, "replace", f"base statement at lines {b_start + 1}-{b_end + 1} found by base_select")
            base_text = base[b_start:b_end + 1]
            if "{" not in "".join(code_view(base_text)) and "{" in "".join(code_view(piece)):
                applied.append(R.Applied("braces_added", f"the base's brace-less statement (lines {b_start + 1}-{b_end + 1}) becomes a braced block"))
        elif resolution is not None:
            placement, hits = by_anchor(base, base_scope, resolution.anchor, strategy="resolution")
            if placement is None:
                raise conflict(change.id, change.base_file, (start, end), f"recorded resolution ({resolution.source}) {resolution.anchor.describe()} matches {len(hits)} sites", hits, base)
            placement = Placement(placement.position, "resolution", f"{resolution.anchor.describe()} recorded in {resolution.source}: {resolution.reason}")
        else:
            placement, candidates, why = by_context(donor, (start, end), base, base_scope, self.feature_pattern)
            if placement is None and change.anchor is not None:
                anchored, hits = by_anchor(base, base_scope, change.anchor)
                if anchored is None:
                    raise conflict(change.id, change.base_file, (start, end), f"{why}; anchor {change.anchor.describe()} matches {len(hits)} sites", hits or candidates, base)
                placement = Placement(anchored.position, "anchor", f"{why}; placed {change.anchor.describe()} (declared in the definition)")
            elif placement is None:
                raise conflict(change.id, change.base_file, (start, end), why, candidates, base)

        if is_c:
            open_conditions = cpp_stack(base, placement.position)
            if change.guard and normalize(f"#if {change.guard}") not in [normalize("#if " + c) for c in open_conditions]:
                piece = [f"#if {change.guard}", *piece, "#endif"]
                applied.append(R.Applied("guard", f"wrapped in #if {change.guard} (the base site is outside any such group)"))
            if replaced is not None:
                # Directives the replaced base lines already have keep the base's own spelling.
                originals = {normalize(line): line for line in base[replaced[0]:replaced[1] + 1] if cpp_directive(line)}
                kept = [originals.get(normalize(line), line) if cpp_directive(line) else line for line in piece]
                if kept != piece:
                    applied.append(R.Applied("keep_base_cpp", "preprocessor lines shared with the replaced base lines keep the base's spelling"))
                piece = kept
            else:
                piece, more = R.reindent_cpp(piece, len(open_conditions))
                applied += more

        if change.action == "insert":
            if start > 0 and not donor[start - 1].strip() and placement.position > 0 and base[placement.position - 1].strip():
                piece = ["", *piece]
            next_base = base[placement.position] if placement.position < len(base) else ""
            closes_group = is_c and re.match(r"^\s*#\s*(endif|else|elif)\b", next_base) is not None
            if end + 1 < len(donor) and not donor[end + 1].strip() and next_base.strip() and not closes_group:
                piece = [*piece, ""]
        return PortedChange(change, change.file, (start + 1, end + 1), change.base_file, placement, piece, replaced, applied)

    def _check_symbols(self, item: PortedChange, provided: set[str]) -> None:
        """Every identifier a ported C piece uses exists in the base or is declared by the port."""
        if not item.base_file.endswith((".c", ".h")) or not self.definition.rules.check_symbols_in:
            return
        known = self.base_symbols() | provided
        used = set()
        for code in code_view(item.new_lines):
            used.update(IDENT.findall(code))
        missing = sorted(used - known - C_KEYWORDS)
        if not missing:
            return
        where = f"{self.base_tree / item.base_file} [{item.change.id}] donor {self.donor}"
        text = "\n".join(code_view(item.new_lines))
        labels = [name for name in missing if re.search(rf"\bgoto\s+{re.escape(name)}\s*;", text)]
        if labels:
            # A jump target the base lacks: the control flow around the site changed, which no
            # rule can paper over.
            raise BackportConflict(
                f"{where}: jumps to label {', '.join(labels)}:, which {self.definition.base} does not have (renamed or moved?); "
                f"if the base names it differently add [rules] rename = {{ {labels[0]} = \"<base label>\" }} to {self.definition.path.name}, "
                f"otherwise the retry cannot be ported onto this base"
            )
        raise BackportConflict(
            f"{where}: uses {', '.join(missing)}, which {self.definition.base} does not have; "
            f"add a rule in {self.definition.path.name} (drop_conditionals, assume_false_calls, drop_statements) or a resolution"
        )

    def extract_all(self) -> dict[str, list[str]]:
        """Every change's adapted piece, without a base (checks a donor on its own); runs coverage."""
        pieces: dict[str, list[str]] = {}
        covered: dict[str, set[int]] = {}
        for change in self.definition.changes:
            start, end, piece, _ = self.extract(change)
            pieces[change.id] = piece
            if self.donor_for(change) == self.donor:
                covered.setdefault(change.file, set()).update(range(start + 1, end + 2))
        self.coverage(covered)
        return pieces

    def coverage(self, covered: dict[str, set[int]]) -> list[str]:
        """Every donor line with a feature symbol is ported or dropped; returns the drop notes."""
        if self.feature_pattern is None:
            return []
        notes: list[str] = []
        missing: list[str] = []
        for rel in self.definition.coverage_files:
            path = self.donor_tree / rel
            if not path.is_file():
                continue
            lines = read_lines(path)
            drops = [d for d in self.definition.drops if d.file == rel]
            for number, line in enumerate(lines, start=1):
                if not self.feature_pattern.search(line) or number in covered.get(rel, set()):
                    continue
                reason = next((d.reason for d in drops if re.search(d.match, line)), None)
                if reason is None:
                    missing.append(f"{rel}:{number}")
                else:
                    notes.append(f"{rel}:{number}: not ported: {reason}")
        if missing:
            raise BackportConflict(
                f"{self.definition.path}: donor {self.donor} lines mention the feature but no [[change]] or [[drop]] covers them: "
                f"{', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}; extend the definition"
            )
        return notes

    def run(self) -> PortResult:
        ported = [self.port_change(change) for change in self.definition.changes]
        provided: set[str] = set()
        for item in ported:
            for line in item.new_lines:
                provided.update(name for pair in DECLARES.findall(line) for name in pair if name)
        for item in ported:
            self._check_symbols(item, provided)
        covered: dict[str, set[int]] = {}
        for item in ported:
            if item.donor_version == self.donor:
                covered.setdefault(item.donor_file, set()).update(range(item.donor_lines[0], item.donor_lines[1] + 1))
        dropped = self.coverage(covered)
        files: dict[str, tuple[list[str], list[str]]] = {}
        for rel in sorted({p.base_file for p in ported}):
            base = self.base_file(rel)
            edits = sorted((p for p in ported if p.base_file == rel and not p.present_in_base), key=lambda p: (p.placement.position, p.change.id))
            for left, right in zip(edits, edits[1:]):
                left_end = left.replaced[1] if left.replaced else left.placement.position - 1
                if right.placement.position <= left_end:
                    raise BackportConflict(f"{rel}: changes {left.change.id} and {right.change.id} overlap at base line {right.placement.position + 1}; record a resolution for one of them")
            patched: list[str] = []
            cursor = 0
            for edit in edits:
                patched.extend(base[cursor:edit.placement.position])
                first_new = len(patched) + 1
                patched.extend(edit.new_lines)
                edit.base_range = (first_new, len(patched))
                cursor = edit.replaced[1] + 1 if edit.replaced else edit.placement.position
            patched.extend(base[cursor:])
            files[rel] = (base, patched)
        result = PortResult(self.donor, ported, files, dropped, unused_rules=self.unused_rules())
        for item in ported:
            for applied in item.rules:
                if applied.rule == "require_absent":
                    result.checks.append(f"{item.change.id}: {applied.detail}")
        return result
