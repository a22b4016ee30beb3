"""Generate the student stubs from the reference solutions, in any language of the kit.

Each `### BEGIN SOLUTION` … `### END SOLUTION` region becomes a TODO comment naming its task
and a `raise NotImplementedError("TODO(<task>): <function>")`; everything else is copied as
it is. In a language other than English, the markdown cells and docstrings come from that
language's texts (see texts.py) and the TODO comments from its catalog: the code is the
same in every language. assignments/ holds the English stubs; the student bundle and the
nbgrader course make their own in the course's language.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from autograder.course.texts import TextsError, load_translation, translate
from autograder.i18n import DEFAULT, in_language
from autograder.kit import ASSIGNMENTS, SOLUTIONS, Part, Task, load_parts

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"


class StubError(ValueError):
    """A solution file whose regions cannot be turned into stubs."""


def solution_regions(lines: list[str], filename: str) -> list[tuple[int, int]]:
    """Return (begin, end) line indexes of every solution region, checking they pair up."""
    regions, begin = [], None
    for index, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if begin is not None:
                raise StubError(f"{filename}:{index + 1}: {BEGIN} inside another region")
            begin = index
        elif marker == END:
            if begin is None:
                raise StubError(f"{filename}:{index + 1}: {END} without {BEGIN}")
            regions.append((begin, index))
            begin = None
    if begin is not None:
        raise StubError(f"{filename}:{begin + 1}: {BEGIN} is never closed")
    return regions


def enclosing_function(tree: ast.Module, line_number: int) -> str | None:
    """Return the name of the top-level function that contains 1-based `line_number`."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.lineno <= line_number <= node.end_lineno:
            return node.name
    return None


TODO_WIDTH = 92  # a TODO comment is wrapped to lines of this many characters at most


def _stub_lines(task: Task, indent: str, language: str) -> list[str]:
    words = in_language(language, f"task.{task.id}.todo")
    todo = textwrap.wrap(
        f"TODO({task.id}): {words}",
        width=TODO_WIDTH - len(indent) - 2,
        subsequent_indent="    ",
        break_on_hyphens=False,
    )
    return [
        *(f"{indent}# {line}" for line in todo),
        f'{indent}raise NotImplementedError("TODO({task.id}): {task.function}")',
    ]


def make_stub(source: str, part: Part, language: str = DEFAULT) -> str:
    """Return the stub of one solution module: every region replaced by its task's TODO."""
    source = in_own_words(source, part.module, language)
    lines = source.splitlines()
    tree = ast.parse(source, filename=part.filename)
    tasks = {task.function: task for task in part.tasks}
    regions = solution_regions(lines, part.filename)
    seen: set[str] = set()
    out: list[str] = []
    previous_end = -1
    for begin, end in regions:
        function = enclosing_function(tree, begin + 1)
        if function not in tasks:
            raise StubError(
                f"{part.filename}:{begin + 1}: solution region in {function or 'module code'}, "
                f"which is not a task of part {part.number} in the manifest"
            )
        if function in seen:
            raise StubError(f"{part.filename}: {function} has more than one solution region")
        seen.add(function)
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        out += lines[previous_end + 1 : begin] + _stub_lines(tasks[function], indent, language)
        previous_end = end
    missing = sorted(set(tasks) - seen)
    if missing:
        raise StubError(f"{part.filename}: no solution region for {', '.join(missing)}")
    out += lines[previous_end + 1 :]
    return "\n".join(out) + "\n"


def in_own_words(source: str, module: str, language: str) -> str:
    """A module of solutions/ with its texts in `language` (English: as it is)."""
    if language == DEFAULT:
        return source
    try:
        return translate(source, load_translation(language, module), module)
    except TextsError as error:
        raise StubError(str(error)) from error


def render_assignments(solutions: Path = SOLUTIONS, language: str = DEFAULT) -> dict[str, str]:
    """Return {file name: text} of the student package: stubs for parts, copies otherwise."""
    parts = {part.filename: part for part in load_parts()}
    rendered = {}
    for path in sorted(solutions.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        part = parts.get(path.name)
        if part is None and BEGIN in source:
            raise StubError(f"{path.name} has solution regions but is not a part in the manifest")
        if part:
            rendered[path.name] = make_stub(source, part, language)
        else:
            rendered[path.name] = in_own_words(source, path.stem, language)
    absent = sorted(set(parts) - set(rendered))
    if absent:
        raise StubError(f"parts missing from {solutions}: {', '.join(absent)}")
    return rendered


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _stale(rendered: dict[str, str], assignments: Path) -> list[str]:
    present = {path.name for path in assignments.glob("*.py")}
    differing = [name for name, text in rendered.items() if _read(assignments / name) != text]
    return sorted(differing + list(present - set(rendered)))


def stale_assignments(solutions: Path = SOLUTIONS, assignments: Path = ASSIGNMENTS) -> list[str]:
    """Return the names of assignment files that differ from what the solutions generate."""
    return _stale(render_assignments(solutions), assignments)


def write_assignments(
    solutions: Path = SOLUTIONS, assignments: Path = ASSIGNMENTS, language: str = DEFAULT
) -> list[str]:
    """Regenerate the student package (in `language`); return the names of the files that
    changed."""
    rendered = render_assignments(solutions, language)
    changed = _stale(rendered, assignments)
    assignments.mkdir(parents=True, exist_ok=True)
    for name in changed:
        if name in rendered:
            (assignments / name).write_text(rendered[name], encoding="utf-8")
        else:
            (assignments / name).unlink()
    return changed
