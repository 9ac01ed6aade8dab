"""The C reference page (docs/site/_ext/c_header.py) shows the whole header: every function the
header declares — found here independently, from the header with its comments removed — is on
it, with its doc comment; a function without one, or a declaration the reader cannot read,
makes the docs build fail (a warning under -W)."""
import importlib.util
import re
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "include" / "factorsense.h"
_spec = importlib.util.spec_from_file_location("c_header", ROOT / "docs" / "site" / "_ext" / "c_header.py")
c_header = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(c_header)


def declared_functions(text):
    """Names followed by '(' in the header without its comments: its function declarations
    (the function-pointer typedefs have '(*name)' instead)."""
    code = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return set(re.findall(r"\b(fs_\w+)\s*\(", code))


def rendered(blocks, kind):
    return {name for block in blocks if block[0] == "entry"
            for declared_kind, name, _, _ in block[1][1] if declared_kind == kind}


def test_every_function_of_the_header_is_on_the_page_with_its_comment():
    blocks, names, problems = c_header.read_header(HEADER)
    assert problems == []
    functions = declared_functions(HEADER.read_text(encoding="utf-8"))
    assert len(functions) > 50
    assert rendered(blocks, "function") == functions
    for block in blocks:
        if block[0] == "entry" and block[1][1] and block[1][1][0][0] == "function":
            assert block[1][0], f"{block[1][1][0][1]} is shown without its comment"


def test_enumerators_and_fields_carry_their_comments():
    blocks, names, _ = c_header.read_header(HEADER)
    assert names["FS_ERROR_NOT_FINITE"] == "enumerator"
    status = next(d for b in blocks if b[0] == "entry" for d in b[1][1] if d[1] == "fs_status")
    entries = dict(c_header.body_entries(status[3], ","))
    assert entries["FS_ERROR_NOT_FINITE = 5"] == "NaN or infinity in an input"
    phases = next(d for b in blocks if b[0] == "entry" for d in b[1][1] if d[1] == "fs_phases")
    fields = dict(c_header.body_entries(phases[3], ";"))
    assert fields["int64_t saddle_end"].startswith("end of (II)")
    assert fields["int32_t recovered"].startswith("since 0.5: 1 when the final test error")


def test_an_undocumented_function_and_an_unreadable_declaration_are_reported(tmp_path):
    header = tmp_path / "h.h"
    header.write_text("/* intro */\n/* ------------- part */\n/** Documented. */\nint fs_a(void);\n\n"
                      "/* ------------- other */\nint fs_b(int x);\nstruct odd { int x; } odd_value;\n",
                      encoding="utf-8")
    _, _, problems = c_header.read_header(header)
    assert [p for _, p in problems] == ["fs_b has no doc comment", "struct odd { int x; } odd_value"]


def test_text_is_escaped_and_names_are_linked():
    text = c_header.inline("*out = fs_a(handle), see `fs_b` and FS_OK | [x]_", {"fs_a": "function", "FS_OK": "enumerator"})
    assert text == r"\*out \= :c:func:`fs_a <fs_a>`\(handle\)\, see ``fs_b`` and :c:enumerator:`FS_OK <FS_OK>` \| \[x\]\_"
