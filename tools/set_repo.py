"""Point the book and every notebook's setup cell at another repository (a fork).

    make set-repo URL=https://github.com/your-org/dlsip BRANCH=main

Rewrites `repository.url` and `repository.branch` in `_config.yml` (the Colab buttons)
and the setup cell (the code cell tagged `setup`) of each notebook. The setup cell
installs the version of dlsip the notebook was executed with, from the tag
`v<version>` of the repository; `make notebooks` writes the current version into it.
It prints nothing when that version is installed, so its stored output stays valid and
no re-execution is needed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
URL_RE = re.compile(r"^https://[\w.-]+/[\w.-]+/[\w.-]+?/?$")


def package_version(root: Path = ROOT) -> str:
    """dlsip's version, from `pyproject.toml` (the tag `v<version>` holds that code)."""
    import tomllib

    return tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]


def read_repository(config_path: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """The repository URL and branch set in `_config.yml`."""
    import yaml

    repo = yaml.safe_load(config_path.read_text())["repository"]
    return repo["url"].rstrip("/"), str(repo.get("branch", "main"))


def setup_cell_source(url: str | None = None, version: str | None = None) -> str:
    """The source of every notebook's first code cell (tagged `setup` and `hide-input`,
    so the book shows it folded).

    In Colab (or wherever dlsip is missing) it installs dlsip `version` from the tag
    `v<version>` of the repository at `url`. Where dlsip is installed it prints nothing,
    unless the installed version differs: then one line says so. So its (empty) output
    is the same locally and under nbval.
    """
    url = url or read_repository()[0]
    version = version or package_version()
    # Laid out as ruff formats it, so that `make lint` leaves the cell as it is.
    return (
        "# Setup: in Colab (or wherever dlsip is missing), install the version of the\n"
        "# course package this chapter ran with. Locally, `make lab` installed it.\n"
        "import importlib.metadata\n"
        "import importlib.util\n"
        "\n"
        f'DLSIP_VERSION = "{version}"\n'
        'if importlib.util.find_spec("dlsip") is None:\n'
        "    import subprocess\n"
        "    import sys\n"
        "\n"
        f'    package = f"dlsip @ git+{url}@v{{DLSIP_VERSION}}"\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package],'
        " check=True)\n"
        'elif importlib.metadata.version("dlsip") != DLSIP_VERSION:\n'
        '    installed = importlib.metadata.version("dlsip")\n'
        '    print(f"This chapter ran with dlsip {DLSIP_VERSION}; '
        'you have {installed}.")'
    )


def set_setup_cell(nb, source: str) -> bool:
    """Give the notebook's setup cell `source` and the `hide-input` tag; True when that
    changed the notebook. Raises ValueError when no code cell is tagged `setup`."""
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "setup" in tags:
            changed = cell.source != source or "hide-input" not in tags
            cell.source = source
            if "hide-input" not in tags:
                cell.metadata["tags"] = [*tags, "hide-input"]
            return changed
    raise ValueError("no code cell is tagged 'setup'")


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

    source = setup_cell_source(url, package_version(root))
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        try:
            changed = set_setup_cell(nb, source)
        except ValueError:
            print(f"{path.name} has no code cell tagged 'setup'", file=sys.stderr)
            return 1
        if changed:
            nbformat.write(nb, path)
    print(f"repository set to {url} (branch {args.branch})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
