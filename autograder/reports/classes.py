"""The class reports of a batch, rebuilt from every student's results.json: gradebook.csv,
summary.md (the score distribution and the common mistakes) and scores.png."""

from __future__ import annotations

import csv
import io
import statistics
from pathlib import Path
from typing import Any

from autograder.grading.batch import RESULTS, read_results, students
from autograder.i18n import _, n_
from autograder.kit import check_order, load_parts, write_atomic


def _part_points(results: dict[str, Any], part: int) -> float | None:
    tests = [t for t in results.get("tests", []) if f"part{part}" in t.get("tags", [])]
    return sum(t.get("score", 0) for t in tests) if tests else None


def gradebook_csv(rows: dict[str, dict[str, Any] | None]) -> str:
    """student, points of every part, total; empty cells for a student not graded."""
    parts = [part.number for part in load_parts()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [_("class.student"), *(_("class.part", number=n) for n in parts), _("class.total")]
    )
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
    order = sorted(counts, key=lambda n: (-counts[n][1], check_order(n)))
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
    check_sets = sorted({_(f"check_set_short.{e.get('check_set')}") for e in extra})
    isolation = sorted({str(e.get("isolation")) for e in extra})
    lines = [
        _("class.title"),
        "",
        n_(
            "class.graded",
            len(rows),
            graded=len(graded),
            check_sets=", ".join(check_sets) or "-",
            isolation=", ".join(isolation) or "-",
        ),
    ]
    for student in (s for s, r in rows.items() if r is None):
        reason = errors.get(student, _("class.no_results"))
        lines.append(_("class.not_graded", student=student, reason=reason))
    if scores:
        lines += [
            "",
            _("class.scores"),
            "",
            _(
                "class.statistics",
                top=f"{top:g}",
                mean=f"{statistics.mean(scores):.1f}",
                median=f"{statistics.median(scores):g}",
                lowest=f"{min(scores):g}",
                highest=f"{max(scores):g}",
                full=sum(s == top for s in scores),
            ),
            "",
            _("class.histogram_header"),
            "|---|---:|---|",
            *_histogram_rows(scores, top),
            "",
            _("class.mistakes"),
            "",
            _("class.mistakes_intro"),
            "",
            _("class.mistakes_header"),
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
    ax.set_xlabel(_("class.score_axis"))
    ax.set_ylabel(_("class.students_axis"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(n_("class.histogram_title", len(scores), top=f"{top:g}"))
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
