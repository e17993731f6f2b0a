"""Adaptation rules applied to an extracted piece before it is placed, each one reported.

- drop_conditionals: remove `#if SYMBOL ... #endif` groups (keeping an `#else` branch) for
  infrastructure the base lacks (DANE, MTA-STS);
- assume_false_calls: inside `if (...)` conditions, calls to these macros are taken as false and
  the condition is simplified (per-session TLS flags of 8.16+);
- drop_statements: remove statements that use helpers the base lacks;
- reindent_cpp: preprocessor lines take the base's nesting style (`# endif` vs `#endif`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import BackportConflict
from .ctext import code_view, cpp_directive, cpp_indent, statement_end


@dataclass(frozen=True)
class Applied:
    rule: str
    detail: str


def drop_conditionals(lines: list[str], symbols: tuple[str, ...]) -> tuple[list[str], list[Applied]]:
    out: list[str] = []
    applied: list[Applied] = []
    # stack entries: (dropping_this_group, keep_else_branch_active)
    stack: list[tuple[bool, str | None]] = []
    skipping = 0
    for number, line in enumerate(lines):
        directive = cpp_directive(line)
        if directive is not None:
            name, rest = directive
            if name in ("if", "ifdef", "ifndef"):
                target = rest if name != "if" else rest.strip()
                if skipping == 0 and name in ("if", "ifdef") and target in symbols:
                    stack.append((True, target))
                    skipping += 1
                    applied.append(Applied("drop_conditionals", f"removed #if {target} group (piece line {number + 1})"))
                    continue
                stack.append((False, None))
                if skipping:
                    skipping += 1
                    continue
            elif name == "else" and stack and stack[-1][0] and skipping == 1:
                # the #else branch of a dropped group is what the base gets
                skipping = 0
                stack[-1] = (True, "else")
                continue
            elif name == "endif" and stack:
                dropped, state = stack.pop()
                if dropped and state == "else":
                    continue
                if skipping:
                    skipping -= 1
                    continue
        if skipping:
            continue
        out.append(line)
    return out, applied


# -- condition simplification ----------------------------------------------------------------


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if text.startswith(("||", "&&"), i):
            tokens.append(text[i : i + 2])
            i += 2
            continue
        if char == "!" and not text.startswith("!=", i):
            tokens.append("!")
            i += 1
            continue
        if char in "()":
            tokens.append(char)
            i += 1
            continue
        j = i
        depth = 0
        while j < len(text):
            if depth == 0 and (text.startswith(("||", "&&"), j) or text[j] == ")"):
                break
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                depth -= 1
            j += 1
        tokens.append("ATOM:" + " ".join(text[i:j].split()))
        i = j
    return tokens


Expr = tuple  # ("or"|"and", [Expr]) | ("not", Expr) | ("atom", str) | ("const", bool)


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse_or(self) -> Expr:
        items = [self.parse_and()]
        while self.peek() == "||":
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else ("or", items)

    def parse_and(self) -> Expr:
        items = [self.parse_unary()]
        while self.peek() == "&&":
            self.take()
            items.append(self.parse_unary())
        return items[0] if len(items) == 1 else ("and", items)

    def parse_unary(self) -> Expr:
        token = self.take()
        if token == "!":
            return ("not", self.parse_unary())
        if token == "(":
            inner = self.parse_or()
            if self.take() != ")":
                raise ValueError("unbalanced parentheses")
            return inner
        if token.startswith("ATOM:"):
            return ("atom", token[5:])
        raise ValueError(f"unexpected token {token!r}")


def _simplify(expr: Expr, false_calls: tuple[str, ...]) -> Expr:
    kind = expr[0]
    if kind == "atom":
        if any(re.match(rf"^{re.escape(name)}\s*\(", expr[1]) for name in false_calls):
            return ("const", False)
        return expr
    if kind == "not":
        inner = _simplify(expr[1], false_calls)
        return ("const", not inner[1]) if inner[0] == "const" else ("not", inner)
    items = [_simplify(item, false_calls) for item in expr[1]]
    absorbing = kind == "or"  # True absorbs an or, False absorbs an and
    kept = []
    for item in items:
        if item[0] == "const":
            if item[1] == absorbing:
                return ("const", absorbing)
            continue
        kept.append(item)
    if not kept:
        return ("const", not absorbing)
    return kept[0] if len(kept) == 1 else (kind, kept)


def _render(expr: Expr, parent: str | None = None) -> str:
    kind = expr[0]
    if kind == "atom":
        return expr[1]
    if kind == "const":
        return "1" if expr[1] else "0"
    if kind == "not":
        inner = _render(expr[1], "not")
        return f"!{inner}" if expr[1][0] == "atom" and " " not in inner else f"!({inner})"
    text = f" {'||' if kind == 'or' else '&&'} ".join(_render(item, kind) for item in expr[1])
    return f"({text})" if parent in ("and", "not") or (parent == "or" and kind == "or") else text


def assume_false(lines: list[str], false_calls: tuple[str, ...]) -> tuple[list[str], list[Applied]]:
    """Simplify `if (...)` headers that call any of `false_calls`."""
    if not false_calls:
        return lines, []
    out = list(lines)
    applied: list[Applied] = []
    view = code_view(out)
    index = 0
    while index < len(out):
        match = re.match(r"^(\s*)if\s*\(", out[index])
        if not match or not any(name in "".join(view[index:index + 20]) for name in false_calls):
            index += 1
            continue
        depth = 0
        end = index
        text_parts: list[str] = []
        done = False
        for scan in range(index, len(out)):
            piece = out[scan]
            start_col = piece.index("(", piece.index("if")) if scan == index else 0
            for col in range(start_col, len(piece)):
                char = view[scan][col] if col < len(view[scan]) else piece[col]
                if char == "(":
                    depth += 1
                elif char == ")":
                    depth -= 1
                    if depth == 0:
                        text_parts.append(piece[start_col:col + 1])
                        end = scan
                        done = True
                        break
            if done:
                break
            text_parts.append(piece[start_col:])
        condition = " ".join(part.strip() for part in text_parts)
        inner = condition.strip()[1:-1]
        if not any(re.search(rf"\b{re.escape(name)}\s*\(", inner) for name in false_calls):
            index = end + 1
            continue
        try:
            simplified = _simplify(_Parser(_tokenize(inner)).parse_or(), false_calls)
        except (ValueError, IndexError) as exc:
            raise BackportConflict(f"cannot simplify the condition of an if statement ({exc}); add a [[resolution]] or adapt the rule") from exc
        if simplified[0] == "const":
            if simplified[1]:
                raise BackportConflict("a condition became always true after assume_false_calls; the piece needs a manual resolution")
            stmt_end = statement_end(out, index)
            applied.append(Applied("assume_false_calls", f"condition became false: statement of {stmt_end - index + 1} lines removed"))
            del out[index:stmt_end + 1]
            view = code_view(out)
            continue
        rendered = _render(simplified)
        if rendered.startswith("(") and rendered.endswith(")") and simplified[0] in ("or", "and"):
            rendered = rendered[1:-1]
        new_header = f"{match.group(1)}if ({rendered})"
        applied.append(Applied("assume_false_calls", f"condition simplified ({', '.join(false_calls)} taken as false): {len(inner.split())} tokens -> `if ({rendered})`"))
        out[index:end + 1] = [new_header]
        view = code_view(out)
        index += 1
    return out, applied


def drop_statements(lines: list[str], patterns: tuple[str, ...]) -> tuple[list[str], list[Applied]]:
    out = list(lines)
    applied: list[Applied] = []
    for pattern in patterns:
        regex = re.compile(pattern)
        index = 0
        while index < len(out):
            if regex.search(out[index]):
                end = statement_end(out, index)
                applied.append(Applied("drop_statements", f"removed statement matching /{pattern}/ ({end - index + 1} lines)"))
                del out[index:end + 1]
                continue
            index += 1
    return out, applied


def reindent_cpp(lines: list[str], base_depth: int) -> tuple[list[str], list[Applied]]:
    out: list[str] = []
    depth = base_depth
    changed = 0
    for line in lines:
        directive = cpp_directive(line)
        if directive is None:
            out.append(line)
            continue
        name = directive[0]
        if name in ("endif", "else", "elif"):
            level = depth - 1 if name == "endif" else depth - 1
        else:
            level = depth
        body = re.sub(r"^\s*#\s*", "", line)
        new_line = cpp_indent(max(level, 0)) + body
        if new_line != line:
            changed += 1
        out.append(new_line)
        if name in ("if", "ifdef", "ifndef"):
            depth += 1
        elif name == "endif":
            depth -= 1
    applied = [Applied("reindent_cpp", f"{changed} preprocessor line(s) re-indented to the base's nesting depth {base_depth}")] if changed else []
    return out, applied


def rename(lines: list[str], names: dict[str, str]) -> tuple[list[str], list[Applied]]:
    """Identifiers the base spells differently (a renamed label, macro or variable)."""
    out = list(lines)
    applied: list[Applied] = []
    for old, new in names.items():
        pattern = re.compile(rf"\b{re.escape(old)}\b")
        count = sum(len(pattern.findall(line)) for line in out)
        if count:
            out = [pattern.sub(new, line) for line in out]
            applied.append(Applied("rename", f"{old} -> {new} ({count} occurrence(s)), as the base names it"))
    return out, applied
