"""The grade of one submission in the terminal: a table per part, what to fix, the total; and
for `watch`, how many tasks are done and which TODO comes next. `code` of the catalogs'
messages is shown in colour, without its backticks."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.grading.grader import GradeReport
from autograder.grading.plugin import Outcome
from autograder.i18n import _, n_
from autograder.kit import Part
from autograder.reports.results import by_part, check_text, part_title, status_text, summary_text

STATUS_STYLE = {"passed": "green", "failed": "red", "not started": "yellow", "error": "magenta"}
CODE_STYLE = "cyan"
_CODE = re.compile(r"`([^`\n]*)`")


def rich_text(text: str, style: str = "") -> Text:
    """A message with its `code` spans in CODE_STYLE and their backticks dropped."""
    shown = Text(style=style)
    position = 0
    for span in _CODE.finditer(text):
        shown.append(text[position : span.start()])
        shown.append(span.group(1), style=CODE_STYLE)
        position = span.end()
    shown.append(text[position:])
    return shown


def print_summary(report: GradeReport, console: Console | None = None) -> None:
    """A table per part, the feedback of every check that did not pass, and the total."""
    console = console or Console()
    print_parts(report, console)
    print_errors(report, console)
    console.print(rich_text(summary_text(report), style="bold"))
    waiting = [o for o in report.outcomes if o.status == "not started"]
    if waiting:
        modules = {task.id: part.module for part in report.parts for task in part.tasks}
        first = waiting[0].check_id
        message = n_(
            "report.not_started_yet",
            len(waiting),
            total=len(report.outcomes),
            task=first,
            file=f"{modules[first]}.py",
        )
        console.print(rich_text(message))


def print_errors(report: GradeReport, console: Console) -> None:
    """What went wrong in the grader itself (not the student's fault)."""
    for error in report.grader_errors:
        console.print(Text(_("report.grader_error", error=error), style="magenta"))


def print_parts(report: GradeReport, console: Console) -> None:
    """A table per graded part, and the feedback of every check that did not pass."""
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
                rich_text(outcome.name),
                f"{outcome.points:g}/{outcome.max_points:g}",
                Text(status_text(outcome.status), style=style),
            )
        console.print(table)
        for outcome in outcomes:
            if outcome.status not in ("passed", "not started"):
                console.print(Text(f"  {outcome.check_id}: ", style="bold"), end="")
                console.print(rich_text(check_text(outcome, hints=report.hints)), soft_wrap=True)


def print_progress(outcomes: Iterable[Outcome], parts: tuple[Part, ...], console: Console) -> None:
    """How many tasks pass their checks, and the first one that does not."""
    status = {outcome.check_id: outcome.status for outcome in outcomes}
    tasks = [(part, task) for part in parts for task in part.tasks]
    done = sum(status.get(task.id) == "passed" for _part, task in tasks)
    console.print(rich_text(n_("watch.progress", len(tasks), done=done), style="bold"))
    waiting = [(part, task) for part, task in tasks if status.get(task.id) != "passed"]
    if not waiting:
        console.print(rich_text(_("watch.all_done")))
        return
    part, task = waiting[0]
    values = {"task": task.id, "file": part.filename}
    if status.get(task.id, "not started") == "not started":
        message = _("watch.next_todo", todo=_(f"task.{task.id}.todo"), **values)
    else:
        message = _("watch.next_fix", **values)
    console.print(rich_text(message), soft_wrap=True)
