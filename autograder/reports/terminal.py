"""The grade of one submission in the terminal: a table per part, what to fix, the total; and
for `watch`, how many tasks are done and which TODO comes next."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.grading.grader import GradeReport
from autograder.grading.plugin import Outcome
from autograder.kit import Part
from autograder.reports.results import by_part, check_text, summary_text

STATUS_STYLE = {"passed": "green", "failed": "red", "not started": "yellow", "error": "magenta"}
PROGRESS = "{done} of {total} tasks done."
NEXT_TODO = "Next: TODO({task}) in {file}: {todo}"
NEXT_FIX = "Next: fix task {task} in {file}; its check does not pass yet."
ALL_DONE = "Every task passes its checks."
GRADER_ERROR = "grader error: {error}"


def print_summary(report: GradeReport, console: Console | None = None) -> None:
    """A table per part, the feedback of every check that did not pass, and the total."""
    console = console or Console()
    print_parts(report, console)
    print_errors(report, console)
    console.print(Text(summary_text(report), style="bold"))
    waiting = [o for o in report.outcomes if o.status == "not started"]
    if waiting:
        modules = {task.id: part.module for part in report.parts for task in part.tasks}
        first = waiting[0].check_id
        console.print(
            f"{len(waiting)} of {len(report.outcomes)} tasks not started yet; the next one is "
            f"TODO({first}) in {modules[first]}.py."
        )


def print_errors(report: GradeReport, console: Console) -> None:
    """What went wrong in the grader itself (not the student's fault)."""
    for error in report.grader_errors:
        console.print(Text(GRADER_ERROR.format(error=error), style="magenta"))


def print_parts(report: GradeReport, console: Console) -> None:
    """A table per graded part, and the feedback of every check that did not pass."""
    for part, outcomes, got, total in by_part(report):
        table = Table(
            title=f"Part {part.number}. {part.title}  {got:g}/{total:g}",
            title_justify="left",
            show_header=False,
            expand=True,
        )
        table.add_column("id", width=4)
        table.add_column("check", ratio=1)
        table.add_column("points", justify="right", width=7)
        table.add_column("status", width=11)
        for outcome in outcomes:
            style = STATUS_STYLE.get(outcome.status, "")
            table.add_row(
                outcome.check_id,
                outcome.name,
                f"{outcome.points:g}/{outcome.max_points:g}",
                Text(outcome.status, style=style),
            )
        console.print(table)
        for outcome in outcomes:
            if outcome.status not in ("passed", "not started"):
                console.print(Text(f"  {outcome.check_id}: ", style="bold"), end="")
                console.print(Text(check_text(outcome)), soft_wrap=True)


def print_progress(outcomes: Iterable[Outcome], parts: tuple[Part, ...], console: Console) -> None:
    """How many tasks pass their checks, and the first one that does not."""
    status = {outcome.check_id: outcome.status for outcome in outcomes}
    tasks = [(part, task) for part in parts for task in part.tasks]
    done = sum(status.get(task.id) == "passed" for _, task in tasks)
    console.print(Text(PROGRESS.format(done=done, total=len(tasks)), style="bold"))
    waiting = [(part, task) for part, task in tasks if status.get(task.id) != "passed"]
    if not waiting:
        console.print(ALL_DONE)
        return
    part, task = waiting[0]
    text = NEXT_TODO if status.get(task.id, "not started") == "not started" else NEXT_FIX
    console.print(text.format(task=task.id, file=part.filename, todo=task.todo), soft_wrap=True)
