"""The nbgrader course end to end, with nbgrader's own commands in temporary courses
(generate_assignment, db student add and import, autograde, the gradebook) and with
grade-nbgrader: both give every check the points the module grader gives the same code."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pytest
from conftest import ASSIGNMENTS, KIT_ROOT, SOLUTIONS
from corpus import MUTANTS
from grading_helpers import make_submission
from nbgrader.api import Gradebook
from nbgrader.preprocessors import IgnorePattern
from nbgrader.utils import determine_grade
from test_corpus import mutate
from traitlets.config.loader import PyFileConfigLoader

from autograder.cli import main
from autograder.course.nbgrader_course import (
    ASSIGNMENT,
    DEMO,
    NOTEBOOK_DEMO,
    TEST,
    CourseError,
    build_course,
    nbgrader,
    source_notebook,
)
from autograder.kit import load_parts
from autograder.notebook import kernel as notebook

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
AUTOGRADED = ("course", "course-b")
CHECK_CELL = {"nbgrader": {"grade": True, "solution": False, "points": 5, "grade_id": "check_4_1"}}


def module_texts(student: str) -> dict[str, str] | None:
    """The part modules a student wrote (None for the untouched stubs)."""
    if student == "stubs":
        return None
    texts = {part.module: (SOLUTIONS / part.filename).read_text() for part in PARTS}
    for mutant in MUTANTS:
        if mutant.name == student:
            texts[mutant.module] = mutate(mutant)
    return texts


def submit(course: Path, student: str, texts: dict[str, str] | None) -> None:
    """submitted/<student>/: the release notebooks with the student's code in the answer cells."""
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
    shutil.copyfile(course / "release" / ASSIGNMENT / "data.py", folder / "data.py")


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
            }
    return points


