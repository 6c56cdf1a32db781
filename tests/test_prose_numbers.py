"""Numbers in the prose come from the code: every number in a notebook's markdown that
has a decimal point, a percent sign or a unit (s, ms, KB, MB, GB, dB, px, x for ratios)
also appears, as rounded in the text, among the numbers of that notebook's code or
outputs, or in ``ALLOWED`` below with the reason it need not.

"As rounded in the text": 22.5 s in the prose matches 22.47 in an output, 45% matches
0.4512 (a fraction), 188 MB matches 188160000 (bytes); a number written as 1e-15 (an
order of magnitude) matches any output within a factor of about 3 of it.
"""

from __future__ import annotations

import json
import math
import re

import pytest

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: ``"notebook stem: number as written" -> why it is not computed in that notebook``.
ALLOWED: dict[str, str] = {
    "00_images_and_signals: 3.4": "largest float32, a constant of the IEEE format "
    "(np.finfo), quoted in the dtype table",
    "00_images_and_signals: 1.8": "largest float64, a constant of the IEEE format",
    "00_images_and_signals: 9.2": "largest int64, 2**63 - 1, a constant",
    "01_filtering: 3.22": "29 / 9, worked out in the formula of the same sentence",
    "04_batch_normalization: 11.35%": "the share of ones among MNIST's 10,000 test "
    "images (1,135), a fact of the data set",
    "05_mnist: 188 MB": "60,000 x 784 x 4 bytes, worked out in the formula of the same "
    "sentence",
    "05_mnist: 30%": "the one-cycle schedule's warm-up share, a default of "
    "dlsip.train.fit that the text describes",
    "05_mnist: 96.57%": "cited from mnist_speed.py --recipe lecture",
    "05_mnist: 97.59%": "cited from mnist_speed.py --recipe lecture",
    "05_mnist: 0.36%": "cited from mnist_speed.py --recipe lecture",
    "05_mnist: 97.75%": "cited from mnist_speed.py --recipe lecture",
    "05_mnist: 98.22%": "cited from mnist_speed.py --recipe lecture",
    "05_mnist: 0.17%": "cited from mnist_speed.py --recipe capacity",
    "05_mnist: 97.17%": "cited from mnist_speed.py --recipe capacity",
    "05_mnist: 97.81%": "cited from mnist_speed.py --recipe capacity",
    "05_mnist: 98.32%": "cited from mnist_speed.py --recipe capacity",
    "05_mnist: 98.13%": "cited from mnist_speed.py --recipe capacity",
    "05_mnist: 98.97%": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 0.04%": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 98.93%": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 0.06%": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 99.14%": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 0.05%": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 99.08%": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 99.17%": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 0.2": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 0.4": "cited from mnist_speed.py --recipe fast",
    "05_mnist: 7.8": "cited from an idle run of mnist_speed.py",
    "05_mnist: 9.1 s": "cited from an idle run of mnist_speed.py",
    "05_mnist: 15 s": "cited from an idle run of mnist_speed.py",
}

UNIT = r"(%|\s?(?:ms|s|KB|MB|GB|kB|dB|px|x|×)(?!\w))"
PROSE_NUMBER = re.compile(
    r"(?<![\w.^_{-])"
    r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+(?:e-?\d+)?|\d+e-?\d+|\d+)" + UNIT + "?"
)
CODE_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
#: How a measured value may be shown in the prose: as is, as a percentage, in thousands
#: or millions, in KB or MB, in milliseconds, in nanoseconds.
SCALES = (1, 100, 1e-3, 1e3, 1e-6, 2**-10, 2**-20, 1e-9)


def prose_numbers(markdown: str):
    """The numbers of a markdown text that need a source: ``(as written, number)``.

    Code (fenced or inline), link targets and HTML tags are left out; formulas are
    not, since the prose states numbers in them too.
    """
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"<[^>]+>", " ", text)
    for match in PROSE_NUMBER.finditer(text):
        number, unit = match.group(1), match.group(2)
        if "." in number or "e" in number or unit:
            yield match.group(0).strip(), number


def code_numbers(nb: dict) -> set[float]:
    """Every number in the notebook's code cells and their text outputs."""
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        parts.append("".join(cell["source"]))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            for kind in ("text/plain", "text/markdown", "text/html"):
                parts.append("".join(out.get("data", {}).get(kind, "")))
    text = "\n".join(parts).replace(",", "")
    return {float(x) for x in CODE_NUMBER.findall(text)}


def is_measured(number: str, values: set[float]) -> bool:
    value = float(number.replace(",", ""))
    if "e" in number:  # an order of magnitude: within a factor of sqrt(10)
        return any(x and abs(math.log10(abs(x) / value)) <= 0.5 for x in values)
    digits = len(number.split(".")[1]) if "." in number else 0
    return any(round(x * s, digits) == value for x in values for s in SCALES)


def unsourced(path) -> list[str]:
    nb = json.loads(path.read_text())
    values = code_numbers(nb)
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for written, number in prose_numbers("".join(cell["source"])):
            key = f"{path.stem}: {written}"
            if key not in ALLOWED and not is_measured(number, values):
                found.append(f"cell {i}: {written}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_numbers_come_from_the_code(path):
    missing = unsourced(path)
    assert not missing, (
        f"{path.name}: numbers in the text that no code or output of the notebook "
        f"gives (compute them, or add them to ALLOWED with the reason): {missing}"
    )


def test_every_allowed_number_is_in_the_text():
    texts = {
        p.stem: [
            w
            for c in json.loads(p.read_text())["cells"]
            if c["cell_type"] == "markdown"
            for w, _ in prose_numbers("".join(c["source"]))
        ]
        for p in NOTEBOOKS
    }
    stale = [k for k in ALLOWED if k.split(": ", 1)[1] not in texts[k.split(": ")[0]]]
    assert not stale, f"allow-list entries no longer in the text: {stale}"


@pytest.mark.parametrize(
    "markdown, values, expected",
    [
        ("training took 22.5 s", {22.47}, []),
        ("training took 22.5 s", {21.0}, ["22.5 s"]),
        ("an accuracy of 45%", {0.4512}, []),
        ("errors of about 1e-15", {4e-14, 3e-13}, ["1e-15"]),
        ("errors of about 1e-13", {4e-14, 3e-13}, []),
        ("it is 188 MB", {188160000.0}, []),
        ("a 3.2x speed-up", {3.24}, []),
        ("a 3.2x speed-up", {3.3}, ["3.2x"]),
        ("see `x = 0.5` and [link](http://a/1.5)", set(), []),
        ("in 2019, 16 channels", set(), []),  # no decimal point and no unit
    ],
)
def test_the_checker(markdown, values, expected):
    found = [w for w, n in prose_numbers(markdown) if not is_measured(n, values)]
    assert found == expected
