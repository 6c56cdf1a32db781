"""Execute notebooks in place, top to bottom, storing their outputs (`make notebooks`).

Each notebook runs in a fresh `python3` kernel with its own folder as working directory,
with a per-cell timeout. Its setup cell is first rewritten to install the package's
current version (see `set_repo.py`), the version the outputs are then made with. The
wall-clock time of each notebook is printed, so that the time budget can be checked;
it is not stored in the notebook.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from set_repo import set_setup_cell, setup_cell_source


def execute(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    set_setup_cell(nb, setup_cell_source())
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,  # no timestamps in the stored notebook
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument(
        "--timeout", type=int, default=600, help="seconds per cell (default 600)"
    )
    args = parser.parse_args(argv)
    for path in sorted(args.notebooks):
        if not path.is_file():
            print(f"no such notebook: {path}", file=sys.stderr)
            return 2
        elapsed = execute(path, args.timeout)
        print(f"{path}: executed in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
