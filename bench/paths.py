"""Where things are by default: the project root and the store."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The repository root for a source checkout, else the current directory."""
    root = PACKAGE_DIR.parent
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


def default_store() -> Path:
    return project_root() / ".searchbench" / "store.sqlite"
