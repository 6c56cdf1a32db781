"""Point the book and every notebook's setup cell at another repository (a fork).

    make set-repo URL=https://github.com/your-org/dlsip BRANCH=main

Rewrites `repository.url` and `repository.branch` in `_config.yml` and the setup cell
(the code cell tagged `setup`) of each notebook. The setup cell prints nothing when
dlsip is installed, so its stored output stays valid and no re-execution is needed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
URL_RE = re.compile(r"^https://[\w.-]+/[\w.-]+/[\w.-]+?/?$")


def install_spec(url: str, branch: str) -> str:
    return f'"dlsip @ git+{url}@{branch}"'


def read_repository(config_path: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """The repository URL and branch set in `_config.yml`."""
    import yaml

    repo = yaml.safe_load(config_path.read_text())["repository"]
    return repo["url"].rstrip("/"), str(repo.get("branch", "main"))


def setup_cell_source(url: str | None = None, branch: str | None = None) -> str:
    """The source of every notebook's first code cell (tagged `setup`).

    It prints nothing when dlsip is importable, so its (empty) output is the same
    locally and under nbval; in Colab it installs the package from the course's
    repository.
    """
    if url is None or branch is None:
        url_cfg, branch_cfg = read_repository()
        url, branch = url or url_cfg, branch or branch_cfg
    # Laid out as ruff formats it, so that `make lint` leaves the cell as it is.
    return (
        "# Setup: in Colab (or wherever dlsip is missing), install the course package\n"
        "# from the course repository. Locally, `make lab` has installed it already.\n"
        "import importlib.util\n"
        "\n"
        'if importlib.util.find_spec("dlsip") is None:\n'
        "    import subprocess\n"
        "    import sys\n"
        "\n"
        f"    package = {install_spec(url, branch)}\n"
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package],'
        " check=True)"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url")
    parser.add_argument("--branch", default="main")
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the repository to rewrite (default: this one)",
    )
    args = parser.parse_args(argv)
    root = args.root
    url = args.url.rstrip("/")
    if not URL_RE.match(url) or not re.fullmatch(r"[\w./-]+", args.branch):
        print(
            f"URL must look like https://github.com/OWNER/REPO and BRANCH like main, "
            f"got URL={args.url!r} BRANCH={args.branch!r}",
            file=sys.stderr,
        )
        return 2

    config = root / "_config.yml"
    text = config.read_text()
    text = re.sub(r"(?m)^(  url:\s*).*$", rf"\g<1>{url}", text, count=1)
    text = re.sub(r"(?m)^(  branch:\s*).*$", rf"\g<1>{args.branch}", text, count=1)
    config.write_text(text)

    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        setup = [
            c
            for c in nb.cells
            if c.cell_type == "code" and "setup" in c.metadata.get("tags", [])
        ]
        if not setup:
            print(f"{path.name} has no code cell tagged 'setup'", file=sys.stderr)
            return 1
        source = setup_cell_source(url, args.branch)
        if setup[0].source != source:
            setup[0].source = source
            nbformat.write(nb, path)
    print(f"repository set to {url} (branch {args.branch})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
