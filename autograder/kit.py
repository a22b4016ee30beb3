"""The kit: where its folders are, the package students write, and the curriculum's parts
and tasks in seminar order (read from manifest.toml)."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ENGINE = Path(__file__).resolve().parent  # the autograder package
KIT_ROOT = ENGINE.parent
MANIFEST = ENGINE / "manifest.toml"
SETTINGS = ENGINE / "settings.toml"
PACKAGE = "intro_pytorch"
SOLUTIONS = KIT_ROOT / "solutions" / PACKAGE
ASSIGNMENTS = KIT_ROOT / "assignments" / PACKAGE
BUILD = KIT_ROOT / "build"
DIST = KIT_ROOT / "dist"
# os.open flags that read a file as bytes without following a link or waiting on a pipe,
# as far as the system has them (Windows has neither, and needs O_BINARY)
READ_AS_IS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)


@dataclass(frozen=True)
class Task:
    """One function a student writes, graded by the check of the same id ("3.2")."""

    id: str
    function: str
    points: float


@dataclass(frozen=True)
class Part:
    """One module of the package, tied to its place in the seminar."""

    number: int
    module: str
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
            seminar=part["seminar"],
            tasks=tuple(Task(**task) for task in part["tasks"]),
        )
        for part in raw["part"]
    )


@dataclass(frozen=True)
class Settings:
    """The course's settings (settings.toml): what graded runs show students."""

    hints: bool = True
    language: str = ""  # empty: the kit's default (see i18n.choose)


SWITCH = {"on": True, "off": False}


def load_settings(path: Path = SETTINGS) -> Settings:
    """The course's settings; the defaults where the file or a key is missing."""
    try:
        with path.open("rb") as file:
            raw = tomllib.load(file)
    except FileNotFoundError:
        return Settings()
    hints = raw.get("hints", "on")
    if hints not in SWITCH:
        raise ValueError(f'{path}: hints must be "on" or "off", not {hints!r}')
    return Settings(hints=SWITCH[hints], language=str(raw.get("language", "")))


def settings_text(
    *, language: str | None = None, hints: bool | None = None, template: Path = SETTINGS
) -> str:
    """The kit's settings.toml with the values given here in place of its own, its comments
    kept: what the builds a course ships carry (the student bundle, the Gradescope zip, the
    nbgrader course)."""
    settings = load_settings(template)
    lines = template.read_text(encoding="utf-8").splitlines()
    values = {
        "hints": "on" if (settings.hints if hints is None else hints) else "off",
        "language": settings.language if language is None else language,
    }
    return (
        "\n".join(
            f'{key} = "{values[key]}"' if (key := line.split("=")[0].strip()) in values else line
            for line in lines
        )
        + "\n"
    )


def part_by_module(module: str) -> Part:
    """Return the part whose module is `module` (e.g. "part3_network")."""
    for part in load_parts():
        if part.module == module:
            return part
    raise KeyError(f"no part with module {module!r} in {MANIFEST.name}")


def check_order(check_id: str) -> list[int]:
    """Sort key of a check or task id: "5.10" after "5.9"."""
    return [int(number) for number in check_id.split(".")]


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    """Write a file whole: a reader sees the old file or the new one, never a part."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
