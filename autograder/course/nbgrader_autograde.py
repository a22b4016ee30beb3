"""nbgrader's own autograde with the kernel left out: the isolated engine's report takes the
place of nbgrader's Execute step, and every other step is nbgrader's.

Sanitize (outputs cleared, locked cells restored from the gradebook, the source kernelspec),
then autograde: each test cell of a kit check gets that check's feedback as its output (an
error when it did not pass, so nbgrader scores it 0); nbgrader's IgnorePattern, LimitOutput
and SaveAutoGrades (scores, the "No response." comments); RecordChecks (the engine's points
for every check; a test cell of the instructor's own, which no kernel ran, is left to grade
by hand); then nbgrader's AssignLatePenalties with the course's late penalty plugin. The
student, the submission's timestamp, the copies of the other files and the zero of a missing
notebook are nbgrader's too. No student code runs here: it is only read.
"""

from __future__ import annotations

import glob
import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    SaveAutoGrades,
)
from sqlalchemy.exc import SAWarning

from autograder.grading.grader import GradeReport
from autograder.grading.plugin import Outcome
from autograder.i18n import _
from autograder.kit import load_parts
from autograder.notebook.kernel import check_cell_id, module_source, points_text, read_notebook
from autograder.reports.results import check_text

FAILED = "AssertionError"  # what `check` raises in a kernel for a check that did not pass
LOG = logging.getLogger(__name__)
LOG.addHandler(logging.NullHandler())  # nbgrader's warnings (e.g. every restored test cell)
LOG.propagate = False


def test_cell_outputs(outcome: Outcome, check_set: str, hints: bool) -> list[NotebookNode]:
    """The outputs of the test cell of a check: its feedback on stdout when it passed, as an
    error (which nbgrader scores 0 and its feedback shows as a traceback) otherwise."""
    points = points_text(outcome.points, outcome.max_points, check_set)
    heading = _("notebook.heading", id=outcome.check_id, points=points, name=outcome.name)
    text = check_text(outcome, hints=hints)
    if outcome.status == "passed":
        return [nbformat.v4.new_output("stream", name="stdout", text=f"{heading}\n{text}\n")]
    lines = [heading, *text.splitlines()]
    return [
        nbformat.v4.new_output(
            "error",
            ename=FAILED,
            evalue="\n".join(lines),
            traceback=[f"{FAILED}: {heading}", *lines[1:]],
        )
    ]


