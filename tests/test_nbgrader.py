"""The nbgrader course end to end, with nbgrader's own commands in temporary courses
(generate_assignment, db student add and import, db assignment add, autograde,
generate_feedback, release_feedback, the gradebook) and with grade-nbgrader: both give every
check the points the module grader gives the same code, and grade-nbgrader leaves the
gradebook and autograded notebooks that nbgrader autograde leaves, with no kernel."""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jupytext
import nbformat
import pytest
from conftest import ASSIGNMENTS, SOLUTIONS
from corpus import MUTANTS
from grading_helpers import make_submission
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import IgnorePattern
from nbgrader.utils import determine_grade
from nbgrader_helpers import (
    BAD_TIMESTAMP,
    DAYS_LATE,
    DUE,
    HOSTILE,
    LATE,
    LATE_CONFIG,
    LATE_STUDENT,
    MUTANT_NAMES,
    ON_TIME,
    OWN_TEST,
    OWN_TEST_CELL,
    OWN_TEST_NOTEBOOK,
    PARTS,
    STUDENTS,
    UNREADABLE,
    UNREADABLE_PART,
    add_own_test,
    autograde,
    cell,
    edit_notebook,
    gradebook_points,
    gradebook_state,
    make,
    module_texts,
    page_text,
    results_points,
    start,
    submit,
)
from traitlets.config.loader import PyFileConfigLoader

from autograder.cli import main
from autograder.course.nbgrader_autograde import FAILED
from autograder.course.nbgrader_course import (
    ASSIGNMENT,
    DEMO,
    NOTEBOOK_DEMO,
    TEST,
    CourseError,
    build_course,
)
from autograder.notebook import kernel as notebook

AUTOGRADED = ("course", "course-b")
ISOLATED = (*STUDENTS, HOSTILE.name, UNREADABLE)  # graded by grade-nbgrader
BOTH = STUDENTS[:4]  # graded by nbgrader autograde (course) and by grade-nbgrader
ONE_BY_ONE = STUDENTS[4:5]  # graded by nbgrader autograde one notebook at a time (course-b)
AUTOGRADED_STUDENTS = BOTH + ONE_BY_ONE
BY_BOTH = ("course", "isolated")  # the courses where they are
CHECK_CELL = {"nbgrader": {"grade": True, "solution": False, "points": 5, "grade_id": "check_4_1"}}


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


