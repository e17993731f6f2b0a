"""Just enough C, cpp, m4 and roff structure to find statements, blocks and their context.

Sources are handled as lists of lines (without newlines). Brace and parenthesis counting skips
preprocessor lines, string and character literals and comments, which is all sendmail's code
style needs.
"""

from __future__ import annotations

import functools
import re

CPP_LINE = re.compile(r"^\s*#\s*(\w+)\s*(.*)$")
_CPP_COMMENT = re.compile(r"/\*.*?\*/\s*$")
_WS = re.compile(r"\s+")


def is_cpp(line: str) -> bool:
    return CPP_LINE.match(line) is not None


def cpp_directive(line: str) -> tuple[str, str] | None:
    match = CPP_LINE.match(line)
    if not match:
        return None
    return match.group(1), _CPP_COMMENT.sub("", match.group(2)).strip()


@functools.lru_cache(maxsize=65536)
def normalize(line: str) -> str:
    """Compare lines the way a reader would: spacing and cpp indentation/trailers don't matter."""
    directive = cpp_directive(line)
    if directive is not None:
        name, rest = directive
        if name in ("endif", "else"):
            return f"#{name}"
        return f"#{name} {_WS.sub(' ', rest)}".strip()
    return _WS.sub(" ", line).strip()


def is_blank(line: str) -> bool:
    return not line.strip()


def _code_chars(line: str, in_comment: bool) -> tuple[str, bool]:
    """The line with literals and comments blanked; returns (code, still_in_comment)."""
    if not in_comment and not any(marker in line for marker in ('"', "'", "/")):
        return line, False
    out: list[str] = []
    i = 0
    while i < len(line):
        if in_comment:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            i = end + 2
            in_comment = False
            continue
        char = line[i]
        if line.startswith("/*", i):
            in_comment = True
            i += 2
            continue
        if line.startswith("//", i):
            break
        if char in "\"'":
            quote = char
            i += 1
            while i < len(line) and line[i] != quote:
                i += 2 if line[i] == "\\" else 1
            i += 1
            out.append("0")
            continue
        out.append(char)
        i += 1
    return "".join(out), in_comment


_VIEWS: dict[int, tuple[list[str], int, list[str]]] = {}


def code_view(lines: list[str]) -> list[str]:
    """Per line: code with comments/literals removed and cpp lines emptied (memoised per list)."""
    cached = _VIEWS.get(id(lines))
    if cached is not None and cached[0] is lines and cached[1] == len(lines):
        return cached[2]
    view = _compute_view(lines)
    if len(lines) > 200:
        _VIEWS[id(lines)] = (lines, len(lines), view)
    return view


def _compute_view(lines: list[str]) -> list[str]:
    view: list[str] = []
    in_comment = False
    for line in lines:
        if not in_comment and is_cpp(line):
            view.append("")
            continue
        code, in_comment = _code_chars(line, in_comment)
        view.append(code)
    return view


def find_function(lines: list[str], name: str) -> tuple[int, int] | None:
    """(first, last) line index of a function definition in sendmail's style: name at column 0,
    body between a '{' and a '}' at column 0."""
    header = re.compile(rf"^(?:[A-Za-z_][\w \t\*]*[ \t\*])?{re.escape(name)}\s*\(")
    for index, line in enumerate(lines):
        if header.match(line) and not line.rstrip().endswith(";"):
            for open_index in range(index + 1, min(index + 40, len(lines))):
                if lines[open_index].startswith("{"):
                    # Count braces: upstream sometimes puts an inner `}` at column 0.
                    return index, _block_end(code_view(lines), open_index)
                if lines[open_index].rstrip().endswith(";") and "(" not in lines[open_index] and not lines[open_index].startswith((" ", "\t")):
                    break
    return None


_CONTROL = re.compile(r"^\s*(?:\}\s*)?(if|else if|else|for|while|switch)\b")


def statement_end(lines: list[str], start: int, view: list[str] | None = None) -> int:
    """Last line of the statement that starts at `start` (a control statement includes its body)."""
    view = view or code_view(lines)
    index = start
    depth_paren = 0
    first = True
    while index < len(lines):
        code = view[index]
        if first:
            first = False
            control = _CONTROL.match(code)
            if control:
                # find the end of the controlling header, then the body
                header_end = index
                if control.group(1) != "else":
                    header_end = _matching_close(view, index, "(", ")")
                    tail = view[header_end].rsplit(")", 1)[-1] if control.group(1) != "else" else ""
                else:
                    tail = re.sub(r"^\s*(?:\}\s*)?else\b", "", view[index])
                if tail.strip().startswith("{"):
                    return _block_end(view, header_end)
                if tail.strip():
                    return _simple_end(view, header_end)
                body = header_end + 1
                while body < len(lines) and (not view[body].strip()):
                    body += 1
                end = statement_end(lines, body, view) if not view[body].strip().startswith("{") else _block_end(view, body)
                # an `else` that follows belongs to the same statement
                after = end + 1
                while after < len(lines) and not view[after].strip():
                    after += 1
                if after < len(lines) and re.match(r"^\s*else\b", view[after]) and control.group(1) in ("if", "else if"):
                    return statement_end(lines, after, view)
                return end
        for char in code:
            if char == "(":
                depth_paren += 1
            elif char == ")":
                depth_paren -= 1
            elif char == ";" and depth_paren == 0:
                return index
        index += 1
    return len(lines) - 1


