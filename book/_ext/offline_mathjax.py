"""Serve MathJax from the built site, so that formulas render without a network.

Sphinx links MathJax from a CDN by default; a reader offline (or behind a firewall) then
sees TeX source. This extension copies the parts of the npm package ``mathjax``
(pinned in ``package.json``, installed into ``node_modules/`` by ``make book``) that the
book uses into ``_build/html/_static/mathjax/``; ``_config.yml`` points
``mathjax_path`` there.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util.fileutil import copy_asset

ROOT = Path(__file__).resolve().parents[2]
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"

#: The TeX-to-HTML component, its fonts, the TeX extensions it loads on demand (e.g.
#: ``\boldsymbol``) and its menu with the accessibility modules the menu can switch on.
#: Left out: the other input/output combinations and the speech-rule maps (20 MB).
PARTS = ("tex-chtml.js", "output/chtml", "input/tex/extensions", "a11y", "ui")


def _check_installed(app: Sphinx) -> None:
    missing = [part for part in PARTS if not (MATHJAX / part).exists()]
    if missing:
        raise ExtensionError(
            f"MathJax is not installed in {MATHJAX} (missing: {', '.join(missing)}); "
            "run `npm ci` in the project folder (`make book` does it)"
        )


def _copy(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        source = MATHJAX / part
        if source.is_dir():
            copy_asset(str(source), str(target / part))
        else:
            target.mkdir(parents=True, exist_ok=True)
            copy_asset(str(source), str(target))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _check_installed)
    app.connect("build-finished", _copy)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