def late_course(course: Path, copy: Path) -> None:
    """A copy of the course with a due date and a late penalty plugin, and a test cell of
    the instructor's own; the due date set as a new user would, through the Makefile."""
    shutil.copytree(course, copy)
    with (copy / "nbgrader_config.py").open("a") as config:
        config.write(LATE_CONFIG)
    done = make(
        "nbgrader-run",
        f"COURSE={copy}",
        f"ARGS=db assignment add {ASSIGNMENT} --duedate='{DUE}'",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    add_own_test(copy)


def submit_all(course: Path, students: tuple[str, ...]) -> None:
    """Every student's notebooks, as collected; the hostile one edits a locked test cell, and
    the reference answers the instructor's own test cell too."""
    for student in students:
        folder = submit(
            course, student, module_texts(student), LATE if student == LATE_STUDENT else ON_TIME
        )
        if student == HOSTILE.name:
            edit_notebook(folder, HOSTILE.module, tamper)
        if student == "reference":
            edit_notebook(folder, OWN_TEST_NOTEBOOK, lambda nb: nb.cells.append(OWN_TEST_CELL))
        if student == UNREADABLE:
            (folder / f"{UNREADABLE_PART}.ipynb").write_text("{not json")


def tamper(notebook: nbformat.NotebookNode) -> None:
    cell(notebook, "check_1_3").source = "pass  # nothing to check here"


def grade_isolated(course: Path, exchange: Path, env: dict[str, str]) -> dict[str, str]:
    """What an instructor runs on the safe path, through the Makefile: make nbgrader-grade,
    then nbgrader's generate_feedback and release_feedback; the output of grade-nbgrader."""
    graded = make("nbgrader-grade", f"COURSE={course}", env=env)
    # grade-nbgrader exits 1 as BAD_TIMESTAMP is not recorded, and make with 2
    assert "nbgrader-grade] Error 1" in graded.stderr, graded.stderr[-3000:]
    feedback = make("nbgrader-feedback", f"COURSE={course}", env=env)
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    exchange.mkdir()
    release = f"release_feedback {ASSIGNMENT} --course=intro --Exchange.root={exchange}"
    released = make("nbgrader-run", f"COURSE={course}", f"ARGS={release}", env=env)
    assert released.returncode == 0, released.stderr[-3000:]
    return {"stdout": graded.stdout, "stderr": graded.stderr}


@pytest.fixture(scope="module")
def graded(course: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every student graded by the module grader on the part files and by grade-nbgrader on
    the notebooks (then generate_feedback and release_feedback); the reference, the stubs and
    three mutants also by nbgrader autograde (in kernels, the slow way): all at once on two
    cores."""
    root = tmp_path_factory.mktemp("nbgrader")
    # compiled now, not by grade-nbgrader while a kernel's `check` hashes the engine's files
    # (a .pyc being written would change the hash and grade a submission twice)
    importlib.import_module("autograder.course.nbgrader_grade")
    for student in ISOLATED:
        texts = module_texts(student)
        base = ASSIGNMENTS if texts is None else SOLUTIONS
        removed = (UNREADABLE_PART,) if student == UNREADABLE else ()
        make_submission(root / "modules" / student, base=base, replace=texts, remove=removed)
    late_course(course, root / "late")
    courses = {"course": BOTH, "course-b": ONE_BY_ONE, "isolated": ISOLATED}
    # two copies of the course are autograded side by side, one run each; a third one is
    # graded by grade-nbgrader
    for name, students in courses.items():
        shutil.copytree(root / "late", root / name)
        submit_all(root / name, students)
    submit(root / "isolated", BAD_TIMESTAMP, module_texts("reference"), "not a date")
    module_grader = start("grade-all", str(root / "modules"), "--out", str(root / "by-module"))
    try:
        with ThreadPoolExecutor() as pool:
            environment = dict(os.environ)  # before the cache moves for autograde's kernels
            isolated = pool.submit(
                grade_isolated, root / "isolated", root / "exchange", environment
            )
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("XDG_CACHE_HOME", str(root / "cache"))
                runs = [
                    pool.submit(
                        autograde, root / name, courses[name], one_by_one=name == "course-b"
                    )
                    for name in AUTOGRADED
                ]
                for run in runs:
                    run.result()
            output = isolated.result()
        _, stderr = module_grader.communicate(timeout=600)
        assert module_grader.returncode == 0, stderr[-3000:]
    finally:
        module_grader.kill()
    return {
        "autograde": {
            **gradebook_points(root / "course", courses["course"]),
            **gradebook_points(root / "course-b", courses["course-b"]),
        },
        "grade-nbgrader": gradebook_points(root / "isolated", ISOLATED),
        "module": results_points(root / "by-module", ISOLATED),
        "cache": root / "cache" / "intro_pytorch_checks",
        "root": root,
        "output": output,
    }


def test_autograde_gives_every_check_the_module_graders_points(graded) -> None:
    assert graded["autograde"] == {s: graded["module"][s] for s in AUTOGRADED_STUDENTS}
    assert sum(graded["module"]["reference"].values()) == 100
    assert sum(graded["module"]["stubs"].values()) == 0
    for mutant in MUTANTS:
        if mutant.name in AUTOGRADED_STUDENTS:
            assert graded["autograde"][mutant.name][mutant.check] == 0, mutant.name


def test_grade_nbgrader_gives_every_check_the_module_graders_points(graded) -> None:
    assert graded["grade-nbgrader"] == graded["module"]
    assert sum(graded["module"][HOSTILE.name].values()) < 100


def test_autograde_grades_each_submission_once(graded) -> None:
    """The first test cell grades the whole submission; every other cell and notebook reuses it."""
    assert len(list(graded["cache"].glob("*.json"))) == len(AUTOGRADED_STUDENTS)


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
    assert "3.2 passed (7/7, public check): `predict_proba`: " in capsys.readouterr().out
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


def autograded(course: Path, student: str, module: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{module}.ipynb", 4)


def pages(graded: dict) -> set[str]:
    """<student>/<assignment>/<notebook>.html of every notebook grade-nbgrader autograded."""
    return {
        f"{student}/{ASSIGNMENT}/{part.module}.html"
        for student in ISOLATED
        for part in PARTS
        if (student, part.module) != (UNREADABLE, UNREADABLE_PART)
    }


def test_grade_nbgrader_leaves_the_gradebook_nbgrader_autograde_leaves(graded) -> None:
    """Scores, manual-grading flags, comments, late penalties and timestamps, as nbgrader
    autograde leaves them (but for the instructor's own test cell, below)."""
    root = graded["root"]
    for student in BOTH:
        states = [gradebook_state(root / name, student) for name in BY_BOTH]
        for state in states:
            del state["notebooks"][OWN_TEST_NOTEBOOK]["grades"][OWN_TEST]
        assert states[1] == states[0], student


def test_an_instructors_own_test_cell_is_left_to_grade_by_hand(graded) -> None:
    """nbgrader autograde ran it in a kernel; grade-nbgrader runs none, so formgrader lists it
    as needing a manual grade instead of giving it points for code that never ran."""
    own = [
        gradebook_state(graded["root"] / name, "reference")["notebooks"][OWN_TEST_NOTEBOOK][
            "grades"
        ][OWN_TEST]
        for name in BY_BOTH
    ]
    assert own == [(2, None, False), (None, None, True)]


def test_grade_nbgrader_writes_the_notebooks_nbgrader_autograde_writes(graded) -> None:
    """The same files, cells (locked ones restored from the gradebook) and kernelspec as
    nbgrader autograde; each test cell's outputs score, by nbgrader's own rule, the points
    of its check: an error output for a check that failed."""
    root = graded["root"]
    for student in BOTH:
        theirs, ours = (root / name / "autograded" / student / ASSIGNMENT for name in BY_BOTH)
        assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())
        for part in PARTS:
            expected, written = (
                nbformat.read(f / f"{part.module}.ipynb", 4) for f in (theirs, ours)
            )
            assert written.metadata.kernelspec == expected.metadata.kernelspec
            assert [(c.cell_type, c.source, c.metadata.get("nbgrader")) for c in written.cells] == [
                (c.cell_type, c.source, c.metadata.get("nbgrader")) for c in expected.cells
            ], (student, part.module)
    for student in ISOLATED:
        for part in PARTS:
            if (student, part.module) == (UNREADABLE, UNREADABLE_PART):
                continue
            written = autograded(root / "isolated", student, part.module)
            for task in part.tasks:
                test = cell(written, notebook.check_cell_id(task.id))
                points = graded["module"][student][task.id]
                assert determine_grade(test)[0] == points, (student, task.id)
                failed = [(o.output_type, o.get("ename")) for o in test.outputs] == [
                    ("error", FAILED)
                ]
                assert failed == (points < task.points), (student, task.id)


def test_a_hostile_notebook_gets_only_what_its_code_earns(graded) -> None:
    """It replaced `check`, forged the cache that `check` reads and edited a locked test cell:
    its wrong `add` still scores 0, its code is in the autograded notebook as submitted, and
    the test cell is the source's again."""
    assert graded["grade-nbgrader"][HOSTILE.name][HOSTILE.check] == 0
    isolated = graded["root"] / "isolated"
    source = nbformat.read(isolated / "source" / ASSIGNMENT / f"{HOSTILE.module}.ipynb", 4)
    written = autograded(isolated, HOSTILE.name, HOSTILE.module)
    grade_id = notebook.check_cell_id(HOSTILE.check)
    assert cell(written, grade_id).source == cell(source, grade_id).source
    assert "check = lambda" in cell(written, "answer_add").source


def test_an_unreadable_notebook_scores_0_and_the_others_are_graded(graded) -> None:
    assert f"  {UNREADABLE_PART}.ipynb is not a readable notebook" in graded["output"]["stdout"]
    points, reference = graded["grade-nbgrader"][UNREADABLE], graded["module"]["reference"]
    unread = {t.id for p in PARTS if p.module == UNREADABLE_PART for t in p.tasks}
    assert {c: p for c, p in points.items() if c in unread} == dict.fromkeys(unread, 0)
    assert {c: p for c, p in points.items() if c not in unread} == {
        c: p for c, p in reference.items() if c not in unread
    }


def test_a_submission_nbgrader_cannot_read_is_reported_and_not_recorded(graded) -> None:
    assert f"{BAD_TIMESTAMP}: not graded\n" in graded["output"]["stdout"]
    assert "timestamp.txt holds no date and time: 'not a date'" in graded["output"]["stderr"]
    isolated = graded["root"] / "isolated"
    with (
        Gradebook(f"sqlite:///{isolated / 'gradebook.db'}") as gradebook,
        pytest.raises(MissingEntry),
    ):
        gradebook.find_submission(ASSIGNMENT, BAD_TIMESTAMP)
    assert not (isolated / "autograded" / BAD_TIMESTAMP).exists()


def test_a_late_submission_gets_the_courses_late_penalty(graded) -> None:
    """The plugin of the course's nbgrader_config.py, on each notebook's score, as nbgrader
    autograde applies it; the submissions on time get none."""
    root = graded["root"]
    with Gradebook(f"sqlite:///{root / 'isolated' / 'gradebook.db'}") as gradebook:
        penalties = {
            student: {
                nb.name: (nb.late_submission_penalty or 0, nb.score)
                for nb in gradebook.find_submission(ASSIGNMENT, student).notebooks
            }
            for student in ISOLATED
        }
    for student, notebooks in penalties.items():
        for name, (penalty, score) in notebooks.items():
            due = score * 0.1 * DAYS_LATE if student == LATE_STUDENT else 0
            assert penalty == pytest.approx(due), (student, name)
    total = sum(penalty for penalty, _ in penalties[LATE_STUDENT].values())
    assert total > 0
    by_autograde = gradebook_state(root / "course", LATE_STUDENT)["notebooks"]
    assert {n: s["late_penalty"] or 0 for n, s in by_autograde.items()} == {
        n: penalty for n, (penalty, _) in penalties[LATE_STUDENT].items()
    }
    line = f"{LATE_STUDENT}: [\\d.]+/100, late penalty {total:g} in "
    assert re.search(line, graded["output"]["stdout"])


def test_generate_feedback_writes_a_page_per_notebook_for_every_student(graded) -> None:
    feedback = graded["root"] / "isolated" / "feedback"
    assert {str(p.relative_to(feedback)) for p in feedback.glob("*/*/*.html")} == pages(graded)


def test_a_mutants_feedback_page_names_its_mistake(graded) -> None:
    feedback = graded["root"] / "isolated" / "feedback"
    for mutant in [*(m for m in MUTANTS if m.name in MUTANT_NAMES), HOSTILE]:
        page = page_text(feedback / mutant.name / ASSIGNMENT / f"{mutant.module}.html")
        reference = page_text(feedback / "reference" / ASSIGNMENT / f"{mutant.module}.html")
        # more often than on the reference's page, whose code may hold the phrase too
        assert page.count(mutant.feedback) > reference.count(mutant.feedback), mutant.name


def test_the_late_students_pages_show_its_penalty(graded) -> None:
    feedback = graded["root"] / "isolated" / "feedback"
    late = gradebook_state(graded["root"] / "isolated", LATE_STUDENT)["notebooks"]
    for part in PARTS:
        shown = [
            "Late submission penalty"
            in page_text(feedback / s / ASSIGNMENT / f"{part.module}.html")
            for s in (LATE_STUDENT, "reference")
        ]
        assert shown == [bool(late[part.module]["late_penalty"]), False], part.module


def test_release_feedback_releases_every_page(graded) -> None:
    released = graded["root"] / "exchange" / "intro" / "feedback"
    assert len(list(released.glob("*.html"))) == len(pages(graded))


def test_a_course_built_in_russian_grades_and_gives_feedback_in_russian(tmp_path: Path) -> None:
    """`make nbgrader KIT_LANG=ru`: notebooks in Russian; the safe path follows the course's
    language (no KIT_LANG needed), and nbgrader's feedback pages are in Russian too, the
    check's diagnosis and nbgrader's own words."""
    course = tmp_path / "course"
    build_course(course, "ru")
    notebook = nbformat.read(course / "source" / ASSIGNMENT / "part3_network.ipynb", 4)
    assert notebook.cells[0].source.startswith("# Часть 3.")
    assert "setup_notebook(language='ru')" in cell(notebook, "setup").source
    for student in ("reference", "no_final_sigmoid"):
        submit(course, student, module_texts(student), ON_TIME)
    env = {k: v for k, v in os.environ.items() if k != "KIT_LANG"}
    graded = make("nbgrader-grade", f"COURSE={course}", env=env)
    assert graded.returncode == 0, graded.stderr[-3000:]
    assert re.search(r"reference: 100/100 за [\d.]+ с", graded.stdout), graded.stdout
    feedback = make("nbgrader-feedback", f"COURSE={course}", env=env)
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    page = page_text(course / "feedback" / "no_final_sigmoid" / ASSIGNMENT / "part3_network.html")
    assert "Ответ студента" in page and "Баллы:" in page and "Score:" not in page
    assert "выдаёт значения вне интервала (0, 1)" in page
