"""Report a graded submission: Gradescope's results.json and a summary in the terminal."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder import __version__
from autograder.grading.grader import GradeReport
from autograder.grading.plugin import Outcome
from autograder.kit import load_parts

MAX_FEEDBACK = 4000
MAX_PRINTED = 1500
MAX_RESULTS_BYTES = 1_000_000
STATUS_STYLE = {"passed": "green", "failed": "red", "not started": "yellow", "error": "magenta"}


def _hints() -> dict[str, str]:
    return {task.id: task.hint for part in load_parts() for task in part.tasks}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 20] + "\n… (cut short)"


def feedback(outcome: Outcome, printed_limit: int = MAX_PRINTED) -> str:
    """The text a student reads for one check: what went wrong, a hint, what their code printed."""
    if outcome.status == "passed":
        return "passed"
    lines = [_clip(outcome.feedback, MAX_FEEDBACK)]
    hint = _hints().get(outcome.check_id)
    if hint and outcome.status != "error":
        lines.append(f"Hint: {hint}")
    if outcome.output.strip() and printed_limit:
        lines.append("Your code printed:\n" + _clip(outcome.output.strip(), printed_limit))
    return "\n".join(lines)


def isolation_text(report: GradeReport) -> str:
    if report.isolation == "uid":
        return "isolated (uid): submission code ran as uid 65534, without namespaces"
    if report.isolated:
        return f"isolated ({report.isolation})"
    return "not isolated: submission code ran as this user without namespaces"


def summary_text(report: GradeReport) -> str:
    return (
        f"Score {report.score:g}/{report.max_score:g} on the {report.check_set} checks, "
        f"{isolation_text(report)}, in {report.seconds:.1f} s."
    )


def results_json(report: GradeReport) -> dict[str, Any]:
    """Gradescope's results.json for the report, under MAX_RESULTS_BYTES whatever was printed."""
    for printed_limit in (MAX_PRINTED, 200, 0):
        tests = [
            {
                "name": outcome.name,
                "number": outcome.check_id,
                "score": outcome.points,
                "max_score": outcome.max_points,
                "status": "passed" if outcome.status == "passed" else "failed",
                "output": feedback(outcome, printed_limit),
                "visibility": "visible",
                "tags": [f"part{outcome.part}", outcome.status.replace(" ", "-")],
            }
            for outcome in report.outcomes
        ]
        results = {
            "score": report.score,
            "max_score": report.max_score,
            "execution_time": round(report.seconds, 2),
            "output": summary_text(report),
            "output_format": "text",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": tests,
            "extra_data": {
                "kit_version": __version__,
                "check_set": report.check_set,
                "isolated": report.isolated,
                "isolation": report.isolation,
                "grader_errors": report.grader_errors,
            },
        }
        if len(json.dumps(results)) < MAX_RESULTS_BYTES:
            break
    return results


def write_results(path: Path, report: GradeReport) -> None:
    """Write results.json atomically: readers see the old file or the whole new one."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(results_json(report), file, indent=2)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def print_summary(report: GradeReport, console: Console | None = None) -> None:
    """A table per part, the feedback of every check that did not pass, and the total."""
    console = console or Console()
    by_part: dict[int, list[Outcome]] = {}
    for outcome in report.outcomes:
        by_part.setdefault(outcome.part, []).append(outcome)
    for part in report.parts:
        outcomes = by_part.get(part.number, [])
        if not outcomes:
            continue
        got = sum(o.points for o in outcomes)
        total = sum(o.max_points for o in outcomes)
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
                console.print(Text(feedback(outcome)), soft_wrap=True)
    for error in report.grader_errors:
        console.print(Text(f"grader error: {error}", style="magenta"))
    console.print(Text(summary_text(report), style="bold"))
    waiting = [o for o in report.outcomes if o.status == "not started"]
    if waiting:
        modules = {task.id: part.module for part in report.parts for task in part.tasks}
        first = waiting[0].check_id
        console.print(
            f"{len(waiting)} of {len(report.outcomes)} tasks not started yet; the next one is "
            f"TODO({first}) in {modules[first]}.py."
        )
