"""Hygiene of the stored notebooks. nbval (run on notebooks/ by `make test`) checks that
they still produce their stored outputs; these tests check that what is stored is fit to
be compared and shown: executed in order, without errors, with a setup cell that points
at the repository of _config.yml, and with nothing machine-specific in compared
outputs."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml
from PIL import Image
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


#: A stored notebook may weigh at most this much (its chapter page, with the images,
#: at most 600 KB: tests/test_book_site.py).
NOTEBOOK_LIMIT = 800 * 1024

#: The book's content column is 688-790 px wide: a wider image is shrunk, its text
#: with it (dlsip.plotting._base.BOOK_WIDTH).
MAX_IMAGE_WIDTH = 790

#: An animation's frames are at least this wide: a grid of numbers that can be read.
MIN_FRAME_WIDTH = 400

#: The book's code cells show 88 characters a line (ruff's line length).
MAX_CODE_LINE = 88


def test_notebook_outputs_are_small(notebook):
    path, _ = notebook
    size = path.stat().st_size
    assert size <= NOTEBOOK_LIMIT, (
        f"{path.name} is {size / 1024:.0f} KB; keep it under "
        f"{NOTEBOOK_LIMIT / 1024:.0f} KB (plotting.as_image stores figures light)"
    )


def image_outputs(cell):
    """The images a cell's outputs store, decoded: ``(mime type, PIL image)``."""
    for out in cell.get("outputs", []):
        for mime in ("image/png", "image/jpeg"):
            if mime in out.get("data", {}):
                raw = base64.b64decode(out.data[mime])
                yield mime, Image.open(io.BytesIO(raw))


ANIMATION_FRAME = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\\\n]+)")
ANIMATION_ALT = re.compile(r'<img id="_anim_img\w+" alt="([^"]*)"')


def animations(cell):
    """The animations (``animation_html``) a cell's outputs store: ``(HTML, frame
    images)``."""
    for out in cell.get("outputs", []):
        html = out.get("data", {}).get("text/html", "")
        frames = ANIMATION_FRAME.findall(html)
        if frames:
            yield (
                html,
                [
                    Image.open(io.BytesIO(base64.b64decode(f.replace("\\\n", ""))))
                    for f in frames
                ],
            )


def test_the_image_checks_see_the_images():
    # The checks below would pass on a notebook whose images they failed to find.
    cells = [c for p in NOTEBOOKS for c in code_cells(nbformat.read(p, as_version=4))]
    kinds = {mime for c in cells for mime, _ in image_outputs(c)}
    frames = [f for c in cells for _, fs in animations(c) for f in fs]
    assert kinds == {"image/png", "image/jpeg"}
    assert len(frames) >= 16 and all(f.format == "PNG" for f in frames)


def test_images_fit_the_book_column(notebook):
    _, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        for mime, image in image_outputs(cell):
            assert image.width <= MAX_IMAGE_WIDTH, (
                f"code cell {i} stores a {mime} {image.width} px wide: the book "
                f"shrinks it to its {MAX_IMAGE_WIDTH} px column and its text with it; "
                "draw the figure at most 7.8 inches wide"
            )


def test_animation_frames_are_legible(notebook):
    _, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        for _, frames in animations(cell):
            narrow = [f.width for f in frames if f.width < MIN_FRAME_WIDTH]
            assert not narrow, (
                f"code cell {i} animates frames {narrow[0]} px wide, fewer than "
                f"{MIN_FRAME_WIDTH}: its numbers would be too small to read"
            )


def test_every_image_has_an_alt_text(notebook):
    _, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        if any(True for _ in image_outputs(cell)):
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            assert alt.strip(), (
                f"code cell {i} shows an image without an alt text: say what it "
                "shows in the cell's metadata, mystnb: image: alt"
            )
        for html, _ in animations(cell):
            alt = ANIMATION_ALT.search(html)
            assert alt and not alt[1].startswith("An animation of "), (
                f"code cell {i} shows an animation without an alt text: pass "
                "alt=... to plotting.animation_html"
            )


def test_code_lines_fit_the_book(notebook):
    _, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        for line in cell.source.splitlines():
            assert len(line) <= MAX_CODE_LINE, (
                f"code cell {i} has a line of {len(line)} characters, more than the "
                f"{MAX_CODE_LINE} the book shows: {line!r}"
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


# What readers see: the chapters, the book's pages, and the package's docstrings and
# messages. They cite the lecture decks or the papers; the course's internal topic list
# ("the syllabus") is not something a reader has.
READER_TEXT = [
    *NOTEBOOKS,
    *sorted((ROOT / "book").glob("*.md")),
    *sorted((ROOT / "dlsip").rglob("*.py")),
]
NOT_FOR_READERS = re.compile(r"\bsyllabus", re.IGNORECASE)


@pytest.mark.parametrize("path", READER_TEXT, ids=lambda p: str(p.relative_to(ROOT)))
def test_reader_text_cites_sources_a_reader_has(path):
    text = path.read_text(encoding="utf-8")
    found = sorted({m.group(0) for m in NOT_FOR_READERS.finditer(text)})
    assert not found, f"{path.relative_to(ROOT)} mentions {found}"


def test_the_reader_text_check_finds_a_mention():
    assert NOT_FOR_READERS.search("the Syllabus's example")
