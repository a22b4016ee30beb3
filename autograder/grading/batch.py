"""Grade a folder of submissions (one subfolder per student) with one zygote for all, then
write the class's gradebook, summary and score histogram (reports/classes.py).

OUT/<student>/ gets results.json and feedback.html; OUT/ gets gradebook.csv, summary.md and
scores.png, rebuilt from every student's results.json (also those graded by earlier runs).
"""

from __future__ import annotations

import gc
import json
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from autograder.grading.grader import Grader, GradeReport
from autograder.i18n import _
from autograder.kit import write_atomic
from autograder.reports.results import write_results

RESULTS, FEEDBACK = "results.json", "feedback.html"


@dataclass
class StudentRun:
    """One student of a batch: a new report, or skipped (graded before), or an error."""

    student: str
    report: GradeReport | None = None
    error: str | None = None

    @property
    def skipped(self) -> bool:
        return self.report is None and self.error is None


def students(submissions: Path, out: Path | None = None) -> list[Path]:
    """The subfolders of `submissions`, one per student, in name order (not hidden ones, not
    `out` when it is one of them)."""
    return sorted(
        path
        for path in submissions.iterdir()
        if path.is_dir()
        and not path.is_symlink()
        and not path.name.startswith(".")
        and (out is None or path.resolve() != out.resolve())
    )


def read_results(path: Path) -> dict[str, Any] | None:
    """A results.json, or None when it is missing or unreadable."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return results if isinstance(results, dict) else None


def already_graded(directory: Path) -> bool:
    """A results.json that the grader finished without errors of its own."""
    results = read_results(directory / RESULTS)
    return results is not None and results.get("extra_data", {}).get("grader_errors") == []


def _save(directory: Path, student: str, report: GradeReport) -> None:
    from autograder.reports.page import feedback_page

    write_atomic(directory / FEEDBACK, feedback_page(report, student))
    write_results(directory / RESULTS, report)  # last: it marks the student as graded


def grade_all(
    submissions: Path,
    out: Path,
    *,
    force: bool = False,
    public: bool = False,
    jobs: int | None = None,
    timeout: float | None = None,
    hints: bool | None = None,
) -> Iterator[StudentRun]:
    """Grade every student not graded yet (all with force), writing OUT/<student>/.

    A student whose grading raises (a fault of the grader, never of the submission) is
    reported as an error, gets no results.json (so the next run tries again), and the batch
    goes on with a fresh pipeline.
    """
    todo = []
    for folder in students(submissions, out):
        if not force and already_graded(out / folder.name):
            yield StudentRun(folder.name)
        else:
            todo.append(folder)
    if not todo:
        return
    secrets = [submissions.resolve(), out.resolve()]
    frozen = False
    try:
        with Grader(
            secrets=secrets, public=public, jobs=jobs, timeout=timeout, hints=hints
        ) as grader:
            while todo:
                try:
                    for folder, report in grader.grade_many(list(todo)):
                        _save(out / folder.name, folder.name, report)
                        if not frozen:
                            # What is loaded by now lives to the end of the batch: spare it
                            # the full garbage collection pytest runs after every student.
                            gc.freeze()
                            frozen = True
                        todo.remove(folder)
                        yield StudentRun(folder.name, report)
                except Exception:  # noqa: BLE001 - one student's failure must not end the batch
                    yield _alone(grader, todo.pop(0), out)
    finally:
        if frozen:
            gc.unfreeze()


def _alone(grader: Grader, folder: Path, out: Path) -> StudentRun:
    """Grade a student whose pipelined grading raised once more, alone: the pipeline holds
    two students, and the fault may have been the other one's."""
    try:
        report = grader.grade(folder)
        _save(out / folder.name, folder.name, report)
        return StudentRun(folder.name, report)
    except Exception as error:  # noqa: BLE001 - recorded in the summary, retried next run
        traceback.print_exc()
        return StudentRun(
            folder.name, error=_("batch.grader_failed", error=f"{type(error).__name__}: {error}")
        )


def run_batch(
    submissions: Path, out: Path, console: Console | None = None, **options: Any
) -> list[StudentRun]:
    """grade_all with a progress bar and a line per student, then the class reports."""
    console = console or Console()
    total = len(students(submissions, out))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    done: list[StudentRun] = []
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(_("batch.progress"), total=total)
        for graded in grade_all(submissions, out, **options):
            done.append(graded)
            progress.advance(task)
            if graded.skipped:
                progress.console.print(_("batch.skipped", student=graded.student))
            elif graded.error:
                progress.console.print(
                    _("batch.not_graded", student=graded.student, error=graded.error)
                )
            else:
                report = graded.report
                progress.console.print(
                    _(
                        "batch.graded",
                        student=graded.student,
                        score=f"{report.score:g}/{report.max_score:g}",
                        seconds=f"{report.seconds:.1f}",
                    )
                )
    out.mkdir(parents=True, exist_ok=True)
    from autograder.reports.classes import write_class_reports

    write_class_reports(submissions, out, {g.student: g.error for g in done if g.error})
    console.print(_("batch.written", out=out))
    return done
