"""Build the nbgrader course from the reference: source notebooks made by jupytext, then
nbgrader's own `generate_assignment` writes the student release.

Each py:percent cell becomes a notebook cell. A cell with a solution region becomes an
nbgrader solution cell, followed by one locked test cell per task, worth the task's points,
that runs the kit's public check (and, hidden from students, the hidden one). A locked setup
cell lets the notebook import its sibling parts, whose relative imports become absolute. The
"Try it" demos grade nothing, so they do not run under nbgrader autograde (nbgrader's FAQ).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import nbgrader as nbgrader_package

from autograder.course.stubs import (
    BEGIN,
    StubError,
    enclosing_function,
    in_own_words,
    solution_regions,
)
from autograder.i18n import DEFAULT, _, current, in_language
from autograder.kit import (
    KIT_ROOT,
    PACKAGE,
    SOLUTIONS,
    Part,
    Task,
    load_parts,
    settings_text,
)
from autograder.notebook.kernel import SETUP_ID, check_cell_id

COURSE = KIT_ROOT / "build" / "nbgrader"
ASSIGNMENT = PACKAGE
RELATIVE_IMPORT = re.compile(r"^(\s*)from \.(\w+) import ", re.MULTILINE)
DEMO = 'if __name__ == "__main__":'
# imported as a module (graded, or by a sibling) the guard stops before calling autograding()
NOTEBOOK_DEMO = 'if __name__ == "__main__" and not autograding():  # nbgrader skips the demo'
KERNEL = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
SETUP = """\
# {comment}
from autograder.notebook.kernel import autograding, check, setup_notebook

setup_notebook(language={language!r})"""
# the course's settings (language, hints), read by grade-nbgrader from the course's folder
COURSE_SETTINGS = "autograder.toml"
TEST = """\
check("{id}", globals())
### BEGIN HIDDEN TESTS
check("{id}", globals(), hidden=True)
### END HIDDEN TESTS"""
CONFIG = '''\
"""nbgrader settings of the intro_pytorch course (written by `make nbgrader`)."""

import os

c = get_config()  # noqa: F821
# nbgrader wants an absolute root: the folder of this file, wherever the course is copied
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# the first test cell of a submission grades all of it
c.Execute.timeout = 300
# outputs are complete when the last cell ends: stop the kernel without waiting
c.Execute.shutdown_kernel = "immediate"
# a warning on stderr would score a test cell 0
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"\\w*Warning: "
'''


# nbgrader's feedback page: its words, by the message that says them in the course's language
FEEDBACK_TEMPLATE = (
    Path(nbgrader_package.__file__).parent / "server_extensions/formgrader/templates/feedback"
)
FEEDBACK_WORDS = {
    ">Test cell<": "nbgrader.feedback.test_cell",
    ">Coding free-response<": "nbgrader.feedback.free_response",
    ">Written response<": "nbgrader.feedback.written_response",
    ">Task<": "nbgrader.feedback.task",
    ">Comment<": "nbgrader.feedback.comment",
    "Late submission penalty": "nbgrader.feedback.late_penalty",
    "(Score: ": "nbgrader.feedback.score_in_brackets",
    "Score: ": "nbgrader.feedback.score",
    "(Top)": "nbgrader.feedback.top",
    "Student's answer": "nbgrader.feedback.answer",
    "Student's task": "nbgrader.feedback.student_task",
    "Grade cell: ": "nbgrader.feedback.grade_cell",
    "Task: ": "nbgrader.feedback.task_cell",
    "<b>Comments:</b>": "nbgrader.feedback.comments",
}
FEEDBACK_CONFIG = """
# the feedback pages in the course's language: nbgrader's template with its words translated
c.HTMLExporter.template_name = "{name}"
c.HTMLExporter.extra_template_basedirs = [os.path.join(c.CourseDirectory.root, "templates")]
"""


class CourseError(RuntimeError):
    """The course cannot be built here."""


def _nbgrader(kind: str, grade_id: str, points: float | None = None) -> dict:
    """nbgrader cell metadata (schema 3) of a "setup", "answer" or "test" cell."""
    metadata = {
        "schema_version": 3,
        "grade": kind == "test",
        "solution": kind == "answer",
        "locked": kind != "answer",
        "task": False,
        "grade_id": grade_id,
    }
    return metadata if points is None else {**metadata, "points": points}


def _tasks_answered(cell_source: str, part: Part) -> list[Task]:
    """The tasks whose solution regions are in this cell, in order."""
    tree = ast.parse(cell_source)
    tasks = {task.function: task for task in part.tasks}
    try:
        regions = solution_regions(cell_source.splitlines(), f"a cell of {part.filename}")
    except StubError as error:
        raise CourseError(str(error)) from error
    functions = [enclosing_function(tree, begin + 1) for begin, _end in regions]
    unknown = [name for name in functions if name not in tasks]
    if unknown:
        raise CourseError(f"{part.filename}: solution region in {unknown[0]}, not a task")
    return [tasks[name] for name in functions]


