"""What differs from the notebooks' code, and why, read from data files beside this module:

- `notebook_differences.toml`: how the notebooks' `AzureMLChatOnlineEndpoint` code had to
  change (the community backend);
- `llama2_differences.toml`: how the Llama 2 notebook's `AzureMLOnlineEndpoint` code had to
  change to run today (`llama2_notebook.py`, `llama2_notebook_code`);
- `migration.toml`: the migration guide, that code beside the maintained class and the adapter.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

DIFFERENCES_FILE = Path(__file__).with_name("notebook_differences.toml")
LLAMA2_FILE = Path(__file__).with_name("llama2_differences.toml")
MIGRATION_FILE = Path(__file__).with_name("migration.toml")
APPS = ("translator", "memory")


class Difference(NamedTuple):
    """One way a backend's code differs from the notebook's, and why."""

    notebook: str
    ours: str
    why: str


class MigrationStep(NamedTuple):
    """One line of the notebook's code, its form in the maintained class and in the adapter."""

    apps: tuple[str, ...]
    notebook: str
    maintained: str
    adapter: str
    why: str


def load_differences(path: Path = DIFFERENCES_FILE) -> tuple[Difference, ...]:
    """Every `[[difference]]` table of `path`, in order."""
    rows = _tables(path, "difference")
    return tuple(Difference(row["notebook"], row["ours"], row["why"]) for row in rows)


def load_migration(path: Path = MIGRATION_FILE) -> tuple[MigrationStep, ...]:
    """Every `[[step]]` table of `path`, in order; ValueError for an unknown app."""
    steps = []
    for row in _tables(path, "step"):
        apps = tuple(row["apps"])
        if not apps or not set(apps) <= set(APPS):
            raise ValueError(f"{path.name}: apps must be some of {APPS}, not {apps}")
        steps.append(
            MigrationStep(apps, row["notebook"], row["maintained"], row["adapter"], row["why"])
        )
    return tuple(steps)


@functools.cache
def llama2_differences() -> tuple[Difference, ...]:
    """How the Llama 2 notebook's code had to change (read on first use)."""
    return load_differences(LLAMA2_FILE)


@functools.cache
def migration() -> tuple[MigrationStep, ...]:
    """The whole migration guide (read on first use)."""
    return load_migration()


def migration_steps(app: str) -> tuple[MigrationStep, ...]:
    """The migration guide's rows for one page ("translator" or "memory")."""
    return tuple(step for step in migration() if app in step.apps)


def _tables(path: Path, name: str) -> list[dict[str, Any]]:
    with path.open("rb") as file:
        rows: list[dict[str, Any]] = tomllib.load(file)[name]
    return rows


NOTEBOOK_DIFFERENCES = load_differences()

__all__ = [
    "DIFFERENCES_FILE",
    "LLAMA2_FILE",
    "MIGRATION_FILE",
    "NOTEBOOK_DIFFERENCES",
    "Difference",
    "MigrationStep",
    "llama2_differences",
    "load_differences",
    "load_migration",
    "migration",
    "migration_steps",
]
