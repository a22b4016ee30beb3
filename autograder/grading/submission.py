"""Find the part files of a submission and stage them as a clean `intro_pytorch` package.

A submission is a folder that holds `intro_pytorch/`, the package folder itself, or a flat
folder of part files (a Gradescope upload). Staging copies only the part files, as plain
regular files (never through a link, which could point at the grader's secrets), next to
the kit's own `__init__.py` and `data.py`: the grader never uses a submission's copy.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.i18n import _
from autograder.kit import ASSIGNMENTS, PACKAGE, READ_AS_IS, Part, load_parts

MAX_PART_BYTES = 1 << 20
PROVIDED = ("__init__.py", "data.py")


class Unreadable(OSError):
    """A part file that is there but cannot be graded; the message says why."""


class SubmissionError(ValueError):
    """The submission path cannot be graded at all (not a folder)."""


@dataclass
class StagedSubmission:
    """A staged copy of a submission: `root/intro_pytorch/` plus what was wrong with it."""

    root: Path
    source: Path
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def package(self) -> Path:
        return self.root / PACKAGE

    def problem(self, part: Part) -> str | None:
        """Why a part cannot be graded (missing, unreadable, too large), or None."""
        return self.problems.get(part.module)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def find_package_folder(submission: Path) -> Path:
    """Return the folder of a submission that should hold the part files."""
    if not submission.is_dir():
        raise SubmissionError(_("cli.not_a_folder", path=submission))
    nested = submission / PACKAGE
    if nested.is_dir() and not nested.is_symlink():
        return nested
    return submission


def _read_regular_file(path: Path) -> bytes:
    """Read a regular file without following links; refuse anything else or anything big."""
    fd = os.open(path, READ_AS_IS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(_("submission.not_regular"))
        if info.st_size > MAX_PART_BYTES:
            raise Unreadable(_("submission.too_large", kib=MAX_PART_BYTES // 1024))
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read(MAX_PART_BYTES + 1)
    finally:
        os.close(fd)


def stage(
    submission: Path, root: Path | None = None, parts: tuple[Part, ...] | None = None
) -> StagedSubmission:
    """Copy the submission's part files into a fresh folder (`root`, made here) readable by
    the sandbox user."""
    folder = find_package_folder(submission)
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="autograder-submission-"))
    else:
        root.mkdir()
    staged = StagedSubmission(root=root, source=folder)
    package = staged.package
    package.mkdir()
    for name in PROVIDED:
        shutil.copyfile(ASSIGNMENTS / name, package / name)
    for part in parts or load_parts():
        path = folder / part.filename
        if not os.path.lexists(path):
            staged.problems[part.module] = _("submission.missing", file=part.filename)
            continue
        try:
            content = _read_regular_file(path)
        except Unreadable as error:
            staged.problems[part.module] = _(
                "submission.unreadable", file=part.filename, reason=error
            )
            continue
        except OSError as error:
            if error.errno == getattr(os, "ELOOP", None):
                reason = _("submission.symbolic_link")
            else:
                reason = f"`{error.strerror or error}`"
            staged.problems[part.module] = _(
                "submission.unreadable", file=part.filename, reason=reason
            )
            continue
        (package / part.filename).write_bytes(content)
    for path in [root, package, *package.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return staged
