"""Where the shipped Word templates and Excel macro sources are.

The repository keeps them at its top level (``templates/``, ``macros/``); a wheel carries them
inside the package (``generator/templates``, ``generator/macros``: setup.py copies them at
build time). Installed, they are found through importlib.resources; in a clone or an editable
install the package has no such folder and the top-level one is used.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def shipped_dir(name: str) -> Path:
    """The folder ``name`` ("templates" or "macros") as installed, else the repository's."""
    installed = resources.files("generator").joinpath(name)
    if installed.is_dir():
        return Path(str(installed))
    return REPO_ROOT / name


__all__ = ["shipped_dir"]
