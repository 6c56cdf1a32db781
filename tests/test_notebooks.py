"""Hygiene of the stored notebooks. nbval (run on notebooks/ by `make test`) checks that
they still produce their stored outputs; these tests check that what is stored is fit to
be compared and shown: executed in order, without errors, with a setup cell that points
at the repository of _config.yml, and with nothing machine-specific in compared
outputs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml
from set_repo import package_version, read_repository, setup_cell_source

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IGNORE = "nbval-ignore-output"

# Text in compared outputs that would differ between machines or runs.
MACHINE_SPECIFIC = {
    "memory address": re.compile(r"\bat 0x[0-9a-fA-F]{6,}|\b0x[0-9a-fA-F]{8,}\b"),
    "machine path": re.compile(
        r"(/home/|/root/|/tmp/|/work/|/Users/|site-packages|[A-Z]:\\\\)"
    ),
    "timing": re.compile(
        r"(\d+(\.\d+)?\s?(ms|µs|us|ns)\b|\d+\.\d+\s?s\b|\d+\.\d+\s?(sec|seconds)\b"
        r"|it/s|s/it|Wall time|CPU times)"
    ),
}


def _id(path):
    return path.stem


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=]+")


def output_text(cell):
    """All text a cell's outputs carry, as nbval compares it: images excluded, including
    the frames embedded in an animation's HTML (tests/nbval_sanitize.cfg masks those
    too)."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.extend(
                v
                for k, v in out.data.items()
                if k not in ("image/png", "image/jpeg") and isinstance(v, str)
            )
    return EMBEDDED_IMAGE.sub("IMAGE", "\n".join(parts))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.fixture(params=NOTEBOOKS, ids=_id)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_valid_nbformat(notebook):
    _, nb = notebook
    nbformat.validate(nb)


def test_kernelspec_is_python3(notebook):
    _, nb = notebook
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


def test_every_code_cell_executed_in_order(notebook):
    _, nb = notebook
    counts = [c.execution_count for c in code_cells(nb) if c.source.strip()]
    assert None not in counts, "unexecuted code cells: run `make notebooks`"
    assert counts == list(range(1, len(counts) + 1)), (
        f"execution counts out of order: {counts}"
    )


def test_no_error_outputs(notebook):
    _, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        for out in cell.outputs:
            assert out.output_type != "error", (
                f"code cell {i} stores an error: "
                f"{out.get('ename')}: {out.get('evalue')}"
            )
            if out.output_type == "stream":
                assert "Traceback (most recent call last)" not in out.text, (
                    f"code cell {i} prints a traceback"
                )


def test_setup_cell_points_at_configured_repository(notebook):
    _, nb = notebook
    first = code_cells(nb)[0]
    assert "setup" in tags(first), (
        "the first code cell must be the setup cell, tagged 'setup'"
    )
    assert "hide-input" in tags(first), "the setup cell must be folded in the book"
    assert first.source == setup_cell_source(), (
        "setup cell differs from tools/set_repo.py:setup_cell_source(): "
        "run `make notebooks` (or `make set-repo`)"
    )
    url, _ = read_repository()
    assert f"git+{url}@v{{DLSIP_VERSION}}" in first.source
    assert f'DLSIP_VERSION = "{package_version()}"' in first.source


def test_setup_cell_says_when_the_installed_version_differs(tmp_path):
    # dlsip is installed here: the cell installs nothing and prints one line, and only
    # when the installed version is not the one the notebook was executed with.
    for version, expected in (
        (package_version(), ""),
        (
            "0.0.1",
            f"This chapter ran with dlsip 0.0.1; you have {package_version()}.\n",
        ),
    ):
        result = subprocess.run(
            [sys.executable, "-c", setup_cell_source(version=version)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected


def test_no_machine_specific_text_in_compared_outputs(notebook):
    _, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        if IGNORE in tags(cell):
            continue
        text = output_text(cell)
        for what, pattern in MACHINE_SPECIFIC.items():
            match = pattern.search(text)
            assert match is None, (
                f"code cell {i} shows a {what} ({match.group(0)!r}) "
                "in an output nbval compares"
            )


def test_ignored_cells_are_followed_by_an_assertion(notebook):
    _, nb = notebook
    cells = code_cells(nb)
    for i, cell in enumerate(cells):
        assert "nbval-skip" not in tags(cell), (
            f"code cell {i} is skipped by nbval; skipping is not allowed"
        )
        if IGNORE in tags(cell):
            following = cells[i + 1] if i + 1 < len(cells) else None
            assert following is not None and IGNORE not in tags(following), (
                f"code cell {i} is {IGNORE} but is not followed by a compared cell"
            )
            assert re.search(r"^\s*assert\b", following.source, re.M), (
                f"code cell {i} is {IGNORE}; "
                "the next code cell must assert what matters"
            )


def test_ignored_cells_are_rare(notebook):
    _, nb = notebook
    cells = code_cells(nb)
    ignored = sum(IGNORE in tags(c) for c in cells)
    assert ignored <= max(2, len(cells) // 5), (
        f"{ignored} of {len(cells)} code cells skip output comparison"
    )


def test_every_notebook_is_in_the_toc():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {ch["file"] for part in toc["parts"] for ch in part["chapters"]}
    for path in NOTEBOOKS:
        assert f"notebooks/{path.stem}" in files, (
            f"{path.name} is missing from _toc.yml"
        )


def test_notebook_outputs_are_small():
    for path in NOTEBOOKS:
        assert path.stat().st_size < 5_000_000, (
            f"{path.name} is {path.stat().st_size} bytes; keep it under 5 MB"
        )


def test_set_repo_rewrites_config_and_setup_cells(tmp_path):
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "notebooks").mkdir()
    for path in NOTEBOOKS:
        shutil.copy(path, tmp_path / "notebooks" / path.name)
    url = "https://github.com/example-org/dlsip-fork"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "set_repo.py"),
            url,
            "--branch",
            "spring",
            "--root",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert read_repository(tmp_path / "_config.yml") == (url, "spring")
    for path in (tmp_path / "notebooks").glob("*.ipynb"):
        first = code_cells(nbformat.read(path, as_version=4))[0]
        assert first.source == setup_cell_source(url, package_version())
        assert "hide-input" in first.metadata["tags"]


def test_set_repo_rejects_a_bad_url(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "set_repo.py"),
            "not a url",
            "--root",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "URL must look like" in result.stderr


def test_nbval_really_compares(tmp_path):
    """Editing one compared output of a stored notebook makes nbval fail."""
    source = ROOT / "notebooks" / "00_images_and_signals.ipynb"
    nb = nbformat.read(source, as_version=4)
    for cell in code_cells(nb):
        streams = [o for o in cell.outputs if o.output_type == "stream"]
        if IGNORE not in tags(cell) and streams:
            streams[0].text = streams[0].text.replace("512", "513", 1)
            break
    else:
        pytest.fail("no compared stream output found to edit")
    edited = tmp_path / "edited.ipynb"
    nbformat.write(nb, edited)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbval",
            "-p",
            "no:cacheprovider",
            "-q",
            "-o",
            "addopts=",
            f"--rootdir={tmp_path}",
            str(edited),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout
