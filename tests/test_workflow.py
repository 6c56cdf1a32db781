"""The GitHub Actions workflow runs the README's test command on every push and pull
request, and publishes the built book to GitHub Pages from main only."""

from __future__ import annotations

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
