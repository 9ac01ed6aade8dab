"""Mutant schemata: every listed bug written into one scratch tree as a run-time switch.

Bug N is written so that it is live only when the process was started with the environment
variable FACTORSENSE_MUTANT=N (read once, at load), so one build of the scratch tree holds every
mutant and `FACTORSENSE_MUTANT=N <suite>` runs mutant N; with the variable unset the tree
computes what the real one does. The rewrite of the entry's `from` text F into its `to` text T
takes one of four forms:

- `statement`: `if ON(N) { T } else { F }` — F is one or more whole statements;
- `expression`: `(ON(N) ? (T) : (F))` — F is an expression (a leading `try` is hoisted);
- `span`: the same, on the smallest run of whole tokens where F and T differ (widened until it
  is an operand on both sides): `0.5 * w` → `0.25 * w` becomes `(ON(N) ? (0.25) : (0.5)) * w`;
- `rebuild`: no switch: the bug is put into the file and the library rebuilt for it alone
  (declarations, types and anything else a switch cannot hold).

ON(N) is `fsMutant(N)` in Swift and `(fs_mutant_active == N)` in C. An entry may name its form
(`schema:`); otherwise `candidates` orders the plausible forms, and `write` drops to the next one
for every mutant whose rewrite the compiler refuses, build after build, until the tree compiles.
"""
import re
from pathlib import Path

VARIABLE = "FACTORSENSE_MUTANT"
SWIFT_SWITCH = f'''// Written by scripts/mutation/schemata.py into the mutation check's scratch tree only.
#if canImport(Glibc)
import Glibc
#endif

/// The mutant this process runs: {VARIABLE}=N, read once; 0 (none) when unset.
let fsMutantActive: Int = getenv("{VARIABLE}").flatMap {{ Int(String(cString: $0)) }} ?? 0

/// Whether mutant `n` is live in this process.
@inline(__always) func fsMutant(_ n: Int) -> Bool {{ fsMutantActive == n }}
'''
C_SWITCH = f'''/* Written by scripts/mutation/schemata.py into the mutation check's scratch tree only. */
#include <stdlib.h>

/* The mutant this process runs: {VARIABLE}=N, read once at load; 0 (none) when unset. */
int fs_mutant_active = 0;

__attribute__((constructor)) static void fs_mutant_read(void) {{
    const char *value = getenv("{VARIABLE}");
    fs_mutant_active = value ? atoi(value) : 0;
}}
'''
C_DECLARATION = "extern int fs_mutant_active; "  # put before line 1 of a mutated C file: no line moves

TOKEN = re.compile(r"\$\d+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\w*|\w+|\.\.<|\.\.\.|<=|>=|==|!=|&&|\|\||\?\?|[-+*/]=|&[-+*]|->|\S")
DECLARATION = re.compile(r"^(let|var|static|private|fileprivate|public|internal|guard|case|func|init|return\b|}|else)\b")
OPENERS = {"(": ")", "[": "]", "{": "}"}
# How tightly each binary operator binds (Swift's precedence groups; the C kernels' mutants are
# whole statements). A parenthesized run of tokens is a subtree of the original expression only
# if every operator at its top level binds tighter than the operators just outside it.
PRECEDENCE = {**dict.fromkeys(["*", "/", "%", "&*", "&"], 150), **dict.fromkeys(["+", "-", "&+", "&-", "|", "^"], 140),
              **dict.fromkeys(["..<", "..."], 135), "??": 131,
              **dict.fromkeys(["<", "<=", ">", ">=", "==", "!="], 130), "&&": 120, "||": 110,
              **dict.fromkeys(["?", ":"], 100), **dict.fromkeys(["=", "+=", "-=", "*=", "/="], 90)}
# Tokens that end an expression on their side whatever it holds.
BEFORE_ALL = {None, "(", "[", ",", "{", ";", "return", "in", "if", "while", "guard", "try"}
AFTER_ALL = {None, ")", "]", ",", ";", "}", "{"}


def language(path):
    return "c" if str(path).endswith((".c", ".h")) else "swift"


def switch_on(m, lang):
    return f"fsMutant({m.number})" if lang == "swift" else f"(fs_mutant_active == {m.number})"


def candidates(m, line):
    """The forms to try for mutant `m`, whose `from` text stands in `line`, best first."""
    if m.schema:
        return [m.schema]
    lang = language(m.file)
    code = line.split("//")[0].strip() if lang == "swift" else line.rstrip("\\").strip()
    f = split_comment(m.original, lang)[0].strip()
    whole = (f.endswith(";") if lang == "c" else (f == code and not DECLARATION.match(f)))
    opens_block = f.endswith(("{", ",", "(", "[")) or top_level(TOKEN.findall(f)) is None
    forms = (["statement"] if whole and not opens_block else []) + ["span", "expression", "rebuild"]
    return forms


