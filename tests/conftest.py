"""Shared fixtures and paths for the test suite."""

from __future__ import annotations

import os
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
