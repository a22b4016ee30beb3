"""`watch`: the public checks of every part once, then those of each part file again as soon
as it is saved, with one sandbox kept warm (torch is imported once), and after each check how
many tasks pass and which TODO comes next."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from autograder.grading.grader import Grader
from autograder.grading.submission import find_package_folder
from autograder.i18n import _
from autograder.kit import load_parts
from autograder.reports.results import isolation_text
from autograder.reports.terminal import (
    print_errors,
    print_parts,
    print_progress,
    print_summary,
    rich_text,
)

POLL = 0.1  # seconds between looks at the part files
SETTLE = 0.05  # seconds a changed file gets to be written whole before it is checked


def _stamps(folder: Path) -> dict[str, tuple[int, int] | None]:
    """Each part file's modification time and size (None while it is missing)."""
    stamps: dict[str, tuple[int, int] | None] = {}
    for part in load_parts():
        try:
            info = (folder / part.filename).stat()
            stamps[part.filename] = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamps[part.filename] = None
    return stamps


def watch(submission: Path, console: Console | None = None) -> None:
    """Check the submission, then check each part again when its file changes, until Ctrl-C."""
    console = console or Console()
    folder = find_package_folder(submission)
    with Grader(public=True) as grader:
        seen = _stamps(folder)
        report = grader.grade(submission)
        outcomes = {outcome.check_id: outcome for outcome in report.outcomes}
        print_summary(report, console)
        print_progress(outcomes.values(), grader.parts, console)
        console.print(rich_text(_("watch.watching", folder=folder)))
        while True:
            time.sleep(POLL)
            now = _stamps(folder)
            if now == seen:
                continue
            time.sleep(SETTLE)
            now = _stamps(folder)
            changed = {p.number for p in grader.parts if now[p.filename] != seen[p.filename]}
            seen = now
            if not changed:
                continue
            report = grader.grade(submission, changed)
            outcomes.update((outcome.check_id, outcome) for outcome in report.outcomes)
            console.rule()
            print_parts(report, console)
            print_errors(report, console)
            files = ", ".join(part.filename for part in report.parts)
            isolation = isolation_text(report)
            seconds = f"{report.seconds:.1f}"
            checked = _("watch.checked", files=files, seconds=seconds, isolation=isolation)
            console.print(rich_text(checked))
            print_progress(outcomes.values(), grader.parts, console)
