"""Gradescope's results.json of a graded submission, and the text of each check in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder import __version__
from autograder.grading.grader import GradeReport
from autograder.grading.plugin import Outcome
from autograder.i18n import _, current
from autograder.kit import Part, write_atomic

MAX_MESSAGE = 4000
MAX_PRINTED = 1500
MAX_RESULTS_BYTES = 1_000_000


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 20] + _("report.cut_short")


def status_text(status: str) -> str:
    """A check's status (an identifier: "passed", "not started", …) in words."""
    return _(f"status.{status.replace(' ', '_')}")


def check_text(outcome: Outcome, printed_limit: int = MAX_PRINTED, *, hints: bool = True) -> str:
    """The text a student reads for one check: what went wrong, a hint (when hints are on and
    the student has worked on the task), what their code printed."""
    if outcome.status == "passed":
        return status_text("passed")
    lines = [_clip(outcome.message, MAX_MESSAGE)]
    if hints and outcome.status == "failed":
        lines.append(_("report.hint", hint=_(f"task.{outcome.check_id}.hint")))
    if outcome.output.strip() and printed_limit:
        lines.append(_("report.printed", output=_clip(outcome.output.strip(), printed_limit)))
    return "\n".join(lines)


def part_title(part: Part) -> str:
    """ "Part 3. A network for points on a plane" in the student's language."""
    return _("report.part", number=part.number, title=_(f"part.{part.number}.title"))


def by_part(report: GradeReport) -> list[tuple[Part, list[Outcome], float, float]]:
    """(part, its outcomes, points, max points) of every part with a graded check."""
    found = []
    for part in report.parts:
        outcomes = [o for o in report.outcomes if o.part == part.number]
        if outcomes:
            points = sum(o.points for o in outcomes)
            found.append((part, outcomes, points, sum(o.max_points for o in outcomes)))
    return found


# the words for the modes that do not say "isolated (<mode>)"
ISOLATION_TEXTS = {
    "uid": "report.isolated_uid",
    "none": "report.not_isolated",
    "portable": "report.not_isolated_portable",
}


def isolation_text(report: GradeReport) -> str:
    message_id = ISOLATION_TEXTS.get(report.isolation)
    return _(message_id) if message_id else _("report.isolated", mode=report.isolation)


def summary_text(report: GradeReport) -> str:
    return _(
        "report.summary",
        score=f"{report.score:g}",
        max_score=f"{report.max_score:g}",
        check_set=_(f"check_set.{report.check_set}"),
        isolation=isolation_text(report),
        seconds=f"{report.seconds:.1f}",
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
                "output": check_text(outcome, printed_limit, hints=report.hints),
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
                "hints": report.hints,
                "language": current(),
            },
        }
        if len(json.dumps(results)) < MAX_RESULTS_BYTES:
            break
    return results


def write_results(path: Path, report: GradeReport) -> None:
    """Write results.json atomically: readers see the old file or the whole new one."""
    write_atomic(path, json.dumps(results_json(report), indent=2))
