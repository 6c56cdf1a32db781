"""One API style across the package, checked on every public callable the package
exports (each submodule's ``__all__``), so a new function is held to it automatically:
type hints on every signature, keyword-only hyperparameters, ``*_naive`` loop versions
beside their fast twins, ``check_*`` self-checks, one concept per module, raw docstrings
where they hold LaTeX."""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import pkgutil
import tokenize

import pytest

import dlsip
from tests.conftest import ROOT

HYPERPARAMETERS = {"stride", "padding", "dilation", "output_padding", "ceil_mode"}


def _public():
    found = {}
    for sub in dlsip._SUBMODULES:
        module = importlib.import_module(f"dlsip.{sub}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or (
                inspect.isclass(obj) and obj.__module__.startswith("dlsip")
            ):
                found[f"{sub}.{name}"] = obj
    return found


PUBLIC = _public()
FUNCTIONS = {k: f for k, f in PUBLIC.items() if inspect.isfunction(f)}


def test_the_package_exports_what_it_has():
    assert len(FUNCTIONS) > 140, len(FUNCTIONS)  # 146 when this test was written


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_public_functions_are_fully_annotated(key):
    sig = inspect.signature(FUNCTIONS[key])
    missing = [
        p.name
        for p in sig.parameters.values()
        if p.annotation is inspect.Parameter.empty
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    assert not missing, f"{key}: parameters without a type hint: {missing}"
    assert sig.return_annotation is not inspect.Signature.empty, (
        f"{key}: no return type"
    )


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_hyperparameters_are_keyword_only(key):
    sig = inspect.signature(FUNCTIONS[key])
    positional = [
        p.name
        for p in sig.parameters.values()
        if p.name in HYPERPARAMETERS and p.kind is not p.KEYWORD_ONLY
    ]
    assert not positional, (
        f"{key}: hyperparameters that are not keyword-only: {positional}"
    )


def test_every_loop_version_is_named_naive_and_has_a_fast_twin():
    names = {k.split(".", 1)[1]: k for k in FUNCTIONS}
    for old in ("_loop", "_slow", "_reference"):
        assert not [k for k in FUNCTIONS if k.endswith(old)], old
    for name, key in names.items():
        if name.endswith("_naive"):
            twin = name[: -len("_naive")]
            assert twin in names, f"{key} has no fast version {twin}"


def test_self_checks_share_one_naming_scheme():
    from dlsip import check

    checkers = [n for n in check.__all__ if callable(getattr(check, n))]
    odd = [n for n in checkers if not n.startswith("check_")]
    assert set(odd) <= {"Case", "CheckReport", "run_cases"}, odd


def _modules():
    return sorted(
        m.name for m in pkgutil.walk_packages(dlsip.__path__, "dlsip.") if m.name
    )


@pytest.mark.parametrize("name", _modules())
def test_every_module_says_its_one_concept_in_its_first_docstring_line(name):
    module = importlib.import_module(name)
    doc = (module.__doc__ or "").strip()
    assert doc, f"{name} has no docstring"
    first = doc.splitlines()[0]
    assert first.endswith((".", ":")) or len(doc.splitlines()) > 1, first


@pytest.mark.parametrize("path", sorted((ROOT / "dlsip").rglob("*.py")), ids=str)
def test_docstrings_with_backslashes_are_raw(path):
    # A LaTeX formula in a plain string needs every backslash doubled and breaks
    # silently when one is not (``\f`` is a form feed): such docstrings must be raw.
    source = path.read_text()
    bad = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        text = tok.string
        if tok.type == tokenize.STRING and text.startswith('"""') and "\\" in text:
            bad.append(tok.start[0])
    assert not bad, f"{path.name}: non-raw docstrings with backslashes at lines {bad}"
    ast.parse(source)
