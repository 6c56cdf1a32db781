"""Print the single-page HTML build of the book to one PDF, with its formulas rendered.

    make pdf            # builds _build/singlehtml first, writes _build/pdf/dlsip.pdf

Opens the page in headless Chromium (Debian's ``chromium``, or ``$CHROMIUM``) through
playwright, waits until MathJax has typeset every formula, and prints the page with the
browser's print style (the theme hides its navigation when printing; exercise solutions
print opened).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import shutil
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


#: Resolves when MathJax has typeset the page (at once when the page has no MathJax).
MATHJAX_DONE = (
    "() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null"
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(site: Path):
    """Serve the folder ``site`` over HTTP on localhost (fonts and scripts load as they
    do online); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def print_pdf(site: Path, page: str, output: Path, chromium: str) -> int:
    """Print ``site/page`` to ``output``; returns the number of formulas typeset."""
    from playwright.sync_api import sync_playwright

    # Sphinx writes the single page's links relative to the site's root, though the page
    # itself (the book's root document) lives in book/: print a copy placed at the root.
    printable = site / "print.html"
    shutil.copyfile(site / page, printable)
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        tab = browser.new_page()
        tab.goto(base + printable.name, wait_until="load", timeout=120_000)
        tab.evaluate(MATHJAX_DONE)
        typeset = tab.evaluate(
            "() => document.querySelectorAll('mjx-container').length"
        )
        tab.emulate_media(media="print")
        output.parent.mkdir(parents=True, exist_ok=True)
        tab.pdf(
            path=str(output),
            format="A4",
            print_background=True,
            margin={
                "top": "15mm",
                "bottom": "15mm",
                "left": "12mm",
                "right": "12mm",
            },
        )
        browser.close()
    return typeset


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--site", type=Path, default=ROOT / "_build" / "singlehtml", help="singlehtml"
    )
    parser.add_argument("--page", default="book/intro.html")
    parser.add_argument("--output", type=Path, default=ROOT / "_build/pdf/dlsip.pdf")
    args = parser.parse_args(argv)
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not chromium:
        print(
            "make pdf needs headless Chromium: apt-get install chromium",
            file=sys.stderr,
        )
        return 1
    if not (args.site / args.page).is_file():
        print(f"no single-page build at {args.site / args.page}", file=sys.stderr)
        return 1
    typeset = print_pdf(args.site, args.page, args.output, chromium)
    size = args.output.stat().st_size
    print(f"{args.output}: {size / 1e6:.1f} MB, {typeset} formulas typeset")
    return 0


if __name__ == "__main__":
    sys.exit(main())
