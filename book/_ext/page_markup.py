"""Three fixes to the page markup that Sphinx, myst-nb and the theme write.

- Each script once: jupyter-book 1.x registers sphinx-thebe's configuration script
  twice, so every page declared ``const THEBE_JS_URL`` twice and the browser logged a
  SyntaxError.
- Bibliography entries as list items: docutils marks each entry of a citation list with
  the ARIA role ``doc-biblioentry``, which ARIA 1.2 deprecates, so the list had no
  ``listitem`` children (axe-core: ``aria-required-children``, critical).
- Folded cells in the single-page build: myst-nb writes a folded (``hide-input``)
  cell for the ``html`` builder only, so ``singlehtml`` (``make pdf``) failed on the
  setup cell; it gets the same markup.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (
            str(getattr(script, "filename", script) or ""),  # None and "" alike
            repr(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _bibliography_entries_as_list_items(
    app, pagename, templatename, context, doctree
) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app: Sphinx) -> dict:
    from myst_nb.sphinx_ import (
        HideCodeCellNode,
        depart_HideCellInput,
        visit_HideCellInput,
    )

    handlers = (visit_HideCellInput, depart_HideCellInput)
    app.add_node(HideCodeCellNode, override=True, html=handlers, singlehtml=handlers)
    app.connect("html-page-context", _drop_repeated_scripts)
    app.connect("html-page-context", _bibliography_entries_as_list_items)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