def source_notebook(part: Part, text: str, language: str = DEFAULT) -> nbformat.NotebookNode:
    """The nbgrader source notebook of a part, from its py:percent text, in `language`."""
    notebook = jupytext.reads(in_own_words(text, part.module, language), fmt="py:percent")
    setup = SETUP.format(comment=in_language(language, "notebook.setup"), language=language)
    cells: list[nbformat.NotebookNode] = []
    answered = []
    for cell in notebook.cells:
        cell.metadata = {}
        if cell.cell_type == "code" and not any(c.cell_type == "code" for c in cells):
            cells.append(
                nbformat.v4.new_code_cell(
                    setup, metadata={"nbgrader": _nbgrader("setup", SETUP_ID)}
                )
            )
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        cell.source = RELATIVE_IMPORT.sub(rf"\1from {PACKAGE}.\2 import ", cell.source)
        cell.source = cell.source.replace(DEMO, NOTEBOOK_DEMO)
        cells.append(cell)
        if BEGIN not in cell.source:
            continue
        tasks = _tasks_answered(cell.source, part)
        answer_id = "answer_" + "_".join(task.function for task in tasks)
        cell.metadata["nbgrader"] = _nbgrader("answer", answer_id)
        for task in tasks:
            test = nbformat.v4.new_code_cell(TEST.format(id=task.id))
            test.metadata["nbgrader"] = _nbgrader("test", check_cell_id(task.id), task.points)
            cells.append(test)
        answered += tasks
    missing = [task.id for task in part.tasks if task not in answered]
    if missing:
        raise CourseError(f"{part.filename}: no solution region for tasks {', '.join(missing)}")
    for index, cell in enumerate(cells):
        # stable ids: the same solutions give the same notebooks
        cell["id"] = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell{index}")
    return nbformat.v4.new_notebook(cells=cells, metadata=KERNEL)


def write_course(root: Path, language: str = DEFAULT) -> None:
    """Write nbgrader_config.py, the course's settings and source/<assignment>/: a notebook
    per part, and data.py, in `language`."""
    source = root / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    config = CONFIG
    if language != DEFAULT:
        config += FEEDBACK_CONFIG.format(name=write_feedback_template(root, language))
    (root / "nbgrader_config.py").write_text(config, encoding="utf-8")
    (root / COURSE_SETTINGS).write_text(settings_text(language=language), encoding="utf-8")
    data = (SOLUTIONS / "data.py").read_text(encoding="utf-8")
    (source / "data.py").write_text(in_own_words(data, "data", language), encoding="utf-8")
    for part in load_parts():
        text = (SOLUTIONS / part.filename).read_text(encoding="utf-8")
        notebook = source_notebook(part, text, language)
        nbformat.write(notebook, source / f"{part.module}.ipynb")


def write_feedback_template(root: Path, language: str) -> str:
    """nbgrader's feedback template with its words in `language`, in root/templates/;
    return its name."""
    name = f"feedback_{language}"
    folder = root / "templates" / name
    shutil.copytree(FEEDBACK_TEMPLATE, folder)
    page = (folder / "index.html.j2").read_text(encoding="utf-8")
    for words, message_id in FEEDBACK_WORDS.items():
        if words not in page:
            raise CourseError(f"nbgrader's feedback template no longer says {words!r}")
        page = page.replace(words, in_language(language, message_id))
    (folder / "index.html.j2").write_text(page, encoding="utf-8")
    return name


def nbgrader(root: Path, *args: str) -> None:
    """Run an nbgrader command in the course folder (where it finds nbgrader_config.py)."""
    # nbgrader runs `alembic` and Jupyter kernels found on PATH: those of this environment
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path},
    )
    if done.returncode != 0:
        raise CourseError(
            _("nbgrader.command_failed", command=" ".join(args), output=done.stderr[-3000:])
        )


def build_course(root: Path = COURSE, language: str | None = None) -> Path:
    """Build the course from scratch in `root`, in `language` (default: the one in use), and
    release it; return the release folder."""
    language = language or current()
    root = root.resolve()
    if (root / "submitted").exists():
        raise CourseError(_("nbgrader.has_submissions", root=root))
    shutil.rmtree(root, ignore_errors=True)
    write_course(root, language)
    nbgrader(root, "generate_assignment", ASSIGNMENT)
    return root / "release" / ASSIGNMENT