def results_points(out: Path) -> dict[str, dict[str, float]]:
    """{student: {check id: points}} from the module grader's OUT/<student>/results.json."""
    return {
        student: {
            t["number"]: t["score"]
            for t in json.loads((out / student / "results.json").read_text())["tests"]
        }
        for student in STUDENTS
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


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course as `make nbgrader` builds it (with nbgrader's generate_assignment)."""
    root = tmp_path_factory.mktemp("built") / "course"
    build_course(root)
    return root


def submitted(course: Path, copy: Path, student: str) -> Path:
    """A student's submitted notebooks, in a copy of the course."""
    shutil.copytree(course, copy)
    submit(copy, student, module_texts(student))
    return copy / "submitted" / student / ASSIGNMENT


@pytest.fixture(scope="module")
def graded(course: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every student graded three ways: by the module grader on the part files, and on the
    notebooks by nbgrader autograde and by grade-nbgrader, all at once on two cores."""
    root = tmp_path_factory.mktemp("nbgrader")
    for student in STUDENTS:
        texts = module_texts(student)
        base = ASSIGNMENTS if texts is None else SOLUTIONS
        make_submission(root / "modules" / student, base=base, replace=texts)
    courses = {"course": STUDENTS[:4], "course-b": STUDENTS[4:], "isolated": STUDENTS}
    # two copies of the course are autograded side by side, one run each; a third one is
    # graded by grade-nbgrader
    for name, students in courses.items():
        shutil.copytree(course, root / name)
        for student in students:
            submit(root / name, student, module_texts(student))
    background = [
        start("grade-all", str(root / "modules"), "--out", str(root / "by-module")),
        start("grade-nbgrader", str(root / "isolated"), ASSIGNMENT),
    ]
    try:
        with pytest.MonkeyPatch.context() as patch, ThreadPoolExecutor() as pool:
            patch.setenv("XDG_CACHE_HOME", str(root / "cache"))
            runs = [
                pool.submit(autograde, root / name, courses[name], one_by_one=name == "course-b")
                for name in AUTOGRADED
            ]
            for run in runs:
                run.result()
        for process in background:
            _, stderr = process.communicate(timeout=600)
            assert process.returncode == 0, stderr[-3000:]
    finally:
        for process in background:
            process.kill()
    return {
        "autograde": {
            **gradebook_points(root / "course", courses["course"]),
            **gradebook_points(root / "course-b", courses["course-b"]),
        },
        "grade-nbgrader": gradebook_points(root / "isolated", STUDENTS),
        "module": results_points(root / "by-module"),
        "cache": root / "cache" / "intro_pytorch_checks",
    }


def test_autograde_gives_every_check_the_module_graders_points(graded) -> None:
    assert graded["autograde"] == graded["module"]
    assert sum(graded["module"]["reference"].values()) == 100
    assert sum(graded["module"]["stubs"].values()) == 0
    for mutant in MUTANTS:
        if mutant.name in MUTANT_NAMES:
            assert graded["autograde"][mutant.name][mutant.check] == 0, mutant.name


def test_grade_nbgrader_gives_every_check_the_module_graders_points(graded) -> None:
    assert graded["grade-nbgrader"] == graded["module"]


def test_autograde_grades_each_submission_once(graded) -> None:
    """The first test cell grades the whole submission; every other cell and notebook reuses it."""
    assert len(list(graded["cache"].glob("*.json"))) == len(STUDENTS)


def nbgrader_cells(notebook: nbformat.NotebookNode, key: str) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get(key)]


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.module)
def test_the_notebooks_are_the_solutions_with_a_test_cell_per_task(course: Path, part) -> None:
    """Source: the solution module cell by cell (relative imports made absolute, the demo
    skipped under autograde), plus the setup cell and a test cell per task, worth its points,
    that only calls the checks.
    Release: no solutions and no hidden tests."""
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{part.module}.ipynb", 4)
    tests = nbgrader_cells(source, "grade")
    assert [cell.metadata.nbgrader.points for cell in tests] == [t.points for t in part.tasks]
    assert [cell.source for cell in tests] == [TEST.format(id=t.id) for t in part.tasks]
    assert len(nbgrader_cells(source, "solution")) == len(part.tasks)
    module = source.copy()
    module.cells = [
        c for c in source.cells if c.metadata.get("nbgrader", {}).get("locked") is not True
    ]
    module.metadata = {
        "jupytext": {"notebook_metadata_filter": "-all", "cell_metadata_filter": "-all"}
    }
    text = jupytext.writes(module, fmt="py:percent").replace(f"from {ASSIGNMENT}.", "from .")
    text = text.replace(NOTEBOOK_DEMO, DEMO)
    blank_lines = re.compile(r"\n{3,}")  # between cells, which notebooks do not keep
    expected = (SOLUTIONS / part.filename).read_text()
    assert blank_lines.sub("\n\n", text) == blank_lines.sub("\n\n", expected)
    release = (course / "release" / ASSIGNMENT / f"{part.module}.ipynb").read_text()
    for secret in ("### BEGIN", "### END", "hidden=True"):
        assert secret not in release


def test_a_check_in_a_students_notebook_grades_the_saved_notebooks_once(
    course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """Outside autograde a check runs the public checks; later checks reuse the result and
    say when the function run differs from the one saved."""
    monkeypatch.chdir(submitted(course, tmp_path / "course", "no_final_sigmoid"))
    monkeypatch.setattr(notebook, "CACHE", tmp_path / "cache")
    monkeypatch.setattr(notebook, "_kit_fingerprint", lambda: "kit")  # even if edited meanwhile
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    notebook.check("3.2", {})
    assert "3.2 passed (7/7, public check): predict_proba: " in capsys.readouterr().out
    monkeypatch.setattr(notebook.subprocess, "run", None)  # graded once: now from the cache

    def build_model() -> None:
        """Not the build_model saved in the notebook."""

    with pytest.raises(AssertionError, match="is the final Sigmoid missing"):
        notebook.check("3.1", {"build_model": build_model})
    assert "not the one saved on disk" in capsys.readouterr().out


def test_a_notebook_imports_its_sibling_parts_from_their_notebooks(
    course: Path, tmp_path: Path
) -> None:
    folder = submitted(course, tmp_path / "course", "reference")
    saved = sys.meta_path[:]
    try:
        notebook.setup_notebook(folder)
        part5 = importlib.import_module(f"{ASSIGNMENT}.part5_training")
        assert part5.__spec__.origin == str(folder / "part5_training.ipynb")
        assert part5.build_model is sys.modules[f"{ASSIGNMENT}.part3_network"].build_model
        data = importlib.import_module(f"{ASSIGNMENT}.data")
        _, losses = part5.fit(*data.make_moons(50), epochs=2)
        assert len(losses) == 2
    finally:
        sys.meta_path[:] = saved
        for name in [n for n in sys.modules if n.split(".")[0] == ASSIGNMENT]:
            del sys.modules[name]


def test_a_warning_on_stderr_does_not_zero_a_test_cell(course: Path) -> None:
    """nbgrader scores a test cell with any stderr output 0, unless the course's IgnorePattern
    drops it: a PyTorch warning is dropped, an error is not."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    warning = "/x/torch/nn/modules/loss.py:610: UserWarning: Using a target size that is different"
    cell = nbformat.v4.new_code_cell('check("4.1", globals())', metadata=CHECK_CELL)
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=warning)]
    assert determine_grade(cell) == (0, 5)
    kept, _ = IgnorePattern(config=config).preprocess_cell(cell, {}, 0)
    assert determine_grade(kept) == (5, 5)
    cell.outputs.append(nbformat.v4.new_output("error", ename="AssertionError", evalue=""))
    assert determine_grade(IgnorePattern(config=config).preprocess_cell(cell, {}, 0)[0])[0] == 0


def test_a_notebooks_module_is_its_code_and_links_or_junk_are_not_read(tmp_path: Path) -> None:
    """The code cells but the kit's, with IPython-only lines commented out; a notebook that is
    a link, not JSON or not a notebook counts as missing."""
    cells = [
        nbformat.v4.new_markdown_cell("# Part 4"),
        nbformat.v4.new_code_cell("%matplotlib inline\nx = 1"),
        nbformat.v4.new_code_cell("def f():\n    !ls\n    return x"),
        nbformat.v4.new_code_cell('check("4.1", globals())', metadata=CHECK_CELL),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "part4_autograd.ipynb")
    (tmp_path / "part1_tensors.ipynb").symlink_to(tmp_path / "part4_autograd.ipynb")
    (tmp_path / "part2_layers.ipynb").write_text("{not json")
    (tmp_path / "part3_network.ipynb").write_text(json.dumps({"cells": 3}))
    assert notebook.part_sources(tmp_path) == {
        "part4_autograd": "# %matplotlib inline\nx = 1\n\n\ndef f():\n    # !ls\n    return x\n"
    }


def test_grade_nbgrader_refuses_a_course_without_the_assignment(tmp_path: Path, capsys) -> None:
    assert main(["grade-nbgrader", str(tmp_path), ASSIGNMENT]) == 2
    assert "run `nbgrader generate_assignment` first" in capsys.readouterr().err


def test_the_course_is_not_rebuilt_over_submissions(tmp_path: Path) -> None:
    (tmp_path / "submitted" / "someone").mkdir(parents=True)
    with pytest.raises(CourseError, match="holds submissions"):
        build_course(tmp_path)
    assert (tmp_path / "submitted" / "someone").is_dir()
