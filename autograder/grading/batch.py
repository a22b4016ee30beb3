"""Grade a folder of submissions (one subfolder per student) with one zygote for all, then
write the class's gradebook, summary and score histogram.

OUT/<student>/ gets results.json and feedback.html; OUT/ gets gradebook.csv, summary.md and
scores.png, rebuilt from every student's results.json (also those graded by earlier runs).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import statistics
import tempfile
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from autograder.grading.grader import Grader, GradeReport
from autograder.kit import load_parts
from autograder.reports.results import write_results

RESULTS, FEEDBACK = "results.json", "feedback.html"


@dataclass
class Graded:
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


def write_atomic(path: Path, data: bytes) -> None:
    """Readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
    from autograder.reports.page import feedback_html

    write_atomic(directory / FEEDBACK, feedback_html(report, student).encode())
    write_results(directory / RESULTS, report)  # last: it marks the student as graded


def grade_all(
    submissions: Path,
    out: Path,
    *,
    force: bool = False,
    public: bool = False,
    jobs: int | None = None,
    timeout: float | None = None,
) -> Iterator[Graded]:
    """Grade every student not graded yet (all with force), writing OUT/<student>/.

    A student whose grading raises (a fault of the grader, never of the submission) is
    reported as an error, gets no results.json (so the next run tries again), and the batch
    goes on with a fresh pipeline.
    """
    todo = []
    for folder in students(submissions, out):
        if not force and already_graded(out / folder.name):
            yield Graded(folder.name)
        else:
            todo.append(folder)
    if not todo:
        return
    secrets = [submissions.resolve(), out.resolve()]
    frozen = False
    try:
        with Grader(secrets=secrets, public=public, jobs=jobs, timeout=timeout) as grader:
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
                        yield Graded(folder.name, report)
                except Exception:  # noqa: BLE001 - one student's failure must not end the batch
                    yield _alone(grader, todo.pop(0), out)
    finally:
        if frozen:
            gc.unfreeze()


def _alone(grader: Grader, folder: Path, out: Path) -> Graded:
    """Grade a student whose pipelined grading raised once more, alone: the pipeline holds
    two students, and the fault may have been the other one's."""
    try:
        report = grader.grade(folder)
        _save(out / folder.name, folder.name, report)
        return Graded(folder.name, report)
    except Exception as error:  # noqa: BLE001 - recorded in the summary, retried next run
        traceback.print_exc()
        return Graded(folder.name, error=f"the grader failed: {type(error).__name__}: {error}")


def _part_points(results: dict[str, Any], part: int) -> float | None:
    tests = [t for t in results.get("tests", []) if f"part{part}" in t.get("tags", [])]
    return sum(t.get("score", 0) for t in tests) if tests else None


def gradebook_csv(rows: dict[str, dict[str, Any] | None]) -> str:
    """student, points of every part, total; empty cells for a student not graded."""
    parts = [part.number for part in load_parts()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *(f"part{n}" for n in parts), "total"])
    for student, results in rows.items():
        if results is None:
            writer.writerow([student, *([""] * len(parts)), ""])
            continue
        points = [_part_points(results, n) for n in parts]
        cells = ["" if p is None else f"{p:g}" for p in points]
        writer.writerow([student, *cells, f"{results.get('score', 0):g}"])
    return buffer.getvalue()


