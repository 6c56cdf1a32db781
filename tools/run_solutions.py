"""Run every exercise solution of a notebook after the notebook, in the same kernel.

    python tools/run_solutions.py notebooks/06_convolution_variants.ipynb [...]

The solutions are found as ``tests/test_solutions.py`` finds them (the code the book
shows in each ``{solution}`` block). Each notebook runs top to bottom in a fresh kernel,
then each solution as one more cell; a solution that raises is reported and the others
still run. The exit status is 1 when any solution failed. Some solutions train on the
full training set: expect minutes per chapter.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.test_solutions import solutions  # noqa: E402


def run(path: Path, timeout: int) -> list[str]:
    """The failures (``label: error``) of the solutions of the notebook at ``path``."""
    nb = nbformat.read(path, as_version=4)
    mine = solutions(path)
    first = len(nb.cells)
    nb.cells += [nbformat.v4.new_code_cell(s.code) for s in mine]
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    failures = []
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            start = time.perf_counter()
            try:
                client.execute_cell(cell, index)
            except Exception as error:  # a notebook cell or a solution that raises
                if index < first:
                    raise
                name = getattr(error, "ename", type(error).__name__)
                value = getattr(error, "evalue", error)
                failures.append(f"{mine[index - first].label}: {name}: {value}")
                continue
            if index >= first:
                seconds = time.perf_counter() - start
                print(f"  {mine[index - first].label}: ran in {seconds:.1f} s")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args()
    failed = 0
    for path in args.notebooks:
        print(path)
        failures = run(path, args.timeout)
        for failure in failures:
            print("  FAILED", failure)
        failed += len(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
