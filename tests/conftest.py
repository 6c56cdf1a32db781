"""Shared fixtures and paths for the test suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # tests draw figures without a screen

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))  # tools/ is scripts, not a package


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def real_mnist_available() -> bool:
    """True when $DLSIP_DATA points at a folder with the raw MNIST files (as on CI)."""
    root = os.environ.get("DLSIP_DATA")
    return (
        bool(root)
        and (Path(root) / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").is_file()
    )


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """Build the book once per test session (``-W``: warnings are errors) and return
    ``(completed process, path of the HTML folder)``."""
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [
        str(jb) if jb.exists() else shutil.which("jupyter-book"),
        "build",
        str(ROOT),
        "-W",
        "--keep-going",
        "--path-output",
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    return result, out / "_build" / "html"


@pytest.fixture(scope="session")
def book_html(built_book) -> Path:
    """The HTML folder of a book that built; fails the test when the build failed."""
    result, html = built_book
    if result.returncode != 0:
        pytest.fail(
            "the book did not build:\n" + (result.stdout + result.stderr)[-3000:]
        )
    return html
