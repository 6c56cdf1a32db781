"""`make pdf`: the single-page build printed to one PDF holds every chapter, with its
formulas rendered (no TeX source left in the text)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import ROOT
from tests.test_book_browser import _chromium

sys.path.insert(0, str(ROOT / "tools"))
import make_pdf  # noqa: E402  (tools/ holds scripts, not a package)


def chapter_titles() -> list[str]:
    """The first heading of every notebook, as the book's contents show it."""
    titles = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        first = "".join(cells[0]["source"]).splitlines()[0]
        titles.append(first.lstrip("# ").strip())
    return titles


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("pdf")
    jb = Path(sys.executable).with_name("jupyter-book")
    build = subprocess.run(
        [
            str(jb) if jb.exists() else shutil.which("jupyter-book"),
            "build",
            str(ROOT),
            "--builder",
            "singlehtml",
            "--path-output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    pdf = out / "dlsip.pdf"
    typeset = make_pdf.print_pdf(
        out / "_build" / "singlehtml", "book/intro.html", pdf, _chromium()
    )
    assert typeset > 100, f"only {typeset} formulas were typeset before printing"
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_there_are_chapters_to_look_for():
    titles = chapter_titles()
    assert len(titles) == 8 and "Images and signals as arrays" in titles


@pytest.mark.slow
def test_pdf_holds_every_chapter(pdf_text):
    flat = " ".join(pdf_text.split()).replace("ﬁ", "fi")
    missing = [t for t in chapter_titles() if t not in flat]
    assert not missing, f"chapters missing from the PDF: {missing}"


@pytest.mark.slow
def test_pdf_formulas_are_rendered(pdf_text):
    raw = [tex for tex in ("\\(", "\\[", "$$", "\\begin{") if tex in pdf_text]
    assert not raw, f"the PDF shows TeX source: {raw}"
