"""Executes every notebook of examples/notebooks with nbclient, failing on the first error, and
writes the executed copies (with their figures) to .build/notebooks for looking at.

    python3 scripts/run_notebooks.py [notebook …]
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".build" / "notebooks"


def main(names):
    paths = [Path(n) for n in names] or sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))
    OUT.mkdir(parents=True, exist_ok=True)
    for path in paths:
        book = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
        nbformat.write(book, OUT / path.name)
        print(f"{path.name}: ran clean in {time.perf_counter() - start:.1f} s → {OUT / path.name}")


if __name__ == "__main__":
    main(sys.argv[1:])
