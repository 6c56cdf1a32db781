"""The GitHub Actions workflow runs the README's test command on every push and pull
request, and publishes the built book to GitHub Pages from main only."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"


def load():
    # PyYAML reads the key `on` as the boolean True (YAML 1.1).
    flow = yaml.safe_load(WORKFLOW.read_text())
    flow["on"] = flow.pop(True, flow.get("on"))
    return flow


def steps(job) -> list[str]:
    return [s.get("run", "") or s.get("uses", "") for s in job["steps"]]


def test_it_tests_pushes_and_pull_requests():
    flow = load()
    assert flow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" in flow["on"]
    assert "make test" in steps(flow["jobs"]["test"])


def test_it_publishes_from_main_only():
    flow = load()
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert "refs/heads/main" in deploy["if"] and "push" in deploy["if"]
    assert any(s.startswith("actions/deploy-pages@") for s in steps(deploy))
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    upload = [
        s
        for s in flow["jobs"]["test"]["steps"]
        if s.get("uses", "").startswith("actions/upload-pages-artifact@")
    ]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert "refs/heads/main" in upload[0]["if"]


def test_the_page_tests_use_the_runners_browser():
    env = load()["jobs"]["test"]["env"]
    assert env["CHROMIUM"] and env["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] == "1"


def test_the_workflow_token_is_read_only_by_default():
    assert load()["permissions"] == {"contents": "read"}


def run_steps() -> list[tuple[str, str]]:
    """Each `run:` script of the workflow, with its job and step for messages."""
    return [
        (f"{job}: {step.get('name', step['run'].splitlines()[0])}", step["run"])
        for job, spec in load()["jobs"].items()
        for step in spec["steps"]
        if "run" in step
    ]


def test_every_run_step_passes_shellcheck(tmp_path):
    # What actionlint does for `run:` steps: the GitHub expressions are replaced by a
    # plain word, the script is checked as bash (the runner's default shell).
    shellcheck = Path(sys.executable).parent / "shellcheck"
    assert run_steps(), "the workflow has no run steps"
    for where, script in run_steps():
        path = tmp_path / "step.sh"
        path.write_text("#!/usr/bin/env bash\n" + re.sub(r"\$\{\{.*?\}\}", "x", script))
        result = subprocess.run(
            [str(shellcheck), str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, f"{where}:\n{result.stdout}"


def test_shellcheck_finds_a_bad_run_step(tmp_path):
    # The check above can fail: an unquoted expansion is what it reports.
    shellcheck = Path(sys.executable).parent / "shellcheck"
    path = tmp_path / "step.sh"
    path.write_text("#!/usr/bin/env bash\nrm -rf $1/build\n")
    result = subprocess.run(
        [str(shellcheck), str(path)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "SC2086" in result.stdout