def outcomes_by_cell(report: GradeReport, notebook: str) -> dict[str, Outcome]:
    """{test cell grade_id: outcome} of the checks of the part whose notebook is `notebook`."""
    modules = {part.number: part.module for part in load_parts()}
    return {
        check_cell_id(outcome.check_id): outcome
        for outcome in report.outcomes
        if modules[outcome.part] == notebook
    }


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograded test cell: nbgrader scores it by its outputs."""
    return utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code"


class CheckOutputs(NbGraderPreprocessor):
    """In place of nbgrader's Execute: the report's feedback as the outputs of test cells."""

    def __init__(self, report: GradeReport, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.report = report

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        outcomes = outcomes_by_cell(self.report, resources["nbgrader"]["notebook"])
        for cell in nb.cells:
            outcome = outcomes.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
            if outcome is not None and is_test_cell(cell):
                cell.outputs = test_cell_outputs(outcome, self.report.check_set, self.report.hints)
        return nb, resources


class RecordChecks(NbGraderPreprocessor):
    """After SaveAutoGrades, before the late penalty: every check of the notebook's part gets
    its points (also when the student deleted its cell), and a test cell that is no kit
    check, which no kernel ran, is left to grade by hand."""

    def __init__(self, report: GradeReport, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.report = report

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        ids = resources["nbgrader"]
        notebook, assignment, student = ids["notebook"], ids["assignment"], ids["student"]
        outcomes = outcomes_by_cell(self.report, notebook)
        others = [
            cell.metadata.nbgrader["grade_id"]
            for cell in nb.cells
            if is_test_cell(cell) and cell.metadata.nbgrader["grade_id"] not in outcomes
        ]
        with Gradebook(ids["db_url"]) as gradebook:
            for cell, outcome in outcomes.items():
                grade = gradebook.find_grade(cell, notebook, assignment, student)
                grade.auto_score = outcome.points
                grade.needs_manual_grade = grade.manual_score is not None
            for cell in others:
                grade = gradebook.find_grade(cell, notebook, assignment, student)
                grade.auto_score, grade.needs_manual_grade = None, True
            gradebook.db.commit()
        return nb, resources


def readable(path: Path) -> bool:
    """Whether nbgrader and the kit both read `path` as a notebook (a regular file, no link)."""
    notebook = read_notebook(path)
    try:
        module_source(notebook)
        nbformat.reads(json.dumps(notebook), as_version=4)
    except Exception:  # noqa: BLE001 - whatever nbformat raises, it cannot be graded
        return False
    return True


class IsolatedAutograde(Autograde):
    """nbgrader's Autograde of one student's submission, regraded on every run, with
    `report` in place of the kernel. Notebooks that cannot be read count as missing."""

    def __init__(self, report: GradeReport | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.force = True
        self.unreadable: list[str] = []
        self.autograde_preprocessors = []  # never nbgrader's Execute: no kernel runs here
        if report is not None:
            self.autograde_preprocessors = [
                CheckOutputs(report, parent=self),
                IgnorePattern,
                ClearMetadataPreprocessor,
                LimitOutput,
                SaveAutoGrades,
                RecordChecks(report, parent=self),
                AssignLatePenalties,
                CheckCellMetadata,
            ]

    def init_notebooks(self) -> None:
        super().init_notebooks()
        for folder, notebooks in self.assignments.items():
            self.unreadable = [n for n in notebooks if not readable(Path(n))]
            self.assignments[folder] = [n for n in notebooks if n not in self.unreadable]

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        super().init_assignment(assignment_id, student_id)
        # nbgrader gives a missing notebook 0; one that cannot be read is missing too
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            for path in self.unreadable:
                try:
                    notebook = gradebook.find_submission_notebook(
                        Path(path).stem, assignment_id, student_id
                    )
                except MissingEntry:  # not a notebook of the assignment
                    continue
                for grade in notebook.grades:
                    grade.auto_score, grade.needs_manual_grade = 0, False
            gradebook.db.commit()

    def sanitize(self, notebooks: list[str], destination: Path) -> None:
        """nbgrader's sanitize step of the named notebooks, written into `destination`;
        nothing is written to the course or its gradebook."""
        self.init_notebooks()
        self.exporter = self.exporter_class(parent=self, config=self.config)
        self._sanitizing = True
        self._init_preprocessors()
        for path in (n for found in self.assignments.values() for n in found):
            if Path(path).stem in notebooks:
                resources = self.init_single_notebook_resources(path)
                output, _ = self.exporter.from_filename(path, resources=resources)
                (destination / Path(path).name).write_text(output, encoding="utf-8")


def converter(
    course: CourseDirectory, assignment: str, student: str, report: GradeReport | None = None
) -> IsolatedAutograde:
    """An IsolatedAutograde of one student's assignment in `course`."""
    ids = CourseDirectory(
        config=course.config,
        # nbgrader reads both ids as glob patterns: a student named "*" is only that student
        assignment_id=glob.escape(assignment),
        student_id=glob.escape(student),
    )
    return IsolatedAutograde(report, coursedir=ids, config=course.config, log=LOG)


class ErrorLog(logging.Handler):
    """The errors nbgrader logs: the last line of each traceback, the first of the rest."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.tracebacks: list[str] = []
        self.others: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        lines = record.getMessage().strip().splitlines() or [""]
        if lines[0].startswith("Traceback"):
            self.tracebacks.append(lines[-1])
        else:
            self.others.append(lines[0])

    @property
    def summary(self) -> list[str]:
        """What went wrong, in as few lines as the log allows."""
        return self.tracebacks or self.others[:1]


@contextmanager
def errors_logged() -> Iterator[ErrorLog]:
    """Collect the errors nbgrader logs meanwhile; nothing else of its log is shown, nor the
    SQLAlchemy warnings that nbgrader's own gradebook code raises (`nbgrader autograde`
    prints them for every submission)."""
    handler = ErrorLog()
    LOG.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            yield handler
    finally:
        LOG.removeHandler(handler)