def top_level(tokens):
    """The tokens at bracket depth 0, or None if the brackets do not balance."""
    depth, out = [], []
    for t in tokens:
        if t in OPENERS:
            depth.append(OPENERS[t])
        elif t in OPENERS.values():
            if not depth or depth.pop() != t:
                return None
        elif not depth:
            out.append(t)
    return out if not depth else None


def binary_operators(tokens):
    """The binary operators at the top level of a balanced run (a sign after nothing or after
    another operator is unary)."""
    out, previous = [], None
    for t in top_level(tokens):
        if t in PRECEDENCE and previous is not None and previous not in PRECEDENCE:
            out.append(t)
        previous = t
    return out


def operand(tokens, before, after, before_unary=False):
    """Whether a run of tokens between `before` and `after` is a whole subexpression, so that
    parenthesizing it changes nothing: balanced, no top-level comma, starting and ending as an
    operand does, and binding tighter than the operators on either side of it."""
    level = top_level(tokens) if tokens else None
    if level is None or "," in level or ";" in level:
        return False
    word = re.compile(r"\$?\w[\w.]*|\d[\w.]*[eE][-+]?\d+")
    if not (word.fullmatch(tokens[0]) or tokens[0] in ("(", "-", "!", ".")) or tokens[0] == "." and before != "(":
        return False
    if not (word.fullmatch(tokens[-1]) or tokens[-1] in (")", "]", "}")):
        return False
    if tokens[0] in ("(", "[") and before is not None and (word.fullmatch(before) or before in (")", "]")):
        return False  # a call's or a subscript's brackets: not an operand of their own
    if before in (".", "&") or after in ("(", "[", ".", "!", "?"):
        return False  # the middle of a member chain, an inout argument, or a postfix
    if before_unary and binary_operators(tokens):
        return False  # -a * b is (-a) * b: a sign binds tighter than any binary operator
    inside = [PRECEDENCE[o] for o in binary_operators(tokens)]
    tightest_inside = min(inside, default=1000)
    if before not in BEFORE_ALL and not (before in PRECEDENCE and tightest_inside > PRECEDENCE[before]):
        return False
    if after not in AFTER_ALL and not (after in PRECEDENCE and tightest_inside >= PRECEDENCE[after]):
        return False
    return True


def spans(text):
    return [(match.start(), match.end()) for match in TOKEN.finditer(text)]


def differing_span(f, t, left="", right=""):
    """The character ranges, in f and in t, of the smallest runs of whole tokens that hold every
    difference between them and are whole subexpressions on both sides; None if there are none.
    `left` and `right` are the text of the line on either side of f."""
    context_left, context_right = TOKEN.findall(left), TOKEN.findall(right)
    fs, ts = spans(f), spans(t)
    ftok, ttok = [f[a:b] for a, b in fs], [t[a:b] for a, b in ts]
    prefix = 0
    while prefix < min(len(ftok), len(ttok)) and ftok[prefix] == ttok[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(ftok), len(ttok)) - prefix and ftok[-1 - suffix] == ttok[-1 - suffix]:
        suffix += 1
    for widening in range(prefix + suffix + 1):
        for left in range(min(widening, prefix) + 1):
            right = widening - left
            if right > suffix:
                continue
            lo, fhi, thi = prefix - left, len(ftok) - suffix + right, len(ttok) - suffix + right
            ahead = context_left + ftok[:lo]
            before = ahead[-1] if ahead else None
            unary = before in ("-", "!") and (len(ahead) < 2 or ahead[-2] in PRECEDENCE or ahead[-2] in BEFORE_ALL)
            behind = ftok[fhi:] + context_right
            after = behind[0] if behind else None
            if operand(ftok[lo:fhi], before, after, unary) and operand(ttok[lo:thi], before, after, unary):
                return (fs[lo][0], fs[fhi - 1][1]), (ts[lo][0], ts[thi - 1][1])
    return None


def split_comment(text, lang):
    """(code, comment) of a Swift fragment with a trailing `//` comment; C fragments have none."""
    if lang == "swift" and "//" in text:
        code, comment = text.split("//", 1)
        return code.rstrip(), "  //" + comment
    return text, ""


def rewrite(m, form, line):
    """The text that replaces `m.original` in `line` (the line of its file it stands in) for one
    form, or None if the form cannot apply (`rebuild`, or a `span` with no subexpression run)."""
    lang = language(m.file)
    on = switch_on(m, lang)
    f, comment = split_comment(m.original, lang)
    t, _ = split_comment(m.replacement, lang)
    if form == "statement":
        switch = f"if {on} {{ {t} }} else {{ {f} }}" if lang == "swift" else f"if ({on}) {{ {t} }} else {{ {f} }}"
        return switch + comment
    if form == "expression":
        hoist = ""
        for keyword in ("try ", "try? "):
            if f.startswith(keyword) and t.startswith(keyword):
                hoist, f, t = keyword, f[len(keyword):], t[len(keyword):]
        return f"{hoist}({on} ? ({t}) : ({f})){comment}"
    if form == "span":
        at = line.index(m.original)
        found = differing_span(f, t, line[:at], line[at + len(m.original):])
        if found is None:
            return None
        (fa, fb), (ta, tb) = found
        return f"{f[:fa]}({on} ? ({t[ta:tb]}) : ({f[fa:fb]})){f[fb:]}{comment}"
    return None


