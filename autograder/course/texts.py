"""The long texts of the student's modules, by language: markdown cells and docstrings.

English lives in solutions/, with the code it explains (the single source of both). Every
other language has autograder/locale/<language>/texts/<module>.toml, under the same ids:
`[markdown]` by the cell's heading (the module's title cell is "intro", a task's cell its id
"1.1" or range "1.3–1.5", any other cell the words of its heading, e.g. "try-it") and
`[docstring]` by function ("module" for the module's own). The code is never translated: a
translated module differs from its English one only in these texts and in comments.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.kit import ENGINE

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

LOCALE = ENGINE / "locale"
MARKDOWN = "# %% [markdown]"
MODULE_DOCSTRING = "module"
_TASK_HEADING = re.compile(r"^##\s+(\d+\.\d+(?:[–-]\d+\.\d+)?)\s")


class TextsError(ValueError):
    """A module whose texts cannot be found, or a translation that does not fit it."""


@dataclass(frozen=True)
class Text:
    """One text of a module: where it is (0-based lines, end excluded), its id and words."""

    kind: str  # "markdown" or "docstring"
    id: str
    start: int
    end: int
    text: str
    indent: str = ""


def _heading_id(text: str, first: bool) -> str:
    heading = text.splitlines()[0] if text else ""
    if first and heading.startswith("# "):
        return "intro"
    task = _TASK_HEADING.match(heading)
    if task:
        return task.group(1)
    words = re.sub(r"[^\w]+", "-", heading.lstrip("#").strip().lower()).strip("-")
    if not words:
        raise TextsError(f"a markdown cell without a heading: {text[:60]!r}")
    return words


def _markdown(lines: list[str]) -> list[Text]:
    found = []
    for index, line in enumerate(lines):
        if line.strip() != MARKDOWN:
            continue
        end = index + 1
        while end < len(lines) and lines[end].startswith("#") and not lines[end].startswith("# %%"):
            end += 1
        text = "\n".join(re.sub(r"^# ?", "", x) for x in lines[index + 1 : end])
        found.append(Text("markdown", _heading_id(text, not found), index + 1, end, text))
    return found


def _docstrings(source: str) -> list[Text]:
    tree = ast.parse(source)
    owners: list[tuple[str, ast.AST]] = [(MODULE_DOCSTRING, tree)]
    owners += [(n.name, n) for n in tree.body if isinstance(n, ast.FunctionDef)]
    lines = source.splitlines()
    found = []
    for name, owner in owners:
        body = owner.body
        if not (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)):
            continue
        node = body[0]
        if not isinstance(node.value.value, str):
            continue
        indent = lines[node.lineno - 1][: node.col_offset]
        text = ast.get_docstring(owner, clean=True) or ""
        found.append(Text("docstring", name, node.lineno - 1, node.end_lineno, text, indent))
    return found


def texts_of(source: str) -> list[Text]:
    """Every markdown cell and docstring of a module's source, in order."""
    found = _markdown(source.splitlines()) + _docstrings(source)
    ids = [(t.kind, t.id) for t in found]
    repeated = sorted({f"{kind} {name}" for kind, name in ids if ids.count((kind, name)) > 1})
    if repeated:
        raise TextsError(f"texts with the same id: {', '.join(repeated)}")
    return sorted(found, key=lambda t: t.start)


def english(source: str) -> dict[str, dict[str, str]]:
    """{"markdown": {id: text}, "docstring": {id: text}} of a module's source."""
    table: dict[str, dict[str, str]] = {"markdown": {}, "docstring": {}}
    for text in texts_of(source):
        table[text.kind][text.id] = text.text
    return table


def translation_path(language: str, module: str) -> Path:
    return LOCALE / language / "texts" / f"{module}.toml"


def load_translation(language: str, module: str) -> dict[str, dict[str, str]]:
    """The texts of `module` in `language` (see the module docstring for the layout)."""
    path = translation_path(language, module)
    try:
        with path.open("rb") as file:
            raw = tomllib.load(file)
    except FileNotFoundError as error:
        raise TextsError(f"no {language} texts for {module}: {path} is missing") from error
    return {kind: dict(raw.get(kind, {})) for kind in ("markdown", "docstring")}


def _docstring_lines(text: str, indent: str) -> list[str]:
    body = text.strip("\n").splitlines()
    if len(body) == 1:
        return [f'{indent}"""{body[0]}"""']
    rest = [f"{indent}{line}" if line.strip() else "" for line in body[1:]]
    return [f'{indent}"""{body[0]}', *rest, f'{indent}"""']


def _markdown_lines(text: str) -> list[str]:
    return [f"# {line}" if line else "#" for line in text.strip("\n").splitlines()]


def translate(source: str, texts: dict[str, dict[str, str]], module: str = "") -> str:
    """The module's source with every markdown cell and docstring in the given language."""
    lines = source.splitlines()
    missing = []
    for text in sorted(texts_of(source), key=lambda t: -t.start):
        words = texts.get(text.kind, {}).get(text.id)
        if words is None:
            missing.append(f"{text.kind} {text.id}")
            continue
        replaced = (
            _markdown_lines(words)
            if text.kind == "markdown"
            else _docstring_lines(words, text.indent)
        )
        lines[text.start : text.end] = replaced
    if missing:
        raise TextsError(f"{module}: no translation of {', '.join(sorted(missing))}")
    return "\n".join(lines) + "\n"
