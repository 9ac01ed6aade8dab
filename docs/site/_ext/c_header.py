"""Sphinx extension: the C reference, read from include/factorsense.h.

The directive ``.. c-header::`` renders the header in its own order: its opening comment, a
section for each ``/* ---- name */`` separator, and a C-domain entry (function, enum with its
enumerators, struct with its fields, type, macro) for each declaration, whose text is the doc
comment above it (the comment of a group of declarations, as the integer/real/text options
functions, is shown once for the group). Fields and enumerators get their trailing comments.
Names of the header in the text become links. Text is escaped, so a comment can hold any
character; lines indented beyond their paragraph (the header's aligned tables and formulas) stay
preformatted.

The build warns — an error under ``-W`` — for a function without a doc comment and for a
declaration this reader does not understand, so the page cannot silently drop part of the header.
"""
import re
import string
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)

SECTION = re.compile(r"/\*\s*-{5,}\s*(.+?)\s*\*/")
IDENTIFIER = re.compile(r"`([^`]+)`|\b(fs_\w+|FS_\w+)\b(\(\))?")
ROLES = {"function": "c:func", "macro": "c:macro", "enum": "c:enum", "enumerator": "c:enumerator",
         "struct": "c:struct", "type": "c:type"}
ESCAPED = set(string.punctuation)


# ------------------------------------------------------------------------------------------ reading

def top_level_items(text):
    """The header as (kind, text, line) items: "comment", "define" or "declaration" (up to its
    ';' at brace depth 0, comments inside included). Include guards, #include and the C++ guard
    are left out."""
    text = re.sub(r"#ifdef __cplusplus\n.*?#endif\n", "", text, flags=re.S)
    items, i = [], 0
    while i < len(text):
        line = text.count("\n", 0, i) + 1
        if text.startswith("/*", i):
            end = text.index("*/", i) + 2
            items.append(("comment", text[i:end], line))
            i = end
        elif text[i] == "#":
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            match = re.match(r"#define\s+(FS_\w+)", text[i:end])
            if match:
                items.append(("define", match.group(1), line))
            i = end
        elif text[i].isspace():
            i += 1
        else:
            end = _declaration_end(text, i)
            items.append(("declaration", text[i:end], line))
            i = end + 1
    return items


def _declaration_end(text, i):
    depth = 0
    while i < len(text):
        if text.startswith("/*", i):
            i = text.index("*/", i) + 2
            continue
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if text[i] == ";" and depth == 0:
            return i
        i += 1
    raise ValueError("a declaration without its ';' at the end of the header")


def comment_lines(comment):
    """The lines of a comment without its delimiters and leading ' * ', as (indent, text);
    None for a blank line."""
    body = comment[3:] if comment.startswith("/**") else comment[2:]
    body = body[:-2]
    lines = []
    for raw in body.split("\n"):
        raw = raw.rstrip()
        stripped = raw.lstrip()
        if stripped.startswith("*"):
            stripped = stripped[1:]
            if stripped.startswith(" "):
                stripped = stripped[1:]
        else:
            stripped = raw.lstrip() if not lines else raw.strip()
        text = stripped.lstrip(" ")
        lines.append((len(stripped) - len(text), text) if text else None)
    while lines and lines[0] is None:
        lines.pop(0)
    while lines and lines[-1] is None:
        lines.pop()
    return lines


def body_entries(body, separator):
    """The entries of an enum (separator ',') or struct (';') body as [declaration, comment
    text]: a comment that starts on the line an entry ends on is that entry's; a comment on a
    line of its own leads the next entry."""
    entries, leading, i, last_end_line = [], [], 0, -1
    while i < len(body):
        if body.startswith("/*", i):
            end = body.index("*/", i) + 2
            text = _joined(comment_lines(body[i:end]))
            line = body.count("\n", 0, i)
            if entries and line == last_end_line:
                entries[-1][1] = (entries[-1][1] + " " + text).strip()
            else:
                leading.append(text)
            i = end
        elif body[i].isspace():
            i += 1
        else:
            end = i
            while end < len(body) and body[end] != separator and not body.startswith("/*", end):
                end += 1
            entries.append([" ".join(body[i:end].split()), " ".join(leading)])
            leading = []
            last_end_line = body.count("\n", 0, end)
            i = end + 1 if end < len(body) and body[end] == separator else end
    return [entry for entry in entries if entry[0]]


def _joined(lines):
    return " ".join(text for indent_text in lines if indent_text for text in [indent_text[1]])


# ------------------------------------------------------------------------------------- the model

def classify(declaration):
    """(kind, name, signature, body) of one top-level declaration, or None when not understood."""
    flat = " ".join(declaration.split())
    match = re.fullmatch(r"typedef (enum|struct) (\w+) \{(.*)\} (\w+)", declaration.strip(), re.S)
    if match and match.group(2) == match.group(4):
        body = re.search(r"\{(.*)\}", declaration, re.S).group(1)
        return match.group(1), match.group(2), match.group(2), body
    match = re.fullmatch(r"typedef struct (\w+) (\w+)", flat)
    if match and match.group(1) == match.group(2):
        return "struct", match.group(1), match.group(1), None
    match = re.fullmatch(r"typedef .*\(\s*\*\s*(\w+)\s*\)\s*\(.*\)", flat)
    if match:
        return "type", match.group(1), flat[len("typedef "):], None
    match = re.fullmatch(r"[\w\s\*]+?\b(fs_\w+)\s*\(.*\)", flat)
    if match:
        return "function", match.group(1), flat, None
    return None


