"""Run every notebook as a Colab user would, and fail on any error.

    make test-colab

Creates ``.venv-colab`` with the package versions of the Colab image pinned in
``tools/colab-constraints.txt`` (plus ipykernel, sympy and nbclient) and without dlsip.
Then, for each notebook, in an empty working directory and with dlsip uninstalled (a
fresh Colab runtime), it executes the notebook top to bottom; its setup cell installs
dlsip from this clone's git URL at the current commit instead of from GitHub. Prints
each notebook's run time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "tools" / "colab-constraints.txt"
PIP = "pip==24.1.2"  # older pips reject `dlsip @ git+file://...`
EXTRA = ["ipykernel", "sympy", "nbclient", "nbformat"]

#: Runs inside the Colab venv: execute one notebook with that venv's own kernel.
RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
client = NotebookClient(nb, timeout=900, kernel_name="python3")
client.execute(cwd=".")
"""


def pinned_packages() -> list[str]:
    lines = CONSTRAINTS.read_text().splitlines()
    return [line.split("==")[0] for line in lines if line and not line.startswith("#")]


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, **kwargs)


def make_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(python), "-m", "pip", "install", "-q", PIP])
        run(
            [str(python), "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS)]
            + pinned_packages()
            + EXTRA
        )
    return python


def setup_cell_for(nb, url: str):
    """Point the notebook's setup cell (tagged ``setup``) at ``url``."""
    import re

    for cell in nb.cells:
        if cell.cell_type == "code" and "setup" in cell.metadata.get("tags", []):
            new = re.sub(r'"dlsip @ git\+[^"]+"', f'"dlsip @ git+{url}"', cell.source)
            if new == cell.source:
                raise ValueError("the setup cell installs no `dlsip @ git+...`")
            cell.source = new
            return nb
    raise ValueError("no code cell tagged 'setup'")


def main(argv=None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--venv", type=Path, default=ROOT / ".venv-colab")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    python = make_venv(args.venv)
    commit = run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    url = f"file://{ROOT}@{commit}"
    env = dict(os.environ, PIP_CONSTRAINT=str(CONSTRAINTS))
    failed = []
    for path in notebooks:
        run(
            [str(python), "-m", "pip", "uninstall", "-q", "-y", "dlsip"],
            stderr=subprocess.DEVNULL,
        )
        with tempfile.TemporaryDirectory() as work:
            target = Path(work) / path.name
            nbformat.write(
                setup_cell_for(nbformat.read(path, as_version=4), url), target
            )
            start = time.perf_counter()
            result = subprocess.run(
                [str(python), "-c", RUNNER, target.name],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - start
        status = "ok" if result.returncode == 0 else "FAILED"
        print(f"{path.name}: {status} in {seconds:.0f} s", flush=True)
        if result.returncode != 0:
            failed.append(path.name)
            print(result.stderr[-3000:], file=sys.stderr)
    versions = run(
        [
            str(python),
            "-c",
            "import torch, numpy; print('torch', torch.__version__, "
            "'numpy', numpy.__version__)",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        f"{len(notebooks) - len(failed)} of {len(notebooks)} notebooks ran ({versions})"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