def _histogram_rows(scores: list[float], top: float) -> list[str]:
    """Counts of scores in ten bands of the maximum, highest band first."""
    width = top / 10 if top else 1
    counts = [0] * 10
    for score in scores:
        counts[min(9, int(score // width))] += 1
    rows = []
    for band in reversed(range(10)):
        low, high = band * width, top if band == 9 else (band + 1) * width
        bracket = "]" if band == 9 else ")"
        rows.append(f"| [{low:g}, {high:g}{bracket} | {counts[band]} | {'█' * counts[band]} |")
    return rows


def _mistake_rows(graded: list[dict[str, Any]]) -> list[str]:
    """Per check: how many students failed it, and of them how many had not started it."""
    counts: dict[str, list] = {}
    for results in graded:
        for test in results.get("tests", []):
            entry = counts.setdefault(test["number"], [test.get("name", ""), 0, 0])
            entry[1] += test.get("status") == "failed"
            entry[2] += "not-started" in test.get("tags", [])
    order = sorted(counts, key=lambda n: (-counts[n][1], [int(k) for k in n.split(".")]))
    rows = []
    for number in order:
        name, failed, not_started = counts[number]
        name = name.replace("|", "\\|")
        rows.append(f"| {number} | {name} | {failed} | {not_started} |")
    return rows


def summary_md(rows: dict[str, dict[str, Any] | None], errors: dict[str, str]) -> str:
    """Score distribution and, per check, how many students failed it (most failed first)."""
    graded = [r for r in rows.values() if r is not None]
    scores = [float(r.get("score", 0)) for r in graded]
    top = max((float(r.get("max_score", 0)) for r in graded), default=0.0)
    extra = [r.get("extra_data", {}) for r in graded]
    check_sets = sorted({str(e.get("check_set")) for e in extra})
    isolation = sorted({str(e.get("isolation")) for e in extra})
    lines = [
        "# Class summary",
        "",
        f"{len(graded)} of {len(rows)} students graded (checks: {', '.join(check_sets) or '-'}; "
        f"isolation: {', '.join(isolation) or '-'}).",
    ]
    for student in (s for s, r in rows.items() if r is None):
        reason = errors.get(student, "no results.json")
        lines.append(f"- {student}: not graded ({reason}); run grade-all again to retry.")
    if scores:
        lines += [
            "",
            "## Scores",
            "",
            f"Out of {top:g}: mean {statistics.mean(scores):.1f}, "
            f"median {statistics.median(scores):g}, lowest {min(scores):g}, "
            f"highest {max(scores):g}; {sum(s == top for s in scores)} with full marks.",
            "",
            "| score | students | |",
            "|---|---:|---|",
            *_histogram_rows(scores, top),
            "",
            "## Common mistakes",
            "",
            "How many students failed each check (of them, how many had not started it).",
            "",
            "| check | what it checks | failed | not started |",
            "|---|---|---:|---:|",
            *_mistake_rows(graded),
        ]
    return "\n".join(lines) + "\n"


def scores_png(scores: list[float], top: float) -> bytes:
    """A histogram of the total scores."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(6, 3.5), dpi=100)
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.15, top=0.9)
    ax = figure.subplots()
    ax.hist(scores, bins=10, range=(0, top or 1), edgecolor="white")
    ax.set_xlabel("score")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Scores of {len(scores)} students (out of {top:g})")
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def write_class_reports(submissions: Path, out: Path, errors: dict[str, str]) -> None:
    """gradebook.csv, summary.md and scores.png in OUT, from every student's results.json."""
    rows = {f.name: read_results(out / f.name / RESULTS) for f in students(submissions, out)}
    write_atomic(out / "gradebook.csv", gradebook_csv(rows).encode())
    write_atomic(out / "summary.md", summary_md(rows, errors).encode())
    graded = [r for r in rows.values() if r is not None]
    top = max((float(r.get("max_score", 0)) for r in graded), default=0.0)
    write_atomic(out / "scores.png", scores_png([float(r.get("score", 0)) for r in graded], top))


def run_batch(
    submissions: Path, out: Path, console: Console | None = None, **options: Any
) -> list[Graded]:
    """grade_all with a progress bar and a line per student, then the class reports."""
    console = console or Console()
    total = len(students(submissions, out))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    done: list[Graded] = []
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("grading", total=total)
        for graded in grade_all(submissions, out, **options):
            done.append(graded)
            progress.advance(task)
            if graded.skipped:
                progress.console.print(f"{graded.student}: already graded (--force grades again)")
            elif graded.error:
                progress.console.print(f"{graded.student}: not graded: {graded.error}")
            else:
                report = graded.report
                progress.console.print(
                    f"{graded.student}: {report.score:g}/{report.max_score:g} "
                    f"in {report.seconds:.1f} s"
                )
    out.mkdir(parents=True, exist_ok=True)
    write_class_reports(submissions, out, {g.student: g.error for g in done if g.error})
    console.print(f"gradebook, summary and feedback in {out}")
    return done
