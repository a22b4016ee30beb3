"""Gradescope's results.json of a graded submission, and the text of each check in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.grading.grader import GradeReport
from autograder.grading.plugin import Outcome
from autograder.kit import Part, load_parts, write_atomic

MAX_MESSAGE = 4000
MAX_PRINTED = 1500
MAX_RESULTS_BYTES = 1_000_000


def _hints() -> dict[str, str]:
    return {task.id: task.hint for part in load_parts() for task in part.tasks}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 20] + "\n… (cut short)"


def check_text(outcome: Outcome, printed_limit: int = MAX_PRINTED) -> str:
    """The text a student reads for one check: what went wrong, a hint, what their code printed."""
    if outcome.status == "passed":
        return "passed"
    lines = [_clip(outcome.message, MAX_MESSAGE)]
    hint = _hints().get(outcome.check_id)
    if hint and outcome.status != "error":
        lines.append(f"Hint: {hint}")
    if outcome.output.strip() and printed_limit:
        lines.append("Your code printed:\n" + _clip(outcome.output.strip(), printed_limit))
    return "\n".join(lines)


def by_part(report: GradeReport) -> list[tuple[Part, list[Outcome], float, float]]:
    """(part, its outcomes, points, max points) of every part with a graded check."""
    found = []
    for part in report.parts:
        outcomes = [o for o in report.outcomes if o.part == part.number]
        if outcomes:
            points = sum(o.points for o in outcomes)
            found.append((part, outcomes, points, sum(o.max_points for o in outcomes)))
    return found


ISOLATION_TEXTS = {
    "uid": "isolated (uid): submission code ran as uid 65534, without namespaces",
    "none": "not isolated: submission code ran as this user without namespaces",
    "portable": "not isolated (portable): submission code ran as this user, in new processes",
}


def isolation_text(report: GradeReport) -> str:
    return ISOLATION_TEXTS.get(report.isolation, f"isolated ({report.isolation})")


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
                "output": check_text(outcome, printed_limit),
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
    write_atomic(path, json.dumps(results_json(report), indent=2))
