"""The mutant lists: `Sources/**/mutants.txt`, one entry a deliberate one-line bug.

Each entry is a `[name]` line, then `field: value` lines:

    file:   the source file, relative to the list's folder
    from:   text that occurs exactly once in that file
    to:     its replacement (may be empty)
    why:    the bug, in one line
    schema: (optional) how the bug is written as a run-time switch: `statement`, `expression`,
            `span` or `rebuild` (see schemata.py); by default the script picks one
"""
import re
from dataclasses import dataclass
from pathlib import Path

LISTS = "Sources/**/mutants.txt"
FIELDS = ("file", "from", "to", "why")
OPTIONAL = ("schema",)
SCHEMAS = ("statement", "expression", "span", "rebuild")


@dataclass
class Mutant:
    name: str
    file: str  # relative to the root
    original: str
    replacement: str
    why: str
    listed_in: str  # list:line of the entry
    list_file: str  # the list, relative to the root
    schema: str = ""
    number: int = 0  # its switch: FACTORSENSE_MUTANT=number turns it on (1, 2, … in list order)


def parse(path, root):
    """The entries of one list file."""
    entries, current = [], None
    for line_number, line in enumerate(path.read_text().splitlines(), 1):
        where = f"{path.relative_to(root)}:{line_number}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = re.fullmatch(r"\[([a-z0-9-]+)\]", line.strip())
        if header:
            current = {"name": header.group(1), "where": where}
            entries.append(current)
            continue
        field = re.fullmatch(r"(\w+):\s?(.*)", line)
        if field is not None and field.group(1) == "first":
            raise SystemExit(f"{where}: `first:` is gone: the test that kills a mutant is recorded in "
                             f"Tests/mutants/killers.tsv by `make mutants` (docs/testing.md)")
        if current is None or field is None or field.group(1) not in FIELDS + OPTIONAL or field.group(1) in current:
            raise SystemExit(f"{where}: expected [name] or one of {', '.join(FIELDS + OPTIONAL)} (once each), got {line!r}")
        current[field.group(1)] = field.group(2).strip()
    mutants = []
    for entry in entries:
        missing = [f for f in FIELDS if f not in entry]
        if missing or not entry["from"] or not entry["why"]:
            raise SystemExit(f"{entry['where']}: [{entry['name']}] needs non-empty file, from, why and a to line")
        schema = entry.get("schema", "")
        if schema and schema not in SCHEMAS:
            raise SystemExit(f"{entry['where']}: [{entry['name']}] schema must be one of {', '.join(SCHEMAS)}")
        file = (path.parent / entry["file"]).relative_to(root).as_posix()
        mutants.append(Mutant(entry["name"], file, entry["from"], entry["to"], entry["why"], entry["where"],
                              path.relative_to(root).as_posix(), schema))
    return mutants


def load(root):
    """Every mutant of every list, numbered in list order and checked: unique names, an existing
    file, `from` exactly once, a replacement that changes the file. Raises SystemExit naming each
    problem."""
    root = Path(root)
    mutants = [m for path in sorted(root.glob(LISTS)) for m in parse(path, root)]
    problems, seen = [], set()
    for number, m in enumerate(mutants, 1):
        m.number = number
        if m.name in seen:
            problems.append(f"{m.listed_in}: [{m.name}] is listed twice")
        seen.add(m.name)
        source = root / m.file
        if not source.is_file():
            problems.append(f"{m.listed_in}: [{m.name}] names {m.file}, which does not exist")
            continue
        count = source.read_text().count(m.original)
        if count != 1:
            problems.append(f"{m.listed_in}: [{m.name}] `{m.original}` occurs {count} times in {m.file} "
                            f"(must be exactly once: update the entry with the code)")
        if m.original == m.replacement:
            problems.append(f"{m.listed_in}: [{m.name}] replaces its text with itself")
        if "\n" in m.original or "\n" in m.replacement:
            problems.append(f"{m.listed_in}: [{m.name}] from and to must each be one line")
    if problems:
        raise SystemExit("mutant lists out of date:\n  " + "\n  ".join(problems))
    return mutants
