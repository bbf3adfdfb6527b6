"""How the notebooks' LangChain code had to change, read from `notebook_differences.toml`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import NamedTuple

DIFFERENCES_FILE = Path(__file__).with_name("notebook_differences.toml")


class Difference(NamedTuple):
    """One way the community backend's code differs from the notebook's, and why."""

    notebook: str
    ours: str
    why: str


def load_differences(path: Path = DIFFERENCES_FILE) -> tuple[Difference, ...]:
    """Every `[[difference]]` table of `path`, in order."""
    with path.open("rb") as file:
        rows = tomllib.load(file)["difference"]
    return tuple(Difference(row["notebook"], row["ours"], row["why"]) for row in rows)


NOTEBOOK_DIFFERENCES = load_differences()

__all__ = ["DIFFERENCES_FILE", "NOTEBOOK_DIFFERENCES", "Difference", "load_differences"]
