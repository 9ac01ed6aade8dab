"""The mutant lists (Sources/**/mutants.txt) match the code: every entry's text occurs exactly
once in its file, so a change to a listed line cannot silently retire its mutant. (`make
mutants` runs the mutants themselves; it leaves this file out, since a mutated tree fails it
by design.)"""
import importlib.util
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("mutants", ROOT / "scripts" / "mutants.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def git(repo, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                          capture_output=True, text=True).stdout.strip()


def scratch_repository(tmp_path, others=30):
    """A repository with one mutant in A.swift and `others` in B.swift, committed."""
    folder = tmp_path / "Sources" / "X"
    folder.mkdir(parents=True)
    (folder / "A.swift").write_text("let a = 1\n")
    (folder / "B.swift").write_text("".join(f"let b{i} = {i}\n" for i in range(others)))
    entries = ["[a-one]\nfile: A.swift\nfrom: let a = 1\nto: let a = 2\nwhy: w\n"]
    entries += [f"[b-{i}]\nfile: B.swift\nfrom: let b{i} = {i}\nto: let b{i} = -1\nwhy: w\n" for i in range(others)]
    (folder / "mutants.txt").write_text("\n".join(entries))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "first")
    return folder


def test_every_mutant_entry_is_found_exactly_once():
    mutants = load_script().load()
    assert len(mutants) >= 40
    folders = {Path(m.file).parent.name for m in mutants}
    assert {"Solvers", "Operators", "Random", "Problems", "Diagnostics", "Linear"} <= folders


def test_a_schema_must_be_one_of_the_forms(tmp_path):
    script = load_script()
    folder = tmp_path / "Sources" / "X"
    folder.mkdir(parents=True)
    (folder / "A.swift").write_text("let a = 1\n")
    (folder / "mutants.txt").write_text("[one]\nfile: A.swift\nfrom: = 1\nto: = 2\nwhy: w\nschema: macro\n")
    try:
        script.load(tmp_path)
    except SystemExit as error:
        assert "schema must be one of" in str(error)
    else:
        raise AssertionError("an unknown schema was accepted")
    (folder / "mutants.txt").write_text("[one]\nfile: A.swift\nfrom: = 1\nto: = 2\nwhy: w\nschema: rebuild\n")
    assert script.load(tmp_path)[0].schema == "rebuild"


def test_a_changed_file_puts_its_mutants_in_the_next_ci_run(tmp_path):
    """The CI selection (scripts/mutation/selection.py) on a scratch repository: everything while
    no full pass is recorded; after one, a rotating sample of 12; after a commit that changes a
    listed line's file, that file's mutant as well."""
    script = load_script()
    folder = scratch_repository(tmp_path)
    selection = script.selection
    mutants = script.load(tmp_path)
    everything = selection.select(tmp_path, mutants, {})
    assert len(everything) == 31 and "no full pass recorded" in everything[0][1]

    selection.record_full_pass(tmp_path)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "full pass")
    quiet = selection.select(tmp_path, mutants, {})
    assert len(quiet) == selection.SAMPLE and all(why.startswith("sample") for _, why in quiet)

    (folder / "A.swift").write_text("let a = 1\nlet c = 3\n")
    git(tmp_path, "commit", "-qam", "change A")
    after = dict((m.name, why) for m, why in selection.select(tmp_path, script.load(tmp_path), {}))
    assert after["a-one"] == "Sources/X/A.swift changed"
    assert len(after) == 1 + selection.SAMPLE or (len(after) == selection.SAMPLE and after["a-one"])
    # The sample rotates with the commit: another commit draws another sample.
    (folder / "A.swift").write_text("let a = 1\nlet c = 4\n")
    git(tmp_path, "commit", "-qam", "change A again")
    again = dict((m.name, why) for m, why in selection.select(tmp_path, script.load(tmp_path), {}))
    assert set(again) != set(after) and again["a-one"] == "Sources/X/A.swift changed"


def test_a_changed_killer_test_file_reruns_its_mutant(tmp_path):
    script = load_script()
    scratch_repository(tmp_path)
    (tmp_path / "python" / "tests").mkdir(parents=True)
    (tmp_path / "python" / "tests" / "test_b.py").write_text("def test_b(): pass\n")
    script.selection.record_full_pass(tmp_path)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "full pass")
    (tmp_path / "python" / "tests" / "test_b.py").write_text("def test_b(): assert True\n")
    killers = {"b-3": ("pytest", "python/tests/test_b.py::test_b")}
    chosen = dict((m.name, why) for m, why in script.selection.select(tmp_path, script.load(tmp_path), killers))
    assert chosen["b-3"] == "its killer's python/tests/test_b.py changed"


