"""The book builds with warnings as errors, and its pages show what they should: the
stored outputs, the Colab button and hidden solutions."""

from __future__ import annotations

import re

import pytest


@pytest.mark.slow
def test_book_builds_without_warnings(built_book):
    result, html = built_book
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert not re.search(r"\bWARNING\b", log), log[-4000:]
    assert (html / "index.html").is_file()


@pytest.mark.slow
def test_notebook_pages_show_outputs_and_colab_button(built_book):
    _, html = built_book
    page = (html / "notebooks" / "00_images_and_signals.html").read_text()
    assert (
        "colab.research.google.com/github/dlsip/dlsip/blob/main/notebooks/00_images_and_signals.ipynb"
        in page
    )
    assert "shape: (512, 512)" in page  # a stored output, not re-executed
    assert "data:image/png;base64" in page or "_images/" in page


@pytest.mark.slow
def test_solutions_are_hidden(built_book):
    _, html = built_book
    page = (html / "notebooks" / "00_images_and_signals.html").read_text()
    assert re.search(r'class="[^"]*solution[^"]*dropdown', page) or re.search(
        r'class="[^"]*dropdown[^"]*solution', page
    )


@pytest.mark.slow
def test_bibliography_lists_the_references(built_book):
    _, html = built_book
    page = (html / "book" / "references.html").read_text()
    for name in (
        "Goodfellow",
        "LeCun",
        "Ioffe",
        "Dumoulin",
        "Odena",
        "Araujo",
        "Shi",
        "Oord",
        "Howard",
        "Chollet",
    ):
        assert name in page, name
