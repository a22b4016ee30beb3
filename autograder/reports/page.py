"""The feedback page of one graded submission: scores, failed checks with hints, two pictures.

The pictures are drawn here, in the grading process, from the probes' plain arrays (the
trained model's probabilities on a grid and its loss curve): no student code runs here.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from autograder.grading.expect import CheckFailed, Result, accuracy_of
from autograder.grading.grader import GradeReport
from autograder.i18n import _, current
from autograder.probes.plain import grid_axes
from autograder.reports.results import by_part, check_text, part_title, status_text, summary_text

PICTURE_CHECK = "6.3"  # fit_minibatch: its probe returns the trained model's answers
CLASSES = ListedColormap(["tab:red", "tab:blue"])
DPI = 72

STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: 0.2em 0.5em; text-align: left; }
th.part { background: #f3f3f3; }
td.points { text-align: right; white-space: nowrap; }
td:nth-child(3) { white-space: nowrap; }
.passed { color: #1a7f37; } .failed { color: #c62828; }
.not-started { color: #9a6700; } .error { color: #8250df; }
pre { background: #f6f8fa; padding: 0.6em; white-space: pre-wrap; }
code { background: #eef1f4; border-radius: 3px; padding: 0 0.2em; }
pre code { color: #0b5394; }
img { max-width: 100%; }
.pair { display: flex; gap: 1em; flex-wrap: wrap; }
figure { margin: 0.5em 0; }
"""


def _grid_of(want: Result) -> tuple[np.ndarray, np.ndarray] | None:
    """The x and y values of the reference probe's grid (the same grid for both models)."""
    box = want.data.get("grid")
    if not box:
        return None
    return grid_axes(box["low"], box["high"], int(box["steps"]))


def _classes_on_grid(result: Result | None, shape: tuple[int, int]) -> np.ndarray | str:
    """The predicted class at each grid point, or why there is none."""
    if result is None:
        return _("page.no_picture_unfinished")
    numbers = result["grid_proba"].numbers
    if numbers is None:
        return _("page.no_picture_no_model")
    if numbers.size != shape[0] * shape[1]:
        return _("page.no_picture_shape", shape=result["grid_proba"].shape_text)
    return (numbers.reshape(shape) > 0.5).astype(float)


def _accuracy(result: Result | None, labels: np.ndarray) -> str:
    if result is None:
        return ""
    try:
        share = accuracy_of(result["test_proba"], labels, "fit_minibatch")
    except CheckFailed:
        return ""
    return _("page.right", share=f"{share:.0%}")


def _plain(text: str) -> str:
    """Text of the catalogs for a picture, where `code` marks cannot be shown."""
    return text.replace("`", "")


def _message(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, _plain(text), ha="center", va="center", wrap=True, transform=ax.transAxes)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def boundary_panel(result: Result | None, evidence: dict[str, Any], title: str) -> bytes:
    """One model's predicted class over the grid of the reference probe, with the held-out
    points coloured by their true class."""
    points, labels = np.asarray(evidence["points"]), np.asarray(evidence["labels"])
    figure = Figure(figsize=(4.2, 4.2), dpi=DPI)
    figure.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.92)
    ax = figure.subplots()
    accuracy = _accuracy(result, labels)
    ax.set_title(
        _plain(_("page.panel_title", title=title, accuracy=accuracy) if accuracy else title)
    )
    ax.set_xticks([])
    ax.set_yticks([])
    grid = _grid_of(evidence["want"])
    classes = _classes_on_grid(result, (len(grid[1]), len(grid[0]))) if grid else _("page.no_grid")
    if isinstance(classes, str):
        _message(ax, classes)
        return _png(figure)
    ax.imshow(
        classes,
        extent=(grid[0][0], grid[0][-1], grid[1][0], grid[1][-1]),
        origin="lower",
        cmap=CLASSES,
        vmin=0,
        vmax=1,
        alpha=0.3,
        aspect="auto",
        interpolation="nearest",
    )
    ax.scatter(points[:, 0], points[:, 1], c=labels, cmap=CLASSES, vmin=0, vmax=1, s=5)
    return _png(figure)


_reference_panels: dict[str, bytes] = {}


def reference_panel(evidence: dict[str, Any]) -> bytes:
    """The reference's panel, drawn once for every submission graded on the same points."""
    want = evidence["want"]
    key = hashlib.sha256(
        json.dumps(want.data.get("grid")).encode()
        + np.ascontiguousarray(evidence["points"], dtype=np.float64).tobytes()
        + np.ascontiguousarray(evidence["labels"]).tobytes()
        + np.ascontiguousarray(want["grid_proba"].numbers).tobytes()
    ).hexdigest()
    if key not in _reference_panels:
        _reference_panels[key] = boundary_panel(want, evidence, _("page.reference"))
    return _reference_panels[key]


