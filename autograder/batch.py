"""Grade a folder of submissions (one subfolder per student) with one zygote for all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .grading import Grader, GradeReport
from .report import write_results


def students(submissions: Path) -> list[Path]:
    """The subfolders of `submissions`, one per student, in name order."""
    return sorted(path for path in submissions.iterdir() if path.is_dir() and not path.is_symlink())


def grade_all(
    submissions: Path,
    out: Path,
    *,
    force: bool = False,
    public: bool = False,
    jobs: int | None = None,
    timeout: float | None = None,
) -> Iterator[tuple[str, GradeReport | None]]:
    """Grade every student not graded yet (all with force); yield (name, report or None if
    it was already graded). Writes OUT/<student>/results.json."""
    secrets = [submissions.resolve(), out.resolve()]
    todo = []
    for folder in students(submissions):
        if (out / folder.name / "results.json").exists() and not force:
            yield folder.name, None
        else:
            todo.append(folder)
    with Grader(secrets=secrets, public=public, jobs=jobs, timeout=timeout) as grader:
        for folder, report in grader.grade_many(todo):
            write_results(out / folder.name / "results.json", report)
            yield folder.name, report
