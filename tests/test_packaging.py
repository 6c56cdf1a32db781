"""pyproject.toml and environment.yml must describe the same environment, and the
installed torch and torchvision must work together."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT

# conda-forge names the PyTorch package `pytorch`; on PyPI it is `torch`.
CONDA_TO_PIP = {"pytorch": "torch"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;@]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def pip_names() -> set[str]:
    project = pyproject()["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra, reqs in project["optional-dependencies"].items():
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
    return names


def test_environment_and_pyproject_list_the_same_packages():
    only_pip, only_conda = pip_names() - conda_names(), conda_names() - pip_names()
    assert not only_pip and not only_conda, f"only in pyproject.toml: {sorted(only_pip)}; only in environment.yml: {sorted(only_conda)}"


def test_environment_installs_the_package_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_project_metadata():
    project = pyproject()["project"]
    assert project["name"] == "dlsip" and project["version"] == "0.1.0"
    assert project["requires-python"] == ">=3.10"
    assert {"book", "test", "dev"} <= set(project["optional-dependencies"])
    assert any(r.startswith("jupyter-book>=1,<2") for r in project["optional-dependencies"]["book"])
    runtime = {_name(r) for r in project["dependencies"]}
    assert runtime == {"numpy", "scipy", "matplotlib", "torch", "torchvision", "scikit-image", "tqdm"}


def test_version_matches_package():
    import dlsip

    assert dlsip.__version__ == pyproject()["project"]["version"]


def test_torch_and_torchvision_work_together():
    """A torch build that does not match torchvision fails here (e.g. 'torchvision::nms does not exist')."""
    import torch
    import torchvision
    from torchvision.ops import nms

    boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 10.0, 10.0], [20.0, 20.0, 30.0, 30.0]])
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
