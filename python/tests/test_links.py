"""Every relative link of README.md and docs/*.md leads somewhere: the file (or folder) exists,
and an anchor into a Markdown file names one of its headings, as GitHub spells heading anchors.
Links inside code (fenced blocks, `inline code`) are not links and are skipped; so are links to
other sites (http:, https:, mailto:)."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.S | re.M)
INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)", re.M)
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$", re.M)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def prose(text):
    """The text with code blocks and inline code blanked out (line numbers kept)."""
    text = FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return INLINE_CODE.sub(lambda m: " " * len(m.group(0)), text)


def links(text):
    """The targets of the inline links, images and reference definitions of a Markdown text."""
    text = prose(text)
    found = [m.group(1) for m in INLINE_LINK.finditer(text)]
    found += [m.group(1) for m in REFERENCE_DEFINITION.finditer(text)]
    return [target.strip("<>") for target in found]


def slug(heading):
    """GitHub's anchor of a heading: markup dropped, lower case, punctuation but '-' and '_'
    removed, spaces to '-'."""
    heading = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    heading = re.sub(r"[`*]|<[^>]+>", "", heading)
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path):
    """The anchors of a Markdown file's headings, duplicates numbered as GitHub numbers them."""
    seen, result = {}, set()
    for match in HEADING.finditer(prose(path.read_text(encoding="utf-8"))):
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def relative_links():
    for page in PAGES:
        for target in links(page.read_text(encoding="utf-8")):
            if not EXTERNAL.match(target):
                yield pytest.param(page, target, id=f"{page.relative_to(ROOT)}:{target}")


@pytest.mark.parametrize("page, target", list(relative_links()))
def test_relative_link_resolves(page, target):
    path_part, _, anchor = target.partition("#")
    destination = (page.parent / path_part).resolve() if path_part else page
    assert destination.exists(), f"{page.relative_to(ROOT)} links to {target}: no such file"
    assert ROOT in destination.parents or destination == ROOT, \
        f"{page.relative_to(ROOT)} links to {target}, outside the checkout"
    if anchor and destination.suffix == ".md":
        assert anchor in anchors(destination), \
            f"{page.relative_to(ROOT)} links to {target}: {destination.name} has no heading with that anchor"


def test_the_readme_has_relative_links():
    """The collector sees the README's links into docs/ (the test above would otherwise pass
    on nothing)."""
    readme = links((ROOT / "README.md").read_text(encoding="utf-8"))
    assert any(target.startswith("docs/") for target in readme), readme


@pytest.mark.parametrize("text, expected", [
    ("[a](x.md) and ![b](img/y.png \"title\") and [c [d]](<z w.md#h>)", ["x.md", "img/y.png", "z w.md#h"]),
    ("```\n[not](a.md)\n```\n`[nor](b.md)` [yes](c.md)\n[ref]: d.md", ["c.md", "d.md"]),
    ("[multi\nline](e.md)", ["e.md"]),
])
def test_links_are_found_outside_code(text, expected):
    assert links(text) == expected


@pytest.mark.parametrize("heading, expected", [
    ("Ctrl-C", "ctrl-c"),
    ("Predictions for your own problem", "predictions-for-your-own-problem"),
    ("`fs.predict` — before a run (λ_i)", "fspredict--before-a-run-λ_i"),
    ("[Gradient flow](x.md) and **phases**", "gradient-flow-and-phases"),
])
def test_heading_anchors_as_github_spells_them(heading, expected):
    assert slug(heading) == expected


def test_duplicate_headings_are_numbered(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("# Setup\n## Setup\n```\n# not a heading\n```\n", encoding="utf-8")
    assert anchors(page) == {"setup", "setup-1"}
