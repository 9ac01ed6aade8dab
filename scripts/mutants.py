#!/usr/bin/env python3
"""The mutation check (`make mutants`): every deliberate one-line bug listed beside the code it
mutates (Sources/**/mutants.txt) must be caught by some test.

For each mutant, in a scratch copy of the tree (the files git tracks or would track, as they
are in the working tree, copied to .build/mutants/tree, whose own .build is reused so every
rebuild is incremental), the script

1. puts the bug in: the entry's `from` text, which must occur exactly once in its file, is
   replaced by its `to` text (an entry whose text is missing or repeated fails the whole run:
   the list is out of date);
2. rebuilds libfactorsense.so (a mutant that does not compile fails the run too: it tests nothing);
3. runs the suites, stopping at the first failure: pytest -x with the oracle tests first, then
   the C tests (`make test-c`), then `swift test` only if the mutant is still alive;
4. restores the file.

The unmutated tree must pass the same suites first. It prints a table (mutant, what killed it,
seconds) and exits non-zero if any mutant survived or any entry is broken.

    python3 scripts/mutants.py                 # all mutants
    python3 scripts/mutants.py NAME…           # some of them (names as in the lists)
    python3 scripts/mutants.py --check         # only validate the lists (fast; also run by pytest)
    python3 scripts/mutants.py --jobs 1        # one scratch tree (default: one a core, at most 4)

With several jobs each has its own scratch tree (.build/mutants/tree, tree-2, …) and takes the
next mutant when it is done with one: a release rebuild of the Swift core runs on one core, so
two trees on two cores check the list in about half the time.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LISTS = "Sources/**/mutants.txt"
FIELDS = ("file", "from", "to", "why")
OPTIONAL = ("first",)  # a pytest file of python/tests expected to catch the bug: run before the rest
SUITE_TIMEOUT = 600  # seconds; a mutant that makes a suite hang this long counts as killed by it


@dataclass
class Mutant:
    name: str
    file: str  # relative to ROOT
    original: str
    replacement: str
    why: str
    listed_in: str
    first: str = ""


def parse(path, root):
    """The entries of one list file: `[name]` then `field: value` lines (see the file's header)."""
    mutants, current = [], None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        where = f"{path.relative_to(root)}:{number}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = re.fullmatch(r"\[([a-z0-9-]+)\]", line.strip())
        if header:
            current = {"name": header.group(1), "where": where}
            mutants.append(current)
            continue
        field = re.fullmatch(r"(\w+):\s?(.*)", line)
        if current is None or field is None or field.group(1) not in FIELDS + OPTIONAL or field.group(1) in current:
            raise SystemExit(f"{where}: expected [name] or one of {', '.join(FIELDS + OPTIONAL)} (once each), got {line!r}")
        current[field.group(1)] = field.group(2).strip()
    result = []
    for entry in mutants:
        missing = [f for f in FIELDS if f not in entry]
        if missing or not entry["from"] or not entry["why"]:
            raise SystemExit(f"{entry['where']}: [{entry['name']}] needs non-empty file, from, why and a to line")
        file = (path.parent / entry["file"]).relative_to(root).as_posix()
        result.append(Mutant(entry["name"], file, entry["from"], entry["to"], entry["why"], entry["where"],
                             entry.get("first", "")))
    return result


def load(root=ROOT):
    """Every mutant of every list, checked: unique names, an existing file, `from` exactly once,
    and a replacement that changes the file. Raises SystemExit naming each problem."""
    mutants = [m for path in sorted(root.glob(LISTS)) for m in parse(path, root)]
    problems = []
    seen = set()
    for m in mutants:
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
        if m.first and not (root / "python" / "tests" / m.first).is_file():
            problems.append(f"{m.listed_in}: [{m.name}] first: python/tests/{m.first} does not exist")
        if m.original == m.replacement:
            problems.append(f"{m.listed_in}: [{m.name}] replaces its text with itself")
    if problems:
        raise SystemExit("mutant lists out of date:\n  " + "\n  ".join(problems))
    return mutants


def tracked_files():
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, check=True, capture_output=True).stdout
    return [Path(p.decode()) for p in out.split(b"\0") if p]


def sync_tree(scratch):
    """Copies the tracked (and new, unignored) files into `scratch`, rewriting only those whose
    bytes differ, so that the scratch build stays incremental."""
    for relative in tracked_files():
        source, target = ROOT / relative, scratch / relative
        if not source.is_file():
            continue  # deleted in the working tree
        data = source.read_bytes()
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        shutil.copymode(source, target)


