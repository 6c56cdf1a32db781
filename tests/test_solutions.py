"""Every exercise solution's code can run after the last cell of its notebook.

A solution lives in a ``{solution}`` directive of a markdown cell, so neither nbval nor
ruff sees it: a solution that uses a name the notebook renamed, or never defined, fails
only in the hands of a student. The code of a solution is what the book shows as code:
its indented blocks (four spaces, after a blank line or the directive's options) and its
fenced ``python`` blocks. Each must be valid Python, and every name it uses must be
defined by the notebook's code cells, by the solution itself or by the builtins (the
notebook is checked with ``ruff --select F821``, the solution as one more code cell).

Running the solutions takes minutes per chapter (some train on the full training
set), so it is a tool, not a test: ``python tools/run_solutions.py NOTEBOOK`` executes a
notebook and then each of its solutions in the same kernel.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RUFF = Path(sys.executable).with_name("ruff")

#: A solution directive, fenced with backticks or colons; the closing fence has the
#: opening's length, so a solution opened with four backticks may hold fenced code.
SOLUTION = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{solution\}[ \t]*(?P<label>\S*)[^\n]*\n"
    r"(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.M | re.S,
)
OPTION = re.compile(r":[\w-]+:.*")
FENCE = re.compile(r"(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`\n]*)")
PYTHON_INFO = {"python", "python3", "py", "ipython", "ipython3", "{code-cell} python"}


@dataclass(frozen=True)
class Snippet:
    """One solution's code: ``lines`` is a list of ``(line in the cell, code)``."""

    notebook: str
    cell: int
    label: str
    lines: tuple[tuple[int, str], ...]

    @property
    def code(self) -> str:
        return "\n".join(text for _, text in self.lines) + "\n"

    @property
    def id(self) -> str:
        return f"{self.notebook}:{self.label}"

    def where(self, row: int) -> str:
        """``row`` of :attr:`code` (1-based) as a place in the notebook."""
        line, text = self.lines[row - 1]
        return f"{self.notebook} cell {self.cell} line {line}: {text.strip()}"


def solution_code(body: str, first_line: int = 1) -> list[tuple[int, str]]:
    """The code lines of a solution's body: ``(line number, code)``, dedented.

    ``first_line`` is the number of the body's first line in its cell. Blocks are
    separated by a blank line in the result, so that each starts a new statement.
    """
    lines = body.split("\n")
    i = 0
    while i < len(lines) and OPTION.fullmatch(lines[i].strip()):
        i += 1  # the directive's options end like a blank line
    blocks: list[list[tuple[int, str]]] = []
    previous_blank = True
    while i < len(lines):
        line = lines[i]
        fence = FENCE.fullmatch(line.strip()) if not line.startswith("    ") else None
        if fence:
            close = re.compile(
                re.escape(fence["fence"][0]) + "{%d,}\\s*" % len(fence["fence"])
            )
            end = i + 1
            while end < len(lines) and not close.fullmatch(lines[end].strip()):
                end += 1
            if fence["info"].strip().lower() in PYTHON_INFO and end > i + 1:
                blocks.append([(first_line + j, lines[j]) for j in range(i + 1, end)])
            i, previous_blank = end + 1, False
            continue
        if previous_blank and (line.startswith("    ") or line.startswith("\t")):
            block = []
            while i < len(lines) and (
                not lines[i].strip() or lines[i].startswith(("    ", "\t"))
            ):
                block.append((first_line + i, lines[i]))
                i += 1
            while block and not block[-1][1].strip():
                block.pop()
            dedented = textwrap.dedent("\n".join(text for _, text in block)).split("\n")
            blocks.append([(n, t) for (n, _), t in zip(block, dedented)])
            previous_blank = False
            continue
        previous_blank = not line.strip()
        i += 1
    code: list[tuple[int, str]] = []
    for block in blocks:
        if code:
            code.append((block[0][0], ""))
        code += block
    return code


