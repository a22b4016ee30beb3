"""grade-nbgrader: grade an nbgrader course's submitted notebooks with the isolated engine,
then let nbgrader's own autograde steps record them, with the engine's report in place of
the kernel (nbgrader_autograde): the gradebook and autograded/ end up as `nbgrader
autograde` leaves them, for formgrader and generate_feedback. No kernel runs."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import parse_utc
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder.course.nbgrader_autograde import converter, errors_logged
from autograder.grading.grader import Grader, GradeReport
from autograder.i18n import _, choose
from autograder.kit import PACKAGE, load_parts, load_settings
from autograder.notebook.kernel import check_cell_id, part_sources
from autograder.reports.results import write_results

MAX_TIMESTAMP_BYTES = 1000


class CourseDataError(ValueError):
    """The course folder or its gradebook does not match this kit."""


class SubmissionProblem(ValueError):
    """nbgrader cannot read a student's submission: nothing of it is graded or recorded."""


@dataclass
class NotebookGrade:
    """One student's submission: its report (None when it could not be read), the notebooks
    that could not be read, what stopped nbgrader from recording it, and its late penalty."""

    student: str
    report: GradeReport | None
    unreadable: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    late_penalty: float = 0.0


@dataclass
class _Staged:
    package: Path
    unreadable: list[str]


def course_directory(root: Path) -> CourseDirectory:
    """The course's nbgrader settings (its nbgrader_config.py, if any), rooted at `root`."""
    config = Config()
    if (root / "nbgrader_config.py").is_file():
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root.resolve())
    return CourseDirectory(config=config)


def course_language(root: Path) -> str:
    """The language the course was built in (its autograder.toml), else the kit's."""
    from autograder.course.nbgrader_course import COURSE_SETTINGS

    return load_settings(root / COURSE_SETTINGS).language or choose()


def check_gradebook(course: CourseDirectory, assignment: str) -> None:
    """Raise CourseDataError unless the gradebook holds the assignment and a test cell for
    every check."""
    database = course.db_url.removeprefix("sqlite:///")
    if database != course.db_url and not Path(database).is_file():
        raise CourseDataError(_("nbgrader.no_database", database=database))
    with Gradebook(course.db_url, course.course_id) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry as error:
            raise CourseDataError(_("nbgrader.no_assignment", assignment=assignment)) from error
        for part in load_parts():
            for task in part.tasks:
                try:
                    gradebook.find_graded_cell(check_cell_id(task.id), part.module, assignment)
                except MissingEntry as error:
                    raise CourseDataError(
                        _(
                            "nbgrader.no_test_cell",
                            cell=check_cell_id(task.id),
                            notebook=part.module,
                        )
                    ) from error


def submissions(course: CourseDirectory, assignment: str) -> dict[str, Path]:
    """{student id: folder of the submitted assignment}, in student order."""
    submitted = Path(course.root) / course.submitted_directory
    folders = {
        student.name: Path(course.format_path(course.submitted_directory, student.name, assignment))
        for student in sorted(submitted.iterdir() if submitted.is_dir() else [])
        if student.is_dir() and not student.is_symlink()
    }
    return {student: folder for student, folder in folders.items() if folder.is_dir()}


def write_package(notebooks: Path, destination: Path) -> None:
    """Write the module text of every readable part notebook in `notebooks` as a package
    under `destination`."""
    package = destination / PACKAGE
    package.mkdir(parents=True)
    for module, text in part_sources(notebooks).items():
        (package / f"{module}.py").write_text(text, encoding="utf-8")


def timestamp_problem(folder: Path) -> str | None:
    """Why nbgrader could not read the submission's timestamp.txt, if it could not."""
    path = folder / "timestamp.txt"
    if not path.is_file():
        return None
    with path.open("rb") as file:
        text = file.read(MAX_TIMESTAMP_BYTES).decode(errors="replace").strip()
    try:
        if text:
            parse_utc(text)
    except (ValueError, OverflowError):
        return _("nbgrader.bad_timestamp", text=repr(text[:60]))
    return None


def stage(
    course: CourseDirectory, assignment: str, student: str, folder: Path, staging: Path
) -> _Staged:
    """nbgrader's sanitize step of the student's part notebooks into `staging`, and their
    code as the package to grade; SubmissionProblem when nbgrader cannot read them."""
    problem = timestamp_problem(folder)
    if problem:
        raise SubmissionProblem(problem)
    notebooks = staging / "notebooks"
    notebooks.mkdir(parents=True)
    parts = [part.module for part in load_parts()]
    sanitizer = converter(course, assignment, student)
    try:
        sanitizer.sanitize(parts, notebooks)
    except Exception as error:  # noqa: BLE001 - whatever the notebooks hold, a clear message
        raise SubmissionProblem(
            _("nbgrader.unreadable", error=f"{type(error).__name__}: {error}")
        ) from error
    write_package(notebooks, staging / "submission")
    unreadable = [Path(n).name for n in sanitizer.unreadable if Path(n).stem in parts]
    return _Staged(staging / "submission", unreadable)


def autograde(
    course: CourseDirectory, assignment: str, student: str, report: GradeReport
) -> list[str]:
    """nbgrader's autograde of the student's submission with `report` in place of the
    kernel; the errors that stopped it, if any."""
    with errors_logged() as log:
        try:
            converter(course, assignment, student, report).start()
        except NbGraderException as error:
            lines = log.summary or [str(error)]
            return [_("nbgrader.autograde_failed", error=line) for line in lines]
    return []


def late_penalty(course: CourseDirectory, assignment: str, student: str) -> float:
    """The points nbgrader's late penalty took off the student's submission."""
    with Gradebook(course.db_url, course.course_id) as gradebook:
        return gradebook.find_submission(assignment, student).late_submission_penalty


def grade_nbgrader(
    root: Path,
    assignment: str,
    out: Path | None = None,
    timeout: float | None = None,
    hints: bool | None = None,
) -> Iterator[NotebookGrade]:
    """Grade every submission of `assignment` and autograde it into the course (gradebook,
    autograded/); with `out`, also write OUT/<student>/results.json (the feedback)."""
    course = course_directory(root)
    check_gradebook(course, assignment)
    secrets = [Path(course.root).resolve(), *([out.resolve()] if out else [])]
    with (
        tempfile.TemporaryDirectory(prefix="grade-nbgrader-") as temporary,
        Grader(secrets=secrets, timeout=timeout, hints=hints) as grader,
    ):
        staged: dict[str, _Staged] = {}
        for index, (student, folder) in enumerate(submissions(course, assignment).items()):
            try:
                staged[student] = stage(
                    course, assignment, student, folder, Path(temporary) / str(index)
                )
            except SubmissionProblem as problem:
                yield NotebookGrade(
                    student, None, problems=[_("nbgrader.not_graded", problem=problem)]
                )
        graded = grader.grade_many(s.package for s in staged.values())
        for (student, submission), (_graded, report) in zip(staged.items(), graded, strict=True):
            grade = NotebookGrade(student, report, submission.unreadable)
            if not report.grader_errors:  # a broken grader leaves the gradebook alone
                grade.problems = autograde(course, assignment, student, report)
                if not grade.problems:
                    grade.late_penalty = late_penalty(course, assignment, student)
            if out is not None:
                write_results(out / student / "results.json", report)
            yield grade