def read_header(path):
    """The header as a list of blocks: ("intro", lines), ("section", title) and ("entry", kind,
    [(name, signature, body)], comment lines, line); plus the names declared, by kind."""
    items = top_level_items(Path(path).read_text(encoding="utf-8"))
    blocks, names, comment, problems = [], {}, None, []
    for kind, text, line in items:
        if kind == "comment":
            section = SECTION.fullmatch(text)
            if section:
                blocks.append(("section", section.group(1)))
                comment = None
            elif not blocks:
                blocks.append(("intro", comment_lines(text)))
            else:
                comment = (comment_lines(text), [])
                blocks.append(("entry", comment))
            continue
        if kind == "define":
            declared = ("macro", text, text, None)
        else:
            declared = classify(text)
            if declared is None:
                problems.append((line, " ".join(text.split())[:80]))
                continue
        names[declared[1]] = declared[0]
        if declared[0] in ("enum",):
            for enumerator, _ in body_entries(declared[3], ","):
                names[enumerator.split("=")[0].strip()] = "enumerator"
        if comment is None:
            if declared[0] == "function":
                problems.append((line, f"{declared[1]} has no doc comment"))
            comment = ([], [])
            blocks.append(("entry", comment))
        comment[1].append(declared)
        if declared[0] != "function":
            comment = None   # a comment leads a group of functions, or one type
    return blocks, names, problems


# ------------------------------------------------------------------------------------ rendering

def inline(text, names):
    """reStructuredText for a line of plain text: every punctuation character escaped, names of
    the header as cross-references, `quoted` text as inline literals."""
    out, i = [], 0
    for match in IDENTIFIER.finditer(text):
        out.append(_escape(text[i:match.start()]))
        quoted, name, parentheses = match.groups()
        if quoted is not None:
            out.append(f"``{quoted}``" if "``" not in quoted and not quoted.endswith("\\") else _escape(match.group(0)))
        elif name in names:   # an explicit title: the text stays as the header wrote it
            out.append(f":{ROLES[names[name]]}:`{name}{parentheses or ''} <{name}>`")
        else:
            out.append(_escape(match.group(0)))
        i = match.end()
    out.append(_escape(text[i:]))
    return "".join(out)


def _escape(text):
    return "".join("\\" + c if c in ESCAPED else c for c in text)


def render(lines, names):
    """reStructuredText lines for comment lines: paragraphs, '- ' bullet lists (nested by
    indentation), and preformatted blocks for lines indented beyond their paragraph."""
    lines = [line for line in lines]
    out, i = [], 0
    while i < len(lines):
        if lines[i] is None:
            i += 1
            continue
        indent, text = lines[i]
        if indent == 0 and text.startswith("- "):
            item, i = [(0, text[2:])], i + 1
            while i < len(lines) and lines[i] is not None and lines[i][0] >= 2:
                item.append((lines[i][0] - 2, lines[i][1]))
                i += 1
            rendered = render(item, names)
            out += ["- " + rendered[0]] + ["  " + r if r else "" for r in rendered[1:]] + [""]
        elif indent == 0:
            paragraph, i = [text], i + 1
            while i < len(lines) and lines[i] is not None and lines[i][0] == 0 and not lines[i][1].startswith("- "):
                paragraph.append(lines[i][1])
                i += 1
            joined = " ".join(paragraph)
            followed_by_list = i < len(lines) and lines[i] is not None and lines[i][1].startswith("- ")
            if len(paragraph) == 1 and followed_by_list and not joined.endswith((".", ":", ")")):
                out += [".. rubric:: " + inline(joined, names), ""]
            else:
                out += [inline(joined, names), ""]
        else:
            block = []
            while i < len(lines) and lines[i] is not None and lines[i][0] > 0:
                block.append(lines[i])
                i += 1
            least = min(indent for indent, _ in block)
            out += ["::", ""] + ["   " + " " * (indent - least) + text for indent, text in block] + [""]
    return out


def render_entry(comment, declared, names):
    lines = []
    kind = declared[0][0]
    if kind == "function":
        signatures = [signature for _, _, signature, _ in declared]
        lines += [".. c:function:: " + signatures[0]] + ["   " + s for s in signatures[1:]]
    elif kind == "macro":
        lines += [".. c:macro:: " + declared[0][2]]
    elif kind == "type":
        lines += [".. c:type:: " + declared[0][2]]
    else:
        lines += [f".. c:{kind}:: {declared[0][2]}"]
    lines.append("")
    lines += ["   " + line if line else "" for line in render(comment, names)]
    if kind in ("enum", "struct") and declared[0][3] is not None:
        separator, member = (",", "enumerator") if kind == "enum" else (";", "member")
        for entry, text in body_entries(declared[0][3], separator):
            lines += [f"   .. c:{member}:: {entry}", ""]
            if text:
                lines += ["      " + inline(text, names), ""]
    return lines + [""]


def page(blocks, names):
    lines = []
    for block in blocks:
        if block[0] == "intro":
            lines += render(block[1], names)
        elif block[0] == "section":
            title = block[1][0].upper() + block[1][1:]
            lines += [title, "-" * len(title), ""]
        elif block[1][1]:
            lines += render_entry(block[1][0], block[1][1], names)
    return lines


class CHeader(SphinxDirective):
    """``.. c-header::``: the reference of the header named by the c_header_path setting."""

    def run(self):
        path = self.config.c_header_path
        self.env.note_dependency(path)
        blocks, names, problems = read_header(path)
        for line, problem in problems:
            logger.warning("%s:%d: %s (the C reference would leave it out)", path, line, problem,
                           location=(self.env.docname, self.lineno))
        content = StringList(page(blocks, names), source=path)
        container = nodes.container()
        nested_parse_with_titles(self.state, content, container)
        return container.children


def setup(app):
    app.add_config_value("c_header_path", "", "env")
    app.add_directive("c-header", CHeader)
    return {"parallel_read_safe": True, "env_version": 1}
