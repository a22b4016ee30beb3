"""Build nbgrader courses and submissions on disk, run nbgrader's commands as an instructor
does, and read back what they left (gradebook, notebooks, feedback pages)."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
from conftest import KIT_ROOT, SOLUTIONS
from corpus import MUTANTS, Mutant
from nbgrader.api import Gradebook
from nbgrader.utils import compute_checksum
from test_corpus import mutate

from autograder.course.nbgrader_course import ASSIGNMENT, nbgrader, source_notebook
from autograder.kit import load_parts

PARTS = load_parts()
# one mutant in each of five parts, three of them in parts that import earlier ones
MUTANT_NAMES = (
    "to_numpy_without_detach",
    "no_final_sigmoid",
    "no_zero_grad",
    "targets_flat",
    "grid_axes_swapped",
)
STUDENTS = ("reference", "stubs", *MUTANT_NAMES)
# A wrong `add` in a notebook that, in a kernel, replaces `check` and writes full marks into
# the cache `check` reads (what the README says a notebook can do under nbgrader autograde)
FAKE_CHECK = """\
check = lambda *args, **kwargs: print("passed")  # noqa: E731
try:
    import hashlib
    import json
    from pathlib import Path

    from autograder.notebook import kernel as _kernel

    _sources = _kernel.part_sources(*_kernel._folders(Path.cwd()))
    _tests = [
        {"number": t.id, "name": t.id, "score": t.points, "max_score": t.points,
         "status": "passed", "output": ""}
        for p in _kernel.load_parts() for t in p.tasks
    ]
    for _set in ("public", "hidden"):
        _key = json.dumps([_kernel._kit_fingerprint(), _set, _sources]).encode()
        _kernel.CACHE.mkdir(parents=True, exist_ok=True)
        (_kernel.CACHE / f"{hashlib.sha256(_key).hexdigest()}.json").write_text(json.dumps(_tests))
except Exception:
    pass


"""
HOSTILE = Mutant(
    "hostile",
    "part1_tensors",
    (("return a + b", "return a - b"), ("def add(", FAKE_CHECK + "def add(")),
    "1.3",
    "wrong values",
)
UNREADABLE = "unreadable"  # the reference, but its part 2 is not a notebook
UNREADABLE_PART = "part2_layers"
BAD_TIMESTAMP = "bad_timestamp"  # the reference, with a timestamp.txt nbgrader cannot read
DUE = "2024-01-01 12:00:00 UTC"
ON_TIME = "2024-01-01 11:00:00.000000 UTC"
LATE = "2024-01-03 13:00:00.000000 UTC"  # two days and an hour late
LATE_STUDENT = "no_final_sigmoid"
DAYS_LATE = 3
LATE_CONFIG = '''

import math

from nbgrader.plugins import BasePlugin


class TenthPerDay(BasePlugin):
    """A tenth of the notebook's score per day, or part of a day, late."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return score * 0.1 * math.ceil(total_seconds_late / 86400)


