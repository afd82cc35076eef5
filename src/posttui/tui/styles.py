"""Where the stylesheets are: inside the installed package (the wheel force-includes ``styles/`` as
``posttui/styles``), or the repository's ``styles/`` folder in an editable install."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def styles_dir() -> Path:
    packaged = Path(str(resources.files("posttui") / "styles"))
    if (packaged / "app.tcss").is_file():
        return packaged
    repo = Path(__file__).resolve().parents[3] / "styles"
    if (repo / "app.tcss").is_file():
        return repo
    raise FileNotFoundError(f"posttui's stylesheets are missing (looked in {packaged} and {repo}); reinstall posttui")


def stylesheets() -> list[Path]:
    return sorted(styles_dir().glob("*.tcss"))