def test_the_switches_keep_the_unmutated_code_in_their_off_branch():
    """Every listed mutant's run-time switch, in the form the script tries first, holds the
    original text where the switch is off and the mutated text where it is on; a span is a whole
    subexpression (parenthesizing it must not regroup the operators around it)."""
    script = load_script()
    schemata = script.schemata
    for m in script.load():
        line = next(l for l in (ROOT / m.file).read_text().splitlines() if m.original in l)
        form = next(f for f in schemata.candidates(m, line) if f == "rebuild" or schemata.rewrite(m, f, line))
        if form == "rebuild":
            continue
        text = schemata.rewrite(m, form, line)
        on = schemata.switch_on(m, schemata.language(m.file))
        assert on in text, m.name
        original_code = schemata.split_comment(m.original, schemata.language(m.file))[0]
        mutated_code = schemata.split_comment(m.replacement, schemata.language(m.file))[0]
        if form == "statement":
            assert text.startswith(("if " + on + " { " + mutated_code, "if (" + on + ") { " + mutated_code)), m.name
            assert original_code + " }" in text, m.name
        else:
            lang = schemata.language(m.file)
            off, on_text = (schemata.split_comment(t, lang)[0] for t in branches(text, on))
            assert off == original_code and on_text == mutated_code, m.name


def closing(text, at):
    """The index just past the bracket group that opens at text[at]."""
    depth = 0
    for i in range(at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    raise AssertionError(f"unbalanced: {text}")


def branches(text, on):
    """The two texts an expression switch `(on ? (T) : (F))` stands for, with the switch off and on."""
    start = text.index(f"({on} ? (")
    t_open = start + len(f"({on} ? ")
    t_end = closing(text, t_open)
    assert text[t_end:t_end + 3] == " : "
    f_end = closing(text, t_end + 3)
    end = f_end + 1
    assert text[f_end] == ")"
    t, f = text[t_open + 1:t_end - 1], text[t_end + 4:f_end - 1]
    return text[:start] + f + text[end:], text[:start] + t + text[end:]


def test_a_span_never_regroups_operators():
    schemata = load_script().schemata
    # a - b + c: the run `b + c` is not a subexpression; `a - b` is.
    found = schemata.differing_span("a - b + c", "a - b - c")
    assert found is not None
    (fa, fb), _ = found
    assert "a - b + c"[fa:fb] == "a - b + c"
    # A member name: the switch takes the whole chain, never `cache.(…)`.
    (fa, fb), (ta, tb) = schemata.differing_span("f(cache.V, x)", "f(cache.U, x)")
    assert "f(cache.V, x)"[fa:fb] == "cache.V"
    # A sign before a product: -a * b is (-a) * b, so the switch covers the sign too.
    (fa, fb), _ = schemata.differing_span("-2 * log(s) / s", "-2 * log(s)")
    assert "-2 * log(s) / s"[fa:fb] == "-2 * log(s) / s"
    # A call's arguments are not an operand of their own.
    (fa, fb), _ = schemata.differing_span("max(v, 0).squareRoot()", "max(v, 0)")
    assert "max(v, 0).squareRoot()"[fa:fb] == "max(v, 0).squareRoot()"


def test_an_out_of_date_entry_fails_loudly(tmp_path):
    script = load_script()
    folder = tmp_path / "Sources" / "X"
    folder.mkdir(parents=True)
    (folder / "A.swift").write_text("let a = 1\nlet b = 1\n")
    (folder / "mutants.txt").write_text("[twice]\nfile: A.swift\nfrom: = 1\nto: = 2\nwhy: repeated text\n\n"
                                        "[missing]\nfile: A.swift\nfrom: let c\nto: let d\nwhy: gone\n")
    try:
        script.load(tmp_path)
    except SystemExit as error:
        message = str(error)
    else:
        raise AssertionError("an out-of-date list was accepted")
    assert "[twice]" in message and "occurs 2 times" in message
    assert "[missing]" in message and "occurs 0 times" in message
