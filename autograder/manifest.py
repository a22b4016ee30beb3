"""The curriculum manifest: parts and tasks in seminar order, read from manifest.toml."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

MANIFEST = Path(__file__).with_name("manifest.toml")
PACKAGE = "intro_pytorch"


@dataclass(frozen=True)
class Task:
    """One function a student writes, graded by the check of the same id ("3.2")."""

    id: str
    function: str
    todo: str
    points: float
    hint: str


@dataclass(frozen=True)
class Part:
    """One module of the package, tied to its place in the seminar."""

    number: int
    module: str
    title: str
    seminar: str
    tasks: tuple[Task, ...]

    @property
    def filename(self) -> str:
        return f"{self.module}.py"


@cache
def load_parts(path: Path = MANIFEST) -> tuple[Part, ...]:
    """Return the parts of the curriculum in order."""
    with path.open("rb") as file:
        raw = tomllib.load(file)
    return tuple(
        Part(
            number=part["number"],
            module=part["module"],
            title=part["title"],
            seminar=part["seminar"],
            tasks=tuple(Task(**task) for task in part["tasks"]),
        )
        for part in raw["part"]
    )


def part_by_module(module: str) -> Part:
    """Return the part whose module is `module` (e.g. "part3_network")."""
    for part in load_parts():
        if part.module == module:
            return part
    raise KeyError(f"no part with module {module!r} in {MANIFEST.name}")
