"""Every page of the built book, opened in headless Chromium with the network blocked,
as a reader without internet would: nothing is requested from outside the site, the
console stays free of errors, every formula is rendered by MathJax (no TeX source left
in the text) and axe-core finds no accessibility violation rated serious or critical
(WCAG 2 A and AA).

Chromium is Debian's ``chromium`` (``.ci/run`` installs it when missing; set
``$CHROMIUM`` to use another build), driven by playwright without its own browser
download. axe-core comes from npm (``package.json``, installed by ``make book``).
"""

from __future__ import annotations

import os
import shutil

import pytest
import yaml
from make_pdf import MATHJAX_DONE, serve  # tools/ is on the path (conftest)
from playwright.sync_api import sync_playwright

from tests.conftest import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: axe-core rules accepted on a page (``"page: rule id"``), each with the reason. Empty
#: today; a third-party violation that cannot be fixed here would go here.
AXE_ALLOWED: dict[str, str] = {}


def book_pages() -> list[str]:
    """The book's HTML pages, from ``_toc.yml``, plus the index and search pages."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [
        chapter["file"] for part in toc["parts"] for chapter in part["chapters"]
    ]
    return [f"{name}.html" for name in files] + ["genindex.html", "search.html"]


@pytest.fixture(scope="module")
def site(book_html):
    """The built book served over HTTP on localhost."""
    with serve(book_html) as base:
        yield base


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "headless Chromium is needed for the page tests: apt-get install chromium "
            "(or set $CHROMIUM to a Chromium binary)"
        )
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def offline_context(browser, site):
    """A browser context in which every request that leaves the site is blocked and
    recorded in ``context.outside``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.outside = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(site) or url.startswith(("data:", "blob:", "about:")):
            request_route.continue_()
        else:
            context.outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    yield context
    context.close()


#: The text a reader sees, without code blocks (code may hold ``$`` or backslashes).
VISIBLE_PROSE = """() => {
    const main = document.querySelector('main') || document.body;
    const copy = main.cloneNode(true);
    copy.querySelectorAll('pre, code, script, style, mjx-container')
        .forEach(e => e.remove());
    return copy.innerText;
}"""


def _open(context, site, page_name):
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    before = len(context.outside)
    page.goto(site + page_name, wait_until="load")
    # MathJax typesets after load; its startup promise resolves when it is done.
    page.evaluate(MATHJAX_DONE)
    return page, errors, context.outside[before:]


@pytest.mark.slow
def test_the_page_list_matches_the_built_pages(book_html):
    built = {
        str(p.relative_to(book_html))
        for p in book_html.rglob("*.html")
        if not p.relative_to(book_html).parts[0].startswith("_")
    }
    assert built == set(book_pages()) | {"index.html"}


@pytest.mark.slow
@pytest.mark.parametrize("page_name", book_pages())
def test_page_works_offline(offline_context, site, page_name):
    page, errors, outside = _open(offline_context, site, page_name)
    try:
        prose = page.evaluate(VISIBLE_PROSE)
        typeset = page.evaluate(
            "() => document.querySelectorAll('mjx-container').length"
        )
        has_math = page.evaluate(
            "() => document.querySelectorAll('.math, span.math, div.math').length"
        )
    finally:
        page.close()
    assert not outside, f"{page_name} requested outside the site: {outside}"
    assert not errors, f"{page_name} logged console errors: {errors}"
    raw = [tex for tex in ("\\(", "\\[", "$$") if tex in prose]
    assert not raw, f"{page_name} shows TeX source {raw}: a formula was not rendered"
    assert typeset >= has_math, (
        f"{page_name}: {has_math} formulas, {typeset} typeset by MathJax"
    )


@pytest.mark.slow
def test_formulas_are_typeset_where_the_book_has_them(offline_context, site):
    page, errors, outside = _open(offline_context, site, "notebooks/01_filtering.html")
    try:
        typeset = page.evaluate(
            "() => document.querySelectorAll('mjx-container').length"
        )
    finally:
        page.close()
    assert typeset >= 10 and not errors and not outside


@pytest.mark.slow
@pytest.mark.parametrize("page_name", book_pages())
def test_page_has_no_serious_accessibility_violation(offline_context, site, page_name):
    assert AXE.is_file(), f"axe-core is missing ({AXE}): run `npm ci` (make book does)"
    page, _, _ = _open(offline_context, site, page_name)
    try:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', "
            "values: ['wcag2a', 'wcag2aa']}})"
        )
    finally:
        page.close()
    found = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']}; first: "
        f"{v['nodes'][0]['html'][:160]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
        and f"{page_name}: {v['id']}" not in AXE_ALLOWED
    ]
    assert not found, f"{page_name}:\n" + "\n".join(found)


#: Code blocks of a page that are wider than their box (they scroll, cutting lines off).
CUT_CODE = """() => [...document.querySelectorAll('div.cell_input pre')]
    .filter(p => p.scrollWidth > p.clientWidth + 1)
    .map(p => p.innerText.split('\\n')
        .reduce((a, b) => (b.length > a.length ? b : a)))"""


@pytest.mark.slow
@pytest.mark.parametrize("page_name", [p for p in book_pages() if "notebooks/" in p])
def test_code_lines_fit_the_column_of_a_laptop_screen(browser, site, page_name):
    # 1280 x 800 is a common laptop window; the theme's text column is narrowest there
    # before it drops the side bar.
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(site + page_name, wait_until="load")
        cut = page.evaluate(CUT_CODE)
        blocks = page.evaluate(
            "() => document.querySelectorAll('div.cell_input pre').length"
        )
    finally:
        page.close()
    assert blocks > 0
    assert not cut, f"{page_name}: code blocks cut off at 1280 px, longest lines: {cut}"
