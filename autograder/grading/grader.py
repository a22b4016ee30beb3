"""One grading run: stage the submission, run the checks with pytest, collect the outcomes.

The grading process never imports submission code: the submission runs only in sandboxed
children (see sandbox/), the reference in trusted ones, and this process compares their
plain-data answers (see plugin.py and expect.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from secrets import token_hex
from typing import TYPE_CHECKING, Any

from autograder.grading.reference import ReferenceStore
from autograder.grading.runner import PRELOAD, ProbeRunner
from autograder.grading.submission import StagedSubmission, stage
from autograder.i18n import _
from autograder.kit import ENGINE, KIT_ROOT, SOLUTIONS, Part, check_order, load_parts, load_settings
from autograder.sandbox.client import Sandbox
from autograder.sandbox.limits import Limits
from autograder.sandbox.modes import NOT_ISOLATED

if TYPE_CHECKING:
    from autograder.grading.plugin import Outcome, ProbeCall

CHECKS = ENGINE / "checks"
REFERENCE_DIR = Path(os.environ.get("AUTOGRADER_REFERENCE_DIR", KIT_ROOT / "build" / "reference"))
# pytest runs only the kit's checks: no ini file, no conftest, no cache, no terminal output
PYTEST_ARGS = [
    "-p",
    "no:cacheprovider",
    "-p",
    "no:terminal",
    "--noconftest",
    "-c",
    os.devnull,
    "--rootdir",
    str(KIT_ROOT),
]


@dataclass
class GradeReport:
    """Everything the report needs about one graded submission."""

    outcomes: list[Outcome]
    parts: tuple[Part, ...]
    check_set: str
    isolation: str
    seconds: float
    grader_errors: list[str] = field(default_factory=list)
    # per check id: the submission's and the reference's probe results (for pictures)
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)
    hints: bool = True  # whether a failed check's feedback shows the task's hint

    @property
    def score(self) -> float:
        return sum(outcome.points for outcome in self.outcomes)

    @property
    def max_score(self) -> float:
        return sum(outcome.max_points for outcome in self.outcomes)

    @property
    def isolated(self) -> bool:
        return self.isolation not in NOT_ISOLATED


def reference_path(check_set: str) -> Path:
    """Where the expected values of a check set are kept: build/reference/<set>.npz next to
    solutions/; a copy of the kit without solutions/ (a student bundle) ships them as
    autograder/checks/<set>/expected.npz, used as they are."""
    if SOLUTIONS.is_dir():
        return REFERENCE_DIR / f"{check_set}.npz"
    return CHECKS / check_set / "expected.npz"


def hidden_checks_available() -> bool:
    return (CHECKS / "hidden" / "__init__.py").is_file()


def check_set_salt(check_set: str) -> str:
    if check_set == "hidden":
        from autograder.checks.hidden import SEED_SALT

        return SEED_SALT
    return "public"


# Where sandbox mode "uid" records the permissions it takes off the secrets until it ends.
PERMISSIONS_STATE = KIT_ROOT / "build" / "closed-permissions.json"


def secret_paths(extra: list[Path]) -> list[Path]:
    """What sandbox mode "uid" closes by permissions (the isolated modes show a child only an
    allow-list, see view.py): solutions, hidden checks, expected values, outputs, the kit's
    history, tests and distributions (copies of the reference), and (in `extra`) the
    submissions as handed in."""
    return [
        SOLUTIONS.parent,
        CHECKS / "hidden",
        CHECKS / "public" / "expected.npz",
        REFERENCE_DIR,
        KIT_ROOT / "build",
        KIT_ROOT / "dist",
        KIT_ROOT / ".git",
        KIT_ROOT / "tests",
        *extra,
    ]


def _check_files(check_set: str, parts: tuple[Part, ...]) -> list[str]:
    return [
        str(CHECKS / check_set / f"test_part{part.number}.py")
        for part in parts
        if (CHECKS / check_set / f"test_part{part.number}.py").is_file()
    ]


class Grader:
    """Grades submissions, one after another, with one zygote (one import of torch) for all.

    The zygote starts importing torch as soon as the Grader is made; pytest starts meanwhile.
    """

    def __init__(
        self,
        *,
        public: bool = False,
        part_numbers: set[int] | None = None,
        secrets: list[Path] | None = None,
        limits: Limits | None = None,
        timeout: float | None = None,
        jobs: int | None = None,
        hints: bool | None = None,
    ) -> None:
        self.hints = load_settings().hints if hints is None else hints
        self.check_set = "public" if public or not hidden_checks_available() else "hidden"
        self.parts = tuple(
            p for p in load_parts() if part_numbers is None or p.number in part_numbers
        )
        self.limits = limits or Limits()
        self.timeout = timeout
        self.store = ReferenceStore(reference_path(self.check_set), SOLUTIONS)
        self.stage_root = Path(tempfile.mkdtemp(prefix="autograder-"))
        self.stage_root.chmod(0o755)
        self.sandbox = Sandbox(
            self.stage_root,
            secrets=secret_paths([*(secrets or []), self.stage_root]),
            limits=self.limits,
            preload=PRELOAD,
            jobs=jobs,
            graded=self.check_set == "hidden",
            permissions_state=PERMISSIONS_STATE,
        )
        self._graded = 0
        self._calls: dict[str, list[ProbeCall]] = {}  # per module, once a grading made them

    @property
    def isolation(self) -> str:
        return self.sandbox.isolation

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.sandbox.close()
        shutil.rmtree(self.stage_root, ignore_errors=True)

    def grade(self, submission: Path, part_numbers: set[int] | None = None) -> GradeReport:
        """Grade one submission (only `part_numbers` of the Grader's parts, if given); never
        raises for anything the submission does."""
        parts = tuple(p for p in self.parts if part_numbers is None or p.number in part_numbers)
        return self._finish(self._prepare(submission, parts))

    def grade_many(self, submissions: Iterable[Path]) -> Iterator[tuple[Path, GradeReport]]:
        """Grade submissions in order; the probes of the next one run while the checks of
        the current one are evaluated (after the first, the calls are known in advance)."""
        pending: _Pending | None = None
        for submission in submissions:
            upcoming = self._prepare(submission, self.parts)
            if pending is not None:
                yield pending.submission, self._finish(pending)
            pending = upcoming
        if pending is not None:
            yield pending.submission, self._finish(pending)

    def _prepare(self, submission: Path, parts: tuple[Part, ...]) -> _Pending:
        """Stage a submission and, when the calls are known, send its probes out now."""
        started = time.perf_counter()
        self._graded += 1
        # Unguessable: in sandbox mode "uid" the stage root only hides the names.
        subfolder = f"submission{self._graded}-{token_hex(8)}"
        staged = stage(submission, self.stage_root / subfolder)
        runner = ProbeRunner(self.sandbox, subfolder, self.store, self.limits)
        problems = {p.module: staged.problem(p) for p in parts if staged.problem(p)}
        if all(part.module in self._calls for part in parts):
            calls = [c for part in parts for c in self._calls[part.module]]
            calls.sort(key=lambda call: -call.timeout)  # as the plugin sends them
            runner.submit([c for c in calls if c.module not in problems], calls)
        return _Pending(submission, staged, runner, problems, parts, started)

    def _finish(self, pending: _Pending) -> GradeReport:
        """Run the checks of a prepared submission and collect the outcomes."""
        # pytest is imported only now: the zygote already imports torch in parallel
        import pytest

        from autograder.grading.plugin import GradingPlugin

        runner = pending.runner
        try:
            plugin = GradingPlugin(
                runner,
                check_set_salt(self.check_set),
                pending.problems,
                self.timeout,
            )
            with _no_plugin_autoload():
                code = pytest.main(
                    [*PYTEST_ARGS, *_check_files(self.check_set, pending.parts)], plugins=[plugin]
                )
            runner.wait()
        finally:
            pending.staged.cleanup()
        if code == pytest.ExitCode.INTERRUPTED:
            raise KeyboardInterrupt
        for module in pending.modules:
            made = [call for call in plugin.submitted if call.module == module]
            if made:
                self._calls[module] = made
        errors = list(runner.errors)
        if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            errors.append(_("grader.pytest_stopped", code=int(code)))
        errors += [o.message for o in plugin.outcomes.values() if o.status == "error"]
        errors = list(dict.fromkeys(errors))
        outcomes = sorted(plugin.outcomes.values(), key=lambda o: check_order(o.check_id))
        seconds = time.perf_counter() - pending.started
        return GradeReport(
            outcomes,
            pending.parts,
            self.check_set,
            self.isolation,
            seconds,
            errors,
            plugin.evidence,
            self.hints,
        )


@contextlib.contextmanager
def _no_plugin_autoload() -> Iterator[None]:
    """pytest loads only the grader's plugin, none that happens to be installed beside it."""
    before = os.environ.get(_AUTOLOAD)
    os.environ[_AUTOLOAD] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[_AUTOLOAD]
        else:
            os.environ[_AUTOLOAD] = before


_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"


@dataclass
class _Pending:
    """A staged submission whose probes may already be running."""

    submission: Path
    staged: StagedSubmission
    runner: ProbeRunner
    problems: dict[str, str]
    parts: tuple[Part, ...]
    started: float

    @property
    def modules(self) -> set[str]:
        return {part.module for part in self.parts}


def grade(submission: Path, **options: object) -> GradeReport:
    """Grade one submission (see Grader for the options)."""
    with Grader(secrets=[submission.resolve()], **options) as grader:
        return grader.grade(submission)
