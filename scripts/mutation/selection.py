"""Which mutants a CI run checks (`scripts/mutants.py --ci`).

A full `make mutants` that kills every mutant writes the commit it ran at into
Tests/mutants/full-pass.txt. A CI run then checks

- every mutant whose source file, or whose list, changed since that commit (the working tree
  against it, new files included), and every mutant whose recorded killer's test file changed;
- a rotating sample of `SAMPLE` others, drawn with the current commit id as the seed, so that
  over many commits every mutant keeps being exercised;

and all of them when there is no recorded commit, or git does not know it.
"""
import random
import subprocess
from pathlib import Path

FULL_PASS = Path("Tests/mutants/full-pass.txt")
SAMPLE = 12


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


def recorded_commit(root):
    path = Path(root) / FULL_PASS
    if not path.is_file():
        return None
    lines = [l.strip() for l in path.read_text().splitlines() if l.strip() and not l.startswith("#")]
    return lines[0] if lines else None


def record_full_pass(root):
    """Writes the current commit as the last at which every mutant was killed."""
    head = git(root, "rev-parse", "HEAD").stdout.strip()
    path = Path(root) / FULL_PASS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# The commit at which a full `make mutants` last killed every mutant (scripts/mutation/selection.py).\n"
                    f"{head}\n")
    return head


def changed_files(root, base):
    """The files that differ between commit `base` and the working tree, or None if git cannot say."""
    if git(root, "cat-file", "-e", f"{base}^{{commit}}").returncode != 0:
        return None
    diff = git(root, "diff", "--name-only", base)
    untracked = git(root, "ls-files", "--others", "--exclude-standard")
    if diff.returncode != 0 or untracked.returncode != 0:
        return None
    return set(diff.stdout.split()) | set(untracked.stdout.split())


def select(root, mutants, killers):
    """[(mutant, why)] for a CI run, in list order."""
    base = recorded_commit(root)
    changed = changed_files(root, base) if base else None
    if changed is None:
        reason = "no full pass recorded" if base is None else f"commit {base[:12]} of the last full pass is unknown here"
        return [(m, reason) for m in mutants]
    chosen = {}
    for m in mutants:
        killer = killers.get(m.name)
        killer_file = killer[1].split("::")[0] if killer and killer[0] == "pytest" else None
        if m.file in changed:
            chosen[m.name] = f"{m.file} changed"
        elif m.list_file in changed:
            chosen[m.name] = f"{m.list_file} changed"
        elif killer_file in changed:
            chosen[m.name] = f"its killer's {killer_file} changed"
    head = git(root, "rev-parse", "HEAD").stdout.strip() or "0"
    rest = sorted(m.name for m in mutants if m.name not in chosen)
    for name in random.Random(head).sample(rest, min(SAMPLE, len(rest))):
        chosen[name] = f"sample for {head[:12]}"
    return [(m, chosen[m.name]) for m in mutants if m.name in chosen]