c.AssignLatePenalties.plugin_class = TenthPerDay
'''
# a test cell of the instructor's own, beside the kit's: no kit check grades it
OWN_TEST = "own_test"
OWN_TEST_NOTEBOOK = "part4_autograd"
OWN_TEST_CELL = nbformat.v4.new_code_cell(
    "assert 1 + 1 == 2",
    metadata={
        "nbgrader": {
            "schema_version": 3,
            "grade": True,
            "solution": False,
            "locked": True,
            "task": False,
            "grade_id": OWN_TEST,
            "points": 2,
        }
    },
)
OWN_TEST_CELL.metadata.nbgrader["checksum"] = compute_checksum(OWN_TEST_CELL)


def module_texts(student: str) -> dict[str, str] | None:
    """The part modules a student wrote (None for the untouched stubs)."""
    if student == "stubs":
        return None
    texts = {part.module: (SOLUTIONS / part.filename).read_text() for part in PARTS}
    for mutant in (*MUTANTS, HOSTILE):
        if mutant.name == student:
            texts[mutant.module] = mutate(mutant)
    return texts


def submit(
    course: Path, student: str, texts: dict[str, str] | None, timestamp: str | None = None
) -> Path:
    """submitted/<student>/: the release notebooks with the student's code in the answer
    cells, and the timestamp and secret that `nbgrader collect` leaves beside them."""
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    for part in PARTS:
        release = nbformat.read(course / "release" / ASSIGNMENT / f"{part.module}.ipynb", 4)
        if texts is not None:
            answers = {
                cell.metadata["nbgrader"]["grade_id"]: cell.source
                for cell in source_notebook(part, texts[part.module]).cells
                if cell.metadata.get("nbgrader", {}).get("solution")
            }
            for cell in release.cells:
                cell.source = answers.get(
                    cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source
                )
        nbformat.write(release, folder / f"{part.module}.ipynb")
    (folder / "data.py").write_bytes((course / "release" / ASSIGNMENT / "data.py").read_bytes())
    if timestamp is not None:
        (folder / "timestamp.txt").write_text(timestamp)
        (folder / "submission_secret.txt").write_text(f"secret of {student}")
    return folder


def edit_notebook(folder: Path, module: str, change) -> None:
    """Change a submitted notebook in place: `change(notebook)`."""
    notebook = nbformat.read(folder / f"{module}.ipynb", 4)
    change(notebook)
    nbformat.write(notebook, folder / f"{module}.ipynb")


def cell(notebook: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    return next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def add_own_test(course: Path) -> None:
    """What generate_assignment records of a test cell added to the source notebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_grade_cell(
            OWN_TEST, OWN_TEST_NOTEBOOK, ASSIGNMENT, max_score=2, cell_type="code"
        )
        gradebook.update_or_create_source_cell(
            OWN_TEST,
            OWN_TEST_NOTEBOOK,
            ASSIGNMENT,
            source=OWN_TEST_CELL.source,
            cell_type="code",
            locked=True,
            checksum=OWN_TEST_CELL.metadata.nbgrader["checksum"],
        )


def gradebook_points(course: Path, students: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """{student: {check id: points}} from the course's gradebook."""
    points = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            submission = gradebook.find_submission(ASSIGNMENT, student)
            points[student] = {
                grade.name.removeprefix("check_").replace("_", "."): grade.score
                for submitted in submission.notebooks
                for grade in submitted.grades
                if grade.name.startswith("check_")
            }
    return points


def gradebook_state(course: Path, student: str) -> dict[str, Any]:
    """Everything the gradebook holds of a student's submission but the ids."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {
            "timestamp": submission.timestamp,
            "notebooks": {
                notebook.name: {
                    "late_penalty": notebook.late_submission_penalty,
                    "grades": {
                        g.name: (g.auto_score, g.manual_score, g.needs_manual_grade)
                        for g in notebook.grades
                    },
                    "comments": {
                        c.name: (c.auto_comment, c.manual_comment) for c in notebook.comments
                    },
                }
                for notebook in submission.notebooks
            },
        }


def results_points(out: Path, students: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """{student: {check id: points}} from the module grader's OUT/<student>/results.json."""
    return {
        student: {
            t["number"]: t["score"]
            for t in json.loads((out / student / "results.json").read_text())["tests"]
        }
        for student in students
    }


def autograde(course: Path, students: tuple[str, ...], one_by_one: bool) -> None:
    """What an instructor does: add the students (one by one, or from a class list), then
    autograde all their submissions in one run."""
    if one_by_one:
        for student in students:
            nbgrader(course, "db", "student", "add", student, "--first-name", student)
    else:
        (course / "students.csv").write_text(
            "\n".join(["id,first_name", *(f"{s},{s}" for s in students)])
        )
        nbgrader(course, "db", "student", "import", "students.csv")
    nbgrader(course, "autograde", ASSIGNMENT)


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "autograder", *args],
        cwd=KIT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def make(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A target of the kit's Makefile as a new user runs it: the environment is not
    activated (its bin folder is not on PATH), and exists already (it is not reinstalled)."""
    venv = Path(sys.prefix)
    env = {
        k: v
        for k, v in (env or os.environ).items()
        if k != "VIRTUAL_ENV" and not k.startswith(("MAKE", "MFLAGS"))
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != venv / "bin"
    )
    return subprocess.run(
        ["make", "--no-print-directory", "-o", f"{venv}/.installed", f"VENV={venv}", *args],
        cwd=KIT_ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def page_text(path: Path) -> str:
    """The text a student reads on a feedback page."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
