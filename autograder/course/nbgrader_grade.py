"""grade-nbgrader: grade an nbgrader course's submitted notebooks with the isolated engine
and write the scores into its gradebook with nbgrader's own API; no kernel runs them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.grading.grader import Grader, GradeReport
from autograder.kit import PACKAGE, load_parts
from autograder.notebook.kernel import check_cell_id, part_sources
from autograder.reports.results import write_results


class CourseDataError(ValueError):
    """The course folder or its gradebook does not match this kit."""


@dataclass
class NotebookGrade:
    """One student's graded submission, and the notebooks that could not be read."""

    student: str
    report: GradeReport
    unreadable: list[str]


def course_directory(root: Path) -> CourseDirectory:
    """The course's nbgrader settings (its nbgrader_config.py, if any), rooted at `root`."""
    config = Config()
    if (root / "nbgrader_config.py").is_file():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root.resolve())
    return CourseDirectory(config=config)


def submissions(course: CourseDirectory, assignment: str) -> dict[str, Path]:
    """{student id: folder of the submitted assignment}, in student order."""
    submitted = Path(course.root) / course.submitted_directory
    folders = {
        student.name: Path(course.format_path(course.submitted_directory, student.name, assignment))
        for student in sorted(submitted.iterdir() if submitted.is_dir() else [])
        if student.is_dir() and not student.is_symlink()
    }
    return {student: folder for student, folder in folders.items() if folder.is_dir()}


def write_package(notebooks: Path, destination: Path) -> list[str]:
    """Write the module text of every part notebook in `notebooks` as a package under
    `destination`; return the notebooks present that could not be read."""
    package = destination / PACKAGE
    package.mkdir(parents=True)
    sources = part_sources(notebooks)
    for module, text in sources.items():
        (package / f"{module}.py").write_text(text, encoding="utf-8")
    present = [p.module for p in load_parts() if os.path.lexists(notebooks / f"{p.module}.ipynb")]
    return [f"{module}.ipynb" for module in present if module not in sources]


def record(gradebook: Gradebook, assignment: str, student: str, report: GradeReport) -> None:
    """Store every check's points as the auto score of its test cell."""
    modules = {part.number: part.module for part in load_parts()}
    for outcome in report.outcomes:
        cell = check_cell_id(outcome.check_id)
        try:
            grade = gradebook.find_grade(cell, modules[outcome.part], assignment, student)
        except MissingEntry as error:
            raise CourseDataError(f"the gradebook has no test cell {cell}: {error}") from error
        grade.auto_score = outcome.points
        grade.needs_manual_grade = False
    gradebook.db.commit()


def grade_nbgrader(
    root: Path, assignment: str, out: Path | None = None, timeout: float | None = None
) -> Iterator[NotebookGrade]:
    """Grade every submission of `assignment` and record it in the course's gradebook;
    with `out`, also write OUT/<student>/results.json (the feedback)."""
    course = course_directory(root)
    folders = submissions(course, assignment)
    database = course.db_url.removeprefix("sqlite:///")
    if database != course.db_url and not Path(database).is_file():
        raise CourseDataError(
            f"{database} does not exist: run `nbgrader generate_assignment` first"
        )
    with Gradebook(course.db_url, course.course_id) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry as error:
            raise CourseDataError(
                f"the gradebook has no assignment {assignment!r}: run "
                "`nbgrader generate_assignment` first"
            ) from error
        secrets = [Path(course.root).resolve(), *([out.resolve()] if out else [])]
        with Grader(secrets=secrets, timeout=timeout) as grader:
            for student, folder in folders.items():
                with tempfile.TemporaryDirectory(prefix="grade-nbgrader-") as staging:
                    unreadable = write_package(folder, Path(staging))
                    report = grader.grade(Path(staging))
                if not report.grader_errors:  # a broken grader leaves the gradebook alone
                    timestamp = course.get_existing_timestamp(str(folder))
                    gradebook.update_or_create_student(student)
                    gradebook.update_or_create_submission(
                        assignment, student, **({"timestamp": timestamp} if timestamp else {})
                    )
                    record(gradebook, assignment, student, report)
                if out is not None:
                    write_results(out / student / "results.json", report)
                yield NotebookGrade(student, report, unreadable)