def solutions(path: Path) -> list[Snippet]:
    """The solutions of a notebook that hold code, in the order of the book."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for match in SOLUTION.finditer(cell.source):
            first = cell.source.count("\n", 0, match.start("body")) + 1
            lines = solution_code(match["body"], first)
            if lines:
                found.append(
                    Snippet(path.stem, index, match["label"] or "?", tuple(lines))
                )
    return found


def syntax_error(code: str) -> SyntaxError | None:
    try:
        ast.parse(code)
    except SyntaxError as error:
        return error
    return None


def undefined_names(cells: list[str], snippets: list[str], folder: Path) -> list[list]:
    """For each snippet, ruff's F821 diagnostics ``(row, name)`` when it runs after
    ``cells`` (the source of a notebook's code cells), rows counted in the snippet."""
    folder.mkdir(parents=True, exist_ok=True)
    for k, snippet in enumerate(snippets):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(s) for s in [*cells, snippet]]
        nbformat.write(nb, folder / f"snippet_{k}.ipynb")
    result = subprocess.run(
        [str(RUFF) if RUFF.exists() else "ruff", "check", "--isolated", "--no-cache"]
        + ["--select", "F821", "--output-format", "json", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1):  # 1: diagnostics found
        raise RuntimeError(f"ruff failed: {result.stderr}")
    found: list[list] = [[] for _ in snippets]
    for diagnostic in json.loads(result.stdout):
        k = int(Path(diagnostic["filename"]).stem.split("_")[1])
        if diagnostic["cell"] == len(cells) + 1:  # the snippet's cell, 1-based
            name = re.search(r"`(.*)`", diagnostic["message"])
            found[k].append(
                (
                    diagnostic["location"]["row"],
                    name[1] if name else diagnostic["message"],
                )
            )
    return found


SNIPPETS = [s for path in NOTEBOOKS for s in solutions(path)]


@pytest.fixture(scope="module")
def undefined(tmp_path_factory) -> dict[str, list]:
    """``snippet id -> [(row, undefined name), ...]`` for every solution of the book."""
    out = {}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        cells = [c.source for c in nb.cells if c.cell_type == "code"]
        mine = [s for s in SNIPPETS if s.notebook == path.stem]
        valid = [s for s in mine if syntax_error(s.code) is None]
        folder = tmp_path_factory.mktemp(path.stem)
        for snippet, names in zip(
            valid, undefined_names(cells, [s.code for s in valid], folder)
        ):
            out[snippet.id] = names
    return out


def test_solutions_are_found():
    # Most solutions hold code; an extractor that found none would pass every test.
    assert len(SNIPPETS) >= 20
    assert {s.notebook for s in SNIPPETS} == {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda s: s.id)
def test_solution_is_valid_python(snippet):
    error = syntax_error(snippet.code)
    assert error is None, f"{snippet.where(error.lineno or 1)}: {error.msg}"


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda s: s.id)
def test_solution_uses_only_defined_names(snippet, undefined):
    if snippet.id not in undefined:
        pytest.skip("not valid Python (see test_solution_is_valid_python)")
    problems = [
        f"{snippet.where(row)}: `{name}` is undefined"
        for row, name in undefined[snippet.id]
    ]
    assert not problems, "\n".join(problems)


# The checks themselves must be able to fail.

BAD_SOLUTION = (
    """\
Some text.
```{solution} ex-bad
:class: dropdown
    y = np.zeros(3) + not_defined_anywhere

Prose, then fenced code:

```python
print(also_missing, x)
```
""".replace("```{solution}", "````{solution}")
    + "````\n"
)


def test_extraction_finds_indented_and_fenced_code():
    match = SOLUTION.search(BAD_SOLUTION)
    assert match and match["label"] == "ex-bad"
    code = solution_code(match["body"], first_line=3)
    assert [text for _, text in code] == [
        "y = np.zeros(3) + not_defined_anywhere",
        "",
        "print(also_missing, x)",
    ]
    assert code[0][0] == 4 and code[-1][0] == 9  # lines of the markdown cell


def test_indented_lines_that_continue_a_paragraph_are_not_code():
    body = ":class: dropdown\nA paragraph whose\n    continuation is indented.\n"
    assert solution_code(body) == []


def test_a_bad_solution_fails(tmp_path):
    code = "\n".join(t for _, t in solution_code(SOLUTION.search(BAD_SOLUTION)["body"]))
    cells = ["import numpy as np", "x = 1"]
    found = undefined_names(cells, [code, "print(np.pi, x)"], tmp_path)
    assert [name for _, name in found[0]] == ["not_defined_anywhere", "also_missing"]
    assert [row for row, _ in found[0]] == [1, 3]
    assert found[1] == []


def test_a_syntax_error_is_caught():
    assert syntax_error("def f(:\n    pass\n") is not None
    assert syntax_error("def f():\n    pass\n") is None