def _curve(result: Result | None) -> np.ndarray | None:
    numbers = None if result is None else result["result"][1].numbers
    if numbers is None or numbers.ndim != 1 or not len(numbers):
        return None
    return np.where(np.isfinite(numbers), numbers, np.nan)


def loss_picture(evidence: dict[str, Any]) -> bytes:
    """The student's loss per epoch on the same axes as the reference's."""
    figure = Figure(figsize=(6, 3), dpi=DPI)
    figure.subplots_adjust(left=0.11, right=0.98, bottom=0.17, top=0.9)
    ax = figure.subplots()
    ax.set_xlabel(_("page.epoch"))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    mine, reference = _curve(evidence.get("got")), _curve(evidence["want"])
    lines = ((mine, "-", _("page.yours")), (reference, "--", _("page.reference_line")))
    for curve, style, label in lines:
        if curve is not None:
            epochs = np.arange(1, len(curve) + 1)
            ax.plot(epochs, curve, style, marker="o", markersize=3, label=label)
    ax.legend()
    title = _("page.loss_title") if mine is not None else _("page.loss_title_only_reference")
    ax.set_title(_plain(title))
    return _png(figure)


def _image(png: bytes, text: str) -> str:
    data = base64.b64encode(png).decode()
    text = html.escape(text)
    image = f'<img src="data:image/png;base64,{data}" alt="{text}">'
    return f"<figure>{image}<figcaption>{text}</figcaption></figure>"


def _pictures(report: GradeReport) -> str:
    evidence = report.evidence.get(PICTURE_CHECK)
    if not evidence or evidence.get("points") is None:
        return f"<p>{_html(_('page.no_pictures'))}</p>"
    try:
        mine = boundary_panel(evidence.get("got"), evidence, _("page.your_network"))
        pictures = [
            '<div class="pair">',
            _image(mine, _("page.your_boundary")),
            _image(reference_panel(evidence), _("page.reference_boundary")),
            "</div>",
            _image(loss_picture(evidence), _("page.loss_caption")),
        ]
    except Exception as error:  # noqa: BLE001 - the page is still written without them
        return f"<p>{_html(_('page.pictures_failed', error=repr(error)))}</p>"
    return "\n".join(pictures)


def _score_table(report: GradeReport) -> str:
    rows = []
    for part, outcomes, got, total in by_part(report):
        rows.append(
            f'<tr><th class="part" colspan="3">{_html(part_title(part))}'
            f'</th><th class="part points">{got:g}/{total:g}</th></tr>'
        )
        for o in outcomes:
            css = o.status.replace(" ", "-")
            rows.append(
                f"<tr><td>{o.check_id}</td><td>{_html(o.name)}</td>"
                f'<td class="{css}">{html.escape(status_text(o.status))}</td>'
                f'<td class="points">{o.points:g}/{o.max_points:g}</td></tr>'
            )
    return "<table>\n" + "\n".join(rows) + "\n</table>"


def _html(text: str) -> str:
    """Text of the catalogs as HTML: escaped, `code` in <code>."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(text))


def _failed_checks(report: GradeReport) -> str:
    failed = [o for o in report.outcomes if o.status != "passed"]
    if not failed:
        return f"<p>{html.escape(_('page.all_passed'))}</p>"
    return "\n".join(
        f'<h3>{o.check_id} {_html(o.name)} <span class="{o.status.replace(" ", "-")}">'
        f"({html.escape(status_text(o.status))})</span></h3>\n"
        f"<pre>{_html(check_text(o, hints=report.hints))}</pre>"
        for o in failed
    )


def feedback_page(report: GradeReport, student: str) -> str:
    """The whole page, self-contained (pictures inline), in the student's language."""
    errors = "".join(
        f"<p class='error'>{html.escape(_('report.grader_error', error=error))}</p>"
        for error in report.grader_errors
    )
    title = html.escape(_("page.title", student=student))
    return f"""<!DOCTYPE html>
<html lang="{current()}"><head><meta charset="utf-8">
<title>{title}</title><style>{STYLE}</style></head>
<body>
<h1>{title}</h1>
<p><strong>{report.score:g}/{report.max_score:g}</strong>. {_html(summary_text(report))}</p>
{errors}
<h2>{html.escape(_("page.scores"))}</h2>
{_score_table(report)}
<h2>{html.escape(_("page.what_to_fix"))}</h2>
{_failed_checks(report)}
<h2>{html.escape(_("page.what_it_learned"))}</h2>
<p>{_html(_("page.pictures_intro"))}</p>
{_pictures(report)}
</body></html>
"""