class Suites:
    """The build and the test suites of the scratch tree, fast-fail."""

    # Whether the unmutated tree passed `swift test`: the trees hold the same sources, so one
    # check serves them all.
    swift_ready = False

    def __init__(self, scratch, python):
        self.scratch = scratch
        self.python = python
        library = scratch / ".build" / "release" / "libfactorsense.so"
        self.env = dict(os.environ, PYTHONPATH=str(scratch / "python"), FACTORSENSE_LIBRARY=str(library),
                        HYPOTHESIS_STORAGE_DIRECTORY=str(scratch / ".build" / "hypothesis"))
        # test_mutants_list.py checks the lists against the code, which a mutated tree fails by design.
        tests = sorted(t for t in (scratch / "python" / "tests").glob("test_*.py") if t.name != "test_mutants_list.py")
        oracles = [t for t in tests if t.name.startswith("test_oracle")]
        self.pytest_files = [str(t.relative_to(scratch)) for t in oracles + [t for t in tests if t not in oracles]]

    def run(self, command, timeout=SUITE_TIMEOUT):
        try:
            out = subprocess.run(command, cwd=self.scratch, env=self.env, capture_output=True, text=True,
                                 timeout=timeout)
            return out.returncode, out.stdout + out.stderr
        except subprocess.TimeoutExpired as expired:
            return "timeout", f"timed out after {timeout} s: {expired}"

    def build(self):
        return self.run(["swift", "build", "-c", "release", "--product", "factorsense"])

    def pytest(self, first=""):
        """pytest -x over the suite, oracles first; with `first` (a file of python/tests), that
        file alone before the rest, so a mutant its entry names the catching test for dies in seconds."""
        if first:
            status, output, detail = self.pytest_run([str(Path("python") / "tests" / first)])
            if status != 0:
                return status, output, detail
        return self.pytest_run(self.pytest_files)

    def pytest_run(self, files):
        # A fixed Hypothesis seed and no example database carried from one mutant to the next:
        # every mutant meets the same tests.
        shutil.rmtree(self.scratch / ".build" / "hypothesis", ignore_errors=True)
        status, output = self.run([self.python, "-m", "pytest", "-x", "-q", "-rf", "-p", "no:cacheprovider",
                                   "--hypothesis-seed=0", *files])
        failed = re.findall(r"^FAILED (\S+)", output, flags=re.M)
        detail = failed[0].split("/")[-1] if failed else None
        if detail is None and status != 0:
            detail = "crash" if status not in (1, "timeout") else str(status)
        return status, output, detail

    def c_tests(self):
        status, output = self.run(["make", "--no-print-directory", "test-c"])
        failed = re.findall(r"^make: \*\*\* \[\S+: (\S+)\]", output, flags=re.M)
        return status, output, (failed[0] if failed else None)

    def swift_test(self):
        status, output = self.run(["swift", "test"], timeout=3 * SUITE_TIMEOUT)
        failed = re.findall(r"Test (\w+\(\)) recorded an issue", output)
        return status, output, (failed[0] if failed else None)

    def kill(self, need_swift_baseline, first=""):
        """The first suite that fails, as (suite, detail), or None when all pass."""
        for suite, call in (("pytest", lambda: self.pytest(first)), ("C", self.c_tests), ("swift", self.swift_test)):
            if suite == "swift" and need_swift_baseline and not self.swift_ready:
                return "baseline-swift"
            status, output, detail = call()
            if status != 0:
                return suite, detail or "failed", output
        return None


def prepare(scratch, python, run_baseline):
    """Syncs and builds one scratch tree; with `run_baseline`, also checks that the unmutated
    tree passes pytest and the C tests. Returns its Suites."""
    scratch.mkdir(parents=True, exist_ok=True)
    sync_tree(scratch)
    suites = Suites(scratch, python)
    status, output = suites.build()
    if status != 0:
        print(output)
        raise SystemExit(f"the unmutated tree {scratch} does not build")
    if run_baseline:
        for name, call in (("pytest", suites.pytest), ("C tests", suites.c_tests)):
            status, output, _ = call()
            if status != 0:
                print(output[-5000:])
                raise SystemExit(f"the unmutated tree fails {name}: fix that before checking mutants")
    return suites