def statement_start(lines: list[str], index: int, view: list[str] | None = None) -> int:
    """First line of the statement that line `index` belongs to (continuation lines walk back)."""
    view = view or code_view(lines)
    start = index
    while start > 0:
        previous = start - 1
        while previous > 0 and not view[previous].strip():
            previous -= 1
        text = view[previous].rstrip()
        if not text or text.endswith((";", "{", "}", ":")) or re.match(r"^\s*(?:else|(?:if|while|for)\s*\(.*\))\s*$", text):
            return start
        start = previous
    return start


def _simple_end(view: list[str], start: int) -> int:
    for index in range(start, len(view)):
        if ";" in view[index]:
            return index
    return len(view) - 1


def _matching_close(view: list[str], start: int, opening: str, closing: str) -> int:
    """Line of the bracket that closes the first `opening` at or after line `start`."""
    depth = 0
    opened = False
    for index in range(start, len(view)):
        for char in view[index]:
            if char == opening:
                depth += 1
                opened = True
            elif char == closing:
                depth -= 1
                if opened and depth == 0:
                    return index
    return len(view) - 1


def _block_end(view: list[str], start: int) -> int:
    return _matching_close(view, start, "{", "}")


def enclosing_block(lines: list[str], index: int) -> tuple[int, int]:
    """The `{...}` block around line `index`, with its header line (`else`, `if (...)`) included."""
    view = code_view(lines)
    depth = 0
    for scan in range(index, -1, -1):
        for char in reversed(view[scan]):
            if char == "}":
                depth += 1
            elif char == "{":
                if depth == 0:
                    end = _block_end(view, scan)
                    start = scan
                    if view[scan].strip() == "{":
                        header = scan - 1
                        while header >= 0 and not view[header].strip():
                            header -= 1
                        start = header
                    return start, end
                depth -= 1
    raise ValueError("no enclosing block")


def case_end(lines: list[str], start: int) -> int:
    view = code_view(lines)
    for index in range(start, len(lines)):
        if re.search(r"\bbreak\s*;", view[index]):
            return index
    return len(lines) - 1


def indented_entry_end(lines: list[str], start: int) -> int:
    index = start
    while index + 1 < len(lines) and lines[index + 1].startswith(("\t", " ")) and lines[index + 1].strip():
        index += 1
    return index


def roff_paragraph_end(lines: list[str], start: int) -> int:
    index = start + 1
    while index < len(lines) and not re.match(r"^\.(ip|sh|lp|pp|bp|\(b)\b", lines[index]):
        index += 1
    return index - 1


def leading_comment_start(lines: list[str], start: int) -> int:
    """Include the comment block (C or m4 '#'/'dnl') right above `start`."""
    index = start - 1
    if index < 0:
        return start
    line = lines[index].strip()
    if line.endswith("*/"):
        while index >= 0 and "/*" not in lines[index]:
            index -= 1
        return max(index, 0)
    if line.startswith(("#", "dnl")) and not is_cpp_directive_like(line):
        while index - 1 >= 0 and lines[index - 1].strip().startswith(("#", "dnl")) and not is_cpp_directive_like(lines[index - 1].strip()):
            index -= 1
        return index
    return start


def is_cpp_directive_like(line: str) -> bool:
    directive = cpp_directive(line)
    return directive is not None and directive[0] in {"if", "ifdef", "ifndef", "else", "elif", "endif", "define", "undef", "include", "error", "pragma"}


def cpp_stack(lines: list[str], index: int) -> list[str]:
    """Conditions of the #if groups open at line `index` (outermost first)."""
    stack: list[str] = []
    for line in lines[:index]:
        directive = cpp_directive(line)
        if directive is None:
            continue
        name, rest = directive
        if name in ("if", "ifdef", "ifndef"):
            stack.append(rest if name == "if" else f"{name} {rest}")
        elif name == "endif" and stack:
            stack.pop()
    return stack


def cpp_indent(depth: int) -> str:
    """sendmail's style: '#if' at depth 0, '# if' at depth 1, '#  if' at depth 2."""
    return "#" + " " * depth


IDENT = re.compile(r"\b[A-Za-z_]\w*\b")
