"""The grade of one submission in the terminal: a table per part, what to fix, the total."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.grading.grader import GradeReport
from autograder.i18n import _, n_
from autograder.reports.results import by_part, check_text, part_title, status_text, summary_text

STATUS_STYLE = {"passed": "green", "failed": "red", "not started": "yellow", "error": "magenta"}


def print_summary(report: GradeReport, console: Console | None = None) -> None:
    """A table per part, the feedback of every check that did not pass, and the total."""
    console = console or Console()
    for part, outcomes, got, total in by_part(report):
        table = Table(
            title=_("report.part_points", part=part_title(part), points=f"{got:g}/{total:g}"),
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
                Text(status_text(outcome.status), style=style),
            )
        console.print(table)
        for outcome in outcomes:
            if outcome.status not in ("passed", "not started"):
                console.print(Text(f"  {outcome.check_id}: ", style="bold"), end="")
                console.print(Text(check_text(outcome, hints=report.hints)), soft_wrap=True)
    for error in report.grader_errors:
        console.print(Text(_("report.grader_error", error=error), style="magenta"))
    console.print(Text(summary_text(report), style="bold"))
    waiting = [o for o in report.outcomes if o.status == "not started"]
    if waiting:
        modules = {task.id: part.module for part in report.parts for task in part.tasks}
        first = waiting[0].check_id
        console.print(
            n_(
                "report.not_started_yet",
                len(waiting),
                total=len(report.outcomes),
                task=first,
                file=f"{modules[first]}.py",
            )
        )
