"""Which test killed each mutant the last time it ran: Tests/mutants/killers.tsv, one line a
mutant, `name<TAB>suite<TAB>test`, written by `make mutants` and read first the next time.

A suite is `pytest` (the test is a node id), `c` (a C test program) or `swift` (a `swift test
--filter` pattern)."""
from pathlib import Path

FILE = Path("Tests/mutants/killers.tsv")
HEADER = ("# The test that killed each mutant of Sources/**/mutants.txt the last time `make mutants` ran it\n"
          "# (scripts/mutation/killers.py): it runs first next time, the whole suite only if the mutant survives it.\n"
          "# mutant\tsuite\ttest\n")
SUITES = ("pytest", "c", "swift")


def read(root):
    """{mutant name: (suite, test)}."""
    path = Path(root) / FILE
    killers = {}
    if not path.is_file():
        return killers
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) == 3 and fields[1] in SUITES:
            killers[fields[0]] = (fields[1], fields[2])
    return killers


def write(root, killers, mutants):
    """Writes the killers of the listed mutants, in list order (names no longer listed drop out)."""
    path = Path(root) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [f"{m.name}\t{killers[m.name][0]}\t{killers[m.name][1]}\n" for m in mutants if m.name in killers]
    path.write_text(HEADER + "".join(rows))
