"""The mutant lists (Sources/**/mutants.txt) match the code: every entry's text occurs exactly
once in its file, so a change to a listed line cannot silently retire its mutant. (`make
mutants` runs the mutants themselves; it leaves this file out, since a mutated tree fails it
by design.)"""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_script():
    spec = importlib.util.spec_from_file_location("mutants", ROOT / "scripts" / "mutants.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_mutant_entry_is_found_exactly_once():
    mutants = load_script().load()
    assert len(mutants) >= 40
    folders = {Path(m.file).parent.name for m in mutants}
    assert {"Solvers", "Operators", "Random", "Problems", "Diagnostics", "Linear"} <= folders


def test_a_first_test_file_must_exist(tmp_path):
    script = load_script()
    folder = tmp_path / "Sources" / "X"
    folder.mkdir(parents=True)
    (folder / "A.swift").write_text("let a = 1\n")
    (folder / "mutants.txt").write_text("[one]\nfile: A.swift\nfrom: = 1\nto: = 2\nwhy: w\nfirst: test_nothing.py\n")
    try:
        script.load(tmp_path)
    except SystemExit as error:
        assert "python/tests/test_nothing.py does not exist" in str(error)
    else:
        raise AssertionError("a first: naming a missing file was accepted")
    (tmp_path / "python" / "tests").mkdir(parents=True)
    (tmp_path / "python" / "tests" / "test_nothing.py").write_text("")
    assert script.load(tmp_path)[0].first == "test_nothing.py"


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