def module_root(relative):
    """Sources/<Target>: the folder of the target a source file belongs to."""
    parts = Path(relative).parts
    return Path(*parts[:2])


class Schemata:
    """The switches of a set of mutants in one scratch tree, and which form each one has."""

    def __init__(self, tree, mutants, pristine):
        self.tree = Path(tree)
        self.mutants = mutants
        self.pristine = pristine  # relative path -> the file's text in the real tree
        self.forms, self.lines = {}, {}
        for m in mutants:
            self.lines[m.name] = line = next(l for l in pristine[m.file].splitlines() if m.original in l)
            # An entry's own `schema:` that cannot apply (a span with no subexpression run) falls
            # back to a rebuild rather than to nothing.
            self.forms[m.name] = [f for f in candidates(m, line) if f == "rebuild" or rewrite(m, f, line) is not None] \
                or ["rebuild"]

    def form(self, m):
        return self.forms[m.name][0]

    def switched(self):
        return [m for m in self.mutants if self.form(m) != "rebuild"]

    def write(self):
        """Writes every mutated file of the scratch tree from its pristine text with the current
        forms, and the switch's own source into each target that has one. Returns {(file, line):
        [mutants]}."""
        lines = {}
        by_file = {}
        for m in self.switched():
            by_file.setdefault(m.file, []).append(m)
        for file in {m.file for m in self.mutants}:
            text = self.pristine[file]
            placed = []
            for m in by_file.get(file, []):
                start = text.index(m.original)
                placed.append((start, start + len(m.original), m))
            placed.sort(key=lambda p: (p[0], -p[1]))
            groups = []  # [outer, [mutants whose text lies inside the outer's]]
            for start, end, m in placed:
                if groups and start < groups[-1][1]:
                    outer_start, outer_end, outer, inner = groups[-1]
                    if end > outer_end:
                        raise SystemExit(f"[{outer.name}] and [{m.name}] overlap in {file}: give one `schema: rebuild`")
                    inner.append(m)
                else:
                    groups.append((start, end, m, []))
            for start, end, outer, inner in reversed(groups):
                line = text.count("\n", 0, start) + 1
                replacement = rewrite(outer, self.form(outer), self.lines[outer.name])
                for m in inner:
                    # A mutant inside another's text: its switch goes into the other's original
                    # branch, the last copy of its text there (the unmutated code).
                    at = replacement.rfind(m.original)
                    replacement = replacement[:at] + rewrite(m, self.form(m), self.lines[m.name]) + \
                        replacement[at + len(m.original):]
                for m in [outer, *inner]:
                    lines.setdefault((file, line), []).append(m)
                text = text[:start] + replacement + text[end:]
            if placed and language(file) == "c":
                text = C_DECLARATION + text
            (self.tree / file).write_text(text)
        for root in {module_root(m.file) for m in self.mutants}:
            is_c = any(language(m.file) == "c" and module_root(m.file) == root for m in self.mutants)
            name, source = ("mutant_switch.c", C_SWITCH) if is_c else ("MutantSwitch.swift", SWIFT_SWITCH)
            (self.tree / root / name).write_text(source)
        return lines

    def demote(self, build_output, lines):
        """Moves every mutant whose rewrite the compiler refused (an error on its line) to its next
        form. Returns the names moved; raises SystemExit for an error on no mutant's line."""
        moved, unplaced = set(), []
        current_error_placed = True
        for match in re.finditer(r"^(\S+?):(\d+):\d+: (error|note): (.*)$", build_output, flags=re.M):
            path, line, kind, message = match.groups()
            try:
                relative = Path(path).resolve().relative_to(self.tree.resolve()).as_posix()
            except ValueError:
                continue
            hit = lines.get((relative, int(line)), [])
            if kind == "error":
                current_error_placed = bool(hit)
                if not hit:
                    unplaced.append(f"{relative}:{line}: {message}")
            elif hit and not current_error_placed:
                unplaced.pop()  # a macro's expansion: the note names the mutated line
                current_error_placed = True
            for m in hit:
                if m.name not in moved and len(self.forms[m.name]) > 1:
                    self.forms[m.name].pop(0)
                    moved.add(m.name)
        if unplaced and not moved:
            raise SystemExit("the schemata do not compile, on lines no mutant stands on:\n  " + "\n  ".join(unplaced[:20])
                             + "\n(give the entries of that file a `schema:`)")
        return moved
