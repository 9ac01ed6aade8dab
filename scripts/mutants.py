#!/usr/bin/env python3
"""The mutation check (`make mutants`): every deliberate one-line bug listed beside the code it
mutates (Sources/**/mutants.txt) must be caught by some test.

One scratch copy of the tree (.build/mutants/tree: the files git tracks or would track, as they
are in the working tree) gets every listed bug at once, each behind a run-time switch
(scripts/mutation/schemata.py), and is built once: the library, the C test programs and the
Swift tests. Mutant N then runs with FACTORSENSE_MUTANT=N in the environment of its suites:

1. the test that killed it last time (Tests/mutants/killers.tsv), alone;
2. if it survives that, pytest -x (oracle tests first), the C test programs, `swift test`,
   stopping at the first failure, whose test becomes its recorded killer.

A bug that cannot be a switch (`schema: rebuild` or refused by the compiler in every form) is
put into the file and the library rebuilt for it alone, after the others. Before the mutants,
the unmutated scratch tree must pass every suite (skipped with --no-baseline, for a run right
after a green `make test`); the recorded killers that will run must pass on it in any case, so
that a test failing by itself never counts as a kill. It prints a table (mutant, form, what
killed it, seconds) and exits non-zero if any mutant survived.

    python3 scripts/mutants.py                 # all mutants; on success records the commit
    python3 scripts/mutants.py NAME…           # some of them
    python3 scripts/mutants.py --ci            # those whose code changed since the last full pass, and a sample
    python3 scripts/mutants.py --check         # only validate the lists (fast; also run by pytest)
    python3 scripts/mutants.py --jobs 1        # mutants checked at once (default: one a core, at most 4)
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutation import killers as killer_file  # noqa: E402
from mutation import lists, schemata, selection  # noqa: E402
from mutation.schemata import VARIABLE, Schemata  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SUITE_TIMEOUT = 600  # seconds; a mutant that makes a suite hang this long counts as killed by it
KILLER_TIMEOUT = 300
BUILD_ROUNDS = 6


def load(root=ROOT):
    """Every listed mutant, checked (lists.load)."""
    return lists.load(root)


def tracked_files():
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, check=True, capture_output=True).stdout
    return [Path(p.decode()) for p in out.split(b"\0") if p]


def sync_tree(scratch):
    """Copies the tracked (and new, unignored) files into `scratch`, rewriting only those whose
    bytes differ, so that the scratch build stays incremental. SwiftPM does not see a change to a
    C header that Swift code imports (the version macros of include/factorsense.h, say): when one
    changed, every Swift source is touched so that the next build recompiles them."""
    header_changed = False
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
        header_changed |= relative.suffix == ".h"
    if header_changed:
        for swift in [*scratch.glob("Sources/**/*.swift"), *scratch.glob("Tests/**/*.swift")]:
            swift.touch()


class Suites:
    """The build and the test suites of the scratch tree, each run with one mutant switched on."""

    def __init__(self, scratch, python):
        self.scratch = scratch
        self.python = python
        self.env = dict(os.environ, PYTHONPATH=str(scratch / "python"),
                        FACTORSENSE_LIBRARY=str(scratch / ".build" / "release" / "libfactorsense.so"))
        self.env.pop(VARIABLE, None)
        # test_mutants_list.py checks the lists against the code, which a rewritten tree fails by design.
        tests = sorted(t for t in (scratch / "python" / "tests").glob("test_*.py") if t.name != "test_mutants_list.py")
        oracles = [t for t in tests if t.name.startswith("test_oracle")]
        self.pytest_files = [str(t.relative_to(scratch)) for t in oracles + [t for t in tests if t not in oracles]]
        self.c_programs = []

    def run(self, command, mutant=0, timeout=SUITE_TIMEOUT, job=0):
        env = dict(self.env, HYPOTHESIS_STORAGE_DIRECTORY=str(self.scratch / ".build" / f"hypothesis-{job}"))
        if mutant:
            env[VARIABLE] = str(mutant)
        try:
            out = subprocess.run(command, cwd=self.scratch, env=env, capture_output=True, text=True, timeout=timeout)
            return out.returncode, out.stdout + out.stderr
        except subprocess.TimeoutExpired as expired:
            return "timeout", f"timed out after {timeout} s: {expired}"

    def build(self):
        """The library (as `make build` builds it), the C programs and the Swift tests."""
        status, output = self.run(["make", "--no-print-directory", "build", "c-programs"])
        if status == 0:
            status, more = self.run(["swift", "build", "--build-tests"])
            output += more
        if status == 0:
            _, listing = self.run(["make", "-s", "--no-print-directory", "print-c-tests"])
            self.c_programs = listing.split()
        return status, output

    def pytest(self, files, mutant=0, job=0, timeout=SUITE_TIMEOUT):
        # A fixed Hypothesis seed and no example database carried from one mutant to the next:
        # every mutant meets the same tests.
        shutil.rmtree(self.scratch / ".build" / f"hypothesis-{job}", ignore_errors=True)
        status, output = self.run([self.python, "-m", "pytest", "-x", "-q", "-rf", "-p", "no:cacheprovider",
                                   "--hypothesis-seed=0", *files], mutant, timeout, job)
        failed = re.findall(r"^FAILED (\S+)", output, flags=re.M)
        return status, output, (failed[0] if failed else None)

    def c_tests(self, programs=None, mutant=0, job=0, timeout=SUITE_TIMEOUT):
        for program in programs or self.c_programs:
            status, output = self.run([f"./{program}"], mutant, timeout, job)
            if status != 0:
                return status, output, program
        return 0, "", None

    def swift_test(self, filter=None, mutant=0, job=0, timeout=3 * SUITE_TIMEOUT):
        status, output = self.run(["swift", "test", "--skip-build", *(["--filter", filter] if filter else [])],
                                  mutant, timeout, job)
        failed = re.findall(r"Test (\w+\(\)) recorded an issue", output) or re.findall(r"Test (\w+)\(\) failed", output)
        name = re.sub(r"\(\)$", "", failed[0]) if failed else None
        return status, output, name

    def killer(self, suite, test, mutant=0, job=0):
        """Runs one recorded killer; (status, output)."""
        if suite == "pytest":
            status, output, _ = self.pytest([test], mutant, job, KILLER_TIMEOUT)
        elif suite == "c":
            status, output, _ = self.c_tests([test], mutant, job, KILLER_TIMEOUT)
        else:
            # The plain name: Swift Testing matches it within `Module.Suite/name()` (anchors do not).
            status, output, _ = self.swift_test(test, mutant, job, KILLER_TIMEOUT)
            if status == 0 and re.search(r"with 0 tests", output):
                status = "no such test"  # a filter that matches nothing passes: not a killer
        return status, output

    def whole(self, mutant=0, job=0):
        """The first suite that fails, as (suite, test or None, output), or None when all pass."""
        for suite, call in (("pytest", lambda: self.pytest(self.pytest_files, mutant, job)),
                            ("c", lambda: self.c_tests(None, mutant, job)),
                            ("swift", lambda: self.swift_test(None, mutant, job))):
            status, output, test = call()
            if status != 0:
                return suite, test, output
        return None


def build_schemata(scratch, mutants, suites):
    """Writes every mutant's switch into the scratch tree and builds it, moving a mutant to its
    next form each time the compiler refuses its rewrite. Returns the Schemata."""
    pristine = {m.file: (ROOT / m.file).read_text() for m in mutants}
    schemata = Schemata(scratch, mutants, pristine)
    for round_number in range(1, BUILD_ROUNDS + 1):
        lines = schemata.write()
        status, output = suites.build()
        if status == 0:
            return schemata
        moved = schemata.demote(output, lines)
        print(f"build {round_number}: the compiler refused the switches of {', '.join(sorted(moved))}; "
              f"trying their next forms", flush=True)
    print(output[-5000:])
    raise SystemExit(f"the scratch tree does not build after {BUILD_ROUNDS} rounds")


def baseline(suites, whole, killers_to_run):
    """The unmutated scratch tree must pass: every suite (`whole`), and in any case the killers
    that will run first. Returns the killers that failed on it (they are then not used)."""
    if whole:
        failure = suites.whole()
        if failure:
            print(failure[2][-5000:])
            raise SystemExit(f"the unmutated tree fails {failure[0]} ({failure[1]}): fix that before checking mutants")
    failing = set()
    pytest_ids = sorted({test for suite, test in killers_to_run if suite == "pytest"})
    if pytest_ids and not whole:
        status, output, _ = suites.pytest(pytest_ids)
        if status != 0:  # find which, one by one
            failing |= {("pytest", t) for t in pytest_ids if suites.pytest([t])[0] != 0}
    for suite, test in sorted(k for k in killers_to_run if k[0] != "pytest"):
        if not whole and suites.killer(suite, test)[0] != 0:
            failing.add((suite, test))
    for suite, test in sorted(failing):
        print(f"recorded killer {suite} {test} fails without any mutant: not used", flush=True)
    return failing


def check(m, suites, recorded, job):
    """Runs mutant `m` (already in the scratch tree, switched or built): its recorded killer, then
    the whole suite. Returns ((suite, test) or None, how it died)."""
    if recorded:
        status, _ = suites.killer(*recorded, mutant=m.number, job=job)
        if status not in (0, "no such test"):
            return recorded, f"{recorded[0]} (recorded): {recorded[1]}" + (" (timeout)" if status == "timeout" else "")
    failure = suites.whole(mutant=m.number, job=job)
    if failure is None:
        return None, "survived"
    suite, test, _ = failure
    return ((suite, test) if test else None), f"{suite}: {test or 'failed'}"


def check_rebuilt(m, suites, recorded):
    """A mutant with no switch: put into its file, the library rebuilt, checked, restored."""
    path = suites.scratch / m.file
    current = path.read_text()
    path.write_text(current.replace(m.original, m.replacement, 1))
    try:
        status, output = suites.build()
        if status != 0:
            return None, "does not compile", output[-3000:]
        killer, how = check(m, suites, recorded, job=0)
        return killer, how, None
    finally:
        path.write_text(current)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="run only these mutants")
    parser.add_argument("--check", action="store_true", help="only validate the mutant lists")
    parser.add_argument("--ci", action="store_true",
                        help="only the mutants whose code changed since the last full pass, and a rotating sample")
    parser.add_argument("--select", action="store_true", help="print what --ci would run, and why, and stop")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the unmutated tree's whole suites (right after a green make test)")
    parser.add_argument("--scratch", default=str(ROOT / ".build" / "mutants" / "tree"),
                        help="the scratch copy of the tree (kept between runs for incremental builds)")
    parser.add_argument("--jobs", type=int, default=min(os.cpu_count() or 1, 4),
                        help="mutants checked at once in the scratch tree (default: the cores, at most 4)")
    return parser.parse_args()


def chosen_mutants(args, mutants, recorded):
    """[(mutant, why)] that this run checks."""
    if args.names:
        unknown = set(args.names) - {m.name for m in mutants}
        if unknown:
            raise SystemExit(f"no such mutants: {', '.join(sorted(unknown))}")
        return [(m, "named") for m in mutants if m.name in args.names]
    if args.ci or args.select:
        return selection.select(ROOT, mutants, recorded)
    return [(m, "all") for m in mutants]


def main():
    args = parse_arguments()
    mutants = load()
    if args.check:
        print(f"{len(mutants)} mutants, every listed text found exactly once")
        return 0
    recorded = killer_file.read(ROOT)
    chosen = chosen_mutants(args, mutants, recorded)
    if args.select:
        for m, why in chosen:
            print(f"{m.name}: {why}")
        print(f"{len(chosen)} of {len(mutants)} mutants")
        return 0

    started = time.monotonic()
    scratch = Path(args.scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    print(f"{len(chosen)} of {len(mutants)} mutants; building every switch into {scratch}", flush=True)
    sync_tree(scratch)
    suites = Suites(scratch, sys.executable)
    schemata = build_schemata(scratch, mutants, suites)
    built = time.monotonic() - started
    run_killers = {recorded[m.name] for m, _ in chosen if m.name in recorded}
    print(f"built in {built:.0f} s; baseline: {'killers only' if args.no_baseline else 'every suite'}", flush=True)
    bad_killers = baseline(suites, not args.no_baseline, run_killers)
    first = {name: k for name, k in recorded.items() if k not in bad_killers}

    results, lock = {}, threading.Lock()
    switched = [m for m, _ in chosen if schemata.form(m) != "rebuild"]
    rebuilt = [m for m, _ in chosen if schemata.form(m) == "rebuild"]
    queue = iter(switched)
    width = max(len(m.name) for m, _ in chosen)

    def report(m, killer, how, seconds):
        with lock:
            results[m.name] = (killer, how, seconds)
            print(f"{m.name:<{width}}  {schemata.form(m):<10}  {how:<60.60}  {seconds:5.1f} s", flush=True)

    def worker(job):
        while True:
            with lock:
                m = next(queue, None)
            if m is None:
                return
            t0 = time.monotonic()
            killer, how = check(m, suites, first.get(m.name), job)
            report(m, killer, how, time.monotonic() - t0)

    jobs = max(1, min(args.jobs, len(switched) or 1))
    with ThreadPoolExecutor(jobs) as pool:
        for done in [pool.submit(worker, j) for j in range(jobs)]:
            done.result()
    broken = []
    for m in rebuilt:
        t0 = time.monotonic()
        killer, how, problem = check_rebuilt(m, suites, first.get(m.name))
        if problem:
            broken.append(f"[{m.name}] ({m.listed_in}) does not compile:\n{problem}")
        report(m, killer, how, time.monotonic() - t0)
    if rebuilt:
        suites.build()  # leave the scratch library as the switches built it

    return summarize(args, mutants, chosen, schemata, rebuilt, results, recorded, broken, time.monotonic() - started)


def summarize(args, mutants, chosen, schemata, rebuilt, results, recorded, broken, total):
    rows = [(m, *results[m.name]) for m, _ in chosen]
    survivors = [m for m, killer, how, _ in rows if how == "survived"]
    print()
    print("| mutant | form | killed by | s |\n|---|---|---|---|")
    for m, killer, how, seconds in rows:
        print(f"| {m.name} | {schemata.form(m)} | {how} | {seconds:.1f} |")
    for m, killer, how, _ in rows:
        if killer:
            recorded[m.name] = killer
    killer_file.write(ROOT, recorded, mutants)
    killed = len(rows) - len(survivors) - len(broken)
    print(f"\n{killed} of {len(rows)} mutants killed in {total:.0f} s (one build; "
          f"{len(rebuilt)} rebuilt alone{': ' + ', '.join(m.name for m in rebuilt) if rebuilt else ''})")
    for m in survivors:
        print(f"SURVIVED: [{m.name}] {m.file}: {m.why}")
    for problem in broken:
        print(f"BROKEN: {problem}")
    if survivors or broken:
        return 1
    if len(chosen) == len(mutants) and not args.ci:
        print(f"every mutant killed: {selection.FULL_PASS} records commit {selection.record_full_pass(ROOT)[:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
