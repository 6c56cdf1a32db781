"""pyproject.toml and environment.yml must describe the same environment, and the
installed torch and torchvision must work together."""

from __future__ import annotations

import re

import tomllib
import yaml

from tests.conftest import ROOT

# conda-forge names the PyTorch package `pytorch`; on PyPI it is `torch`.
CONDA_TO_PIP = {"pytorch": "torch"}


def _name(requirement: str) -> str:
    return (
        re.split(r"[\s<>=!~\[;@]", requirement.strip(), maxsplit=1)[0]
        .lower()
        .replace("_", "-")
    )


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pip_names() -> set[str]:
    project = pyproject()["project"]
    names = {_name(r) for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        names |= {_name(r) for r in reqs if not r.startswith("dlsip")}
    return names


def conda_names() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name = _name(dep)
            if name not in ("python", "pip"):
                names.add(CONDA_TO_PIP.get(name, name))
        else:  # the pip section: packages conda-forge does not have, and dlsip itself
            names.update(_name(d) for d in dep["pip"] if not d.startswith("-e"))
    return names


def test_environment_and_pyproject_list_the_same_packages():
    only_pip, only_conda = pip_names() - conda_names(), conda_names() - pip_names()
    assert not only_pip and not only_conda, (
        f"only in pyproject.toml: {sorted(only_pip)}; "
        f"only in environment.yml: {sorted(only_conda)}"
    )


def test_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_project_metadata():
    project = pyproject()["project"]
    assert project["name"] == "dlsip" and project["version"] == "0.1.0"
    assert project["requires-python"] == ">=3.10"
    assert {"book", "test", "dev"} <= set(project["optional-dependencies"])
    assert any(
        r.startswith("jupyter-book>=1,<2")
        for r in project["optional-dependencies"]["book"]
    )
    runtime = {_name(r) for r in project["dependencies"]}
    assert runtime == {
        "numpy",
        "scipy",
        "matplotlib",
        "torch",
        "torchvision",
        "scikit-image",
        "tqdm",
        "ipython",
        "sympy",
        "pillow",
    }


def _imported_top_level_names() -> dict[str, set[str]]:
    """Top-level modules imported anywhere in the package or in a notebook's code, with
    where each is imported (imports inside functions count: they run too)."""
    import ast
    import json

    sources = [
        (str(p.relative_to(ROOT)), p.read_text())
        for p in (ROOT / "dlsip").rglob("*.py")
    ]
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        code = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "code"
        )
        # IPython magics and shell escapes are not Python
        code = "\n".join(
            line
            for line in code.splitlines()
            if not line.lstrip().startswith(("%", "!"))
        )
        sources.append((str(nb.relative_to(ROOT)), code))
    found: dict[str, set[str]] = {}
    for where, text in sources:
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(where)
    return found


def test_every_runtime_import_is_a_declared_dependency():
    """What the package and the notebooks import is either the standard library, dlsip
    itself, or a distribution listed in the runtime dependencies (not only in a test or
    book extra)."""
    import sys
    from importlib.metadata import packages_distributions

    declared = {_name(r) for r in pyproject()["project"]["dependencies"]}
    providers = packages_distributions()
    missing = {}
    for module, where in _imported_top_level_names().items():
        if module in sys.stdlib_module_names or module in ("dlsip", "__future__"):
            continue
        dists = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        if not dists & declared:
            missing[module] = sorted(where)
    assert not missing, f"imported but not a declared runtime dependency: {missing}"


def test_the_import_scan_sees_imports_inside_functions():
    found = _imported_top_level_names()
    assert "tqdm" in found and "IPython" in found and "sympy" in found


def test_version_matches_package():
    import dlsip

    assert dlsip.__version__ == pyproject()["project"]["version"]


def test_torch_and_torchvision_work_together():
    """A torch build that does not match torchvision fails here (e.g. 'torchvision::nms
    does not exist')."""
    import torch
    import torchvision
    from torchvision.ops import nms

    boxes = torch.tensor(
        [[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]]
    )
    keep = nms(boxes, torch.tensor([0.9, 0.8, 0.7]), iou_threshold=0.5)
    assert keep.tolist() == [0, 2]
    assert torchvision.__version__


def test_gitignore_keeps_generated_files_out():
    ignored = (ROOT / ".gitignore").read_text().split()
    for pattern in (".venv/", "_build/", "__pycache__/", ".ipynb_checkpoints/"):
        assert pattern in ignored


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci and "make test" in readme and "make book" in readme
    assert "DLSIP_DATA" in ci


def colab_pins() -> dict[str, str]:
    """``tools/colab-constraints.txt``: the versions of the Colab image."""
    text = (ROOT / "tools" / "colab-constraints.txt").read_text()
    pins = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    return pins


def test_every_floor_is_at_or_below_the_colab_image():
    from packaging.version import Version

    pins = colab_pins()
    assert {"torch", "torchvision", "numpy", "scipy", "matplotlib"} <= set(pins)
    too_high = []
    for requirement in pyproject()["project"]["dependencies"]:
        floor = re.search(r">=\s*([\w.]+)", requirement)
        name = _name(requirement)
        if floor and name in pins and Version(floor.group(1)) > Version(pins[name]):
            too_high.append(f"{requirement} (Colab has {pins[name]})")
    assert not too_high, f"floors above the Colab image: {too_high}"