def evaluate(m, suites):
    """Puts mutant `m` into the scratch tree of `suites`, rebuilds, runs the suites until one
    fails, and restores the file. Returns (killer, seconds, a broken-entry message or None)."""
    t0 = time.monotonic()
    path = suites.scratch / m.file
    pristine = path.read_text()
    mutated = pristine.replace(m.original, m.replacement, 1)
    path.write_text(mutated)
    broken = None
    try:
        status, output = suites.build()
        if status != 0:
            broken = f"[{m.name}] ({m.listed_in}) does not compile:\n{output[-3000:]}"
            verdict = ("build", "does not compile")
        else:
            verdict = suites.kill(need_swift_baseline=True, first=m.first)
            if verdict == "baseline-swift":
                # The first mutant of this tree to reach swift test: the unmutated tree must pass it first.
                path.write_text(pristine)
                suites.build()
                status, output, _ = suites.swift_test()
                if status != 0:
                    print(output[-5000:])
                    raise SystemExit("the unmutated tree fails swift test")
                Suites.swift_ready = True
                path.write_text(mutated)
                suites.build()
                verdict = suites.kill(need_swift_baseline=False, first=m.first)
    finally:
        path.write_text(pristine)
    killer = "SURVIVED" if verdict is None else f"{verdict[0]}: {verdict[1]}"
    return killer, time.monotonic() - t0, broken


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="run only these mutants")
    parser.add_argument("--check", action="store_true", help="only validate the mutant lists")
    parser.add_argument("--scratch", default=str(ROOT / ".build" / "mutants" / "tree"),
                        help="the scratch copy of the tree (kept between runs for incremental builds); "
                             "further jobs use SCRATCH-2, SCRATCH-3, …")
    parser.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, 4),
                        help="scratch trees checked at once (default: the cores, at most 4); a rebuild "
                             "of the Swift core in release runs on one core, so two trees on two cores "
                             "take about half the time of one")
    args = parser.parse_args()

    mutants = load()
    if args.names:
        unknown = set(args.names) - {m.name for m in mutants}
        if unknown:
            raise SystemExit(f"no such mutants: {', '.join(sorted(unknown))}")
        mutants = [m for m in mutants if m.name in args.names]
    if args.check:
        print(f"{len(mutants)} mutants, every listed text found exactly once")
        return 0

    started = time.monotonic()
    jobs = max(1, min(args.jobs, len(mutants)))
    trees = [Path(args.scratch)] + [Path(f"{args.scratch}-{j + 1}") for j in range(1, jobs)]
    print(f"scratch trees {', '.join(map(str, trees))}; building them and testing the unmutated tree", flush=True)
    with ThreadPoolExecutor(jobs) as pool:
        all_suites = list(pool.map(lambda j: prepare(trees[j], sys.executable, run_baseline=j == 0), range(jobs)))

    results, lock = {}, threading.Lock()
    queue = iter(mutants)
    width = max(len(m.name) for m in mutants)

    def worker(suites):
        while True:
            with lock:
                m = next(queue, None)
            if m is None:
                return
            killer, seconds, broken = evaluate(m, suites)
            with lock:
                results[m.name] = (killer, seconds, broken)
                print(f"{m.name:<{width}}  {killer:<70.70}  {seconds:5.1f} s", flush=True)

    with ThreadPoolExecutor(jobs) as pool:
        for done in [pool.submit(worker, suites) for suites in all_suites]:
            done.result()  # re-raises a worker's SystemExit
        list(pool.map(lambda suites: suites.build(), all_suites))  # leave the scratch libraries unmutated

    rows = [(m, *results[m.name][:2]) for m in mutants]
    broken = [results[m.name][2] for m in mutants if results[m.name][2]]
    survivors = [m for m, killer, _ in rows if killer == "SURVIVED"]
    total = time.monotonic() - started
    print()
    print(f"| mutant | killed by | s |\n|---|---|---|")
    for m, killer, seconds in rows:
        print(f"| {m.name} | {killer} | {seconds:.1f} |")
    print(f"\n{len(rows) - len(survivors) - len(broken)} of {len(rows)} mutants killed in {total:.0f} s ({jobs} trees)")
    for m in survivors:
        print(f"SURVIVED: [{m.name}] {m.file}: {m.why}")
    for problem in broken:
        print(f"BROKEN: {problem}")
    return 1 if survivors or broken else 0


if __name__ == "__main__":
    sys.exit(main())
