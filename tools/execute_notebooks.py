"""Execute notebooks in place, top to bottom, storing their outputs (`make notebooks`).

Each notebook runs in a fresh `python3` kernel with its own folder as working directory,
with a per-cell timeout. The wall-clock time of each notebook is printed, so that the
"runs in about a minute" budget can be checked; it is not stored in the notebook.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
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
