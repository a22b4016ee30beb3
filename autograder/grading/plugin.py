"""The pytest side of grading: the `check` marker, seeds, the got/want fixtures, outcomes.

A check is a pytest test marked with its id and the probe it needs. Before the first check
runs, the plugin sends every probe call to the sandbox (the submission) and to the
reference at once, so they run in parallel while pytest moves on; each check then only
compares plain data. The plugin records one Outcome per check for the report.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

from autograder.grading.expect import CheckFailed, Result
from autograder.grading.failures import failure_text
from autograder.i18n import _
from autograder.kit import ASSIGNMENTS, load_parts
from autograder.sandbox.limits import DEFAULT_WALL

if TYPE_CHECKING:
    from autograder.grading.runner import ProbeRunner


@dataclass(frozen=True)
class ProbeCall:
    """One probe to run on the submission and on the reference."""

    probe: str
    args: dict[str, Any]
    timeout: float
    diagnose: bool = False

    @property
    def key(self) -> str:
        text = json.dumps([self.probe, self.args], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    @property
    def module(self) -> str:
        """The student module the probe grades, e.g. "part1_tensors"."""
        number = int(re.search(r"\.part(\d+):", self.probe).group(1))
        return next(part.module for part in load_parts() if part.number == number)


@dataclass
class Outcome:
    """What one check found."""

    check_id: str
    name: str
    points: float
    max_points: float
    status: str  # passed | failed | not started | error
    message: str = ""  # what the check found, for the student
    output: str = ""

    @property
    def part(self) -> int:
        return int(self.check_id.split(".")[0])


def check(
    check_id: str,
    probe: str,
    *,
    timeout: float = DEFAULT_WALL,
    diagnose: bool = False,
    held_out: int = 0,
    **args: Any,
) -> Callable:
    """Mark a test as check `check_id`, graded from `probe` run with `args` and a seed.

    diagnose: the reference run also computes the known mistakes' results, to name them.
    held_out: the grader draws this many held-out moons itself and hands the probe only the
    points (argument X_test); the labels stay in the grading process (fixture `labels`).
    """
    return pytest.mark.check(
        check_id,
        probe="autograder.probes.{}:{}".format(*probe.split(".")),
        timeout=timeout,
        diagnose=diagnose,
        held_out=held_out,
        args=args,
    )


def seed_for(check_id: str, salt: str) -> int:
    """The seed of a check: the same on every run and machine, different per check set."""
    return int.from_bytes(hashlib.sha256(f"{salt}:{check_id}".encode()).digest()[:4], "big")


@cache
def kit_data() -> ModuleType:
    """The kit's own data.py, loaded in the grading process to draw held-out points."""
    spec = importlib.util.spec_from_file_location("autograder_kit_data", ASSIGNMENTS / "data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def held_out_moons(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Held-out moons (noise 0.2) drawn from a seed that the sandbox never sees."""
    return kit_data().make_moons(n, noise=0.2, seed=seed_for(str(seed), "held-out"))


def check_points() -> dict[str, float]:
    return {task.id: task.points for part in load_parts() for task in part.tasks}


class ReferenceBroken(RuntimeError):
    """The reference solution failed its own probe: the kit, not the submission, is broken."""


class GradingPlugin:
    """Registered with pytest.main: collects, runs and scores the checks."""

    def __init__(
        self,
        runner: ProbeRunner,
        salt: str,
        problems: dict[str, str],
        timeout_cap: float | None = None,
    ) -> None:
        self.runner = runner
        self.salt = salt
        self.problems = problems
        self.timeout_cap = timeout_cap
        self.calls: dict[str, ProbeCall] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.held_out_labels: dict[str, np.ndarray] = {}
        self.submitted: list[ProbeCall] = []
        self.evidence: dict[str, dict[str, Any]] = {}
        self.points = check_points()

    @staticmethod
    def _check_id(item: pytest.Item) -> str:
        mark = item.get_closest_marker("check")
        if mark is None:
            raise pytest.UsageError(f"{item.nodeid} is not marked as a check")
        return mark.args[0]

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "check(id, probe, timeout, args): a graded check")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        items.sort(key=lambda item: [int(n) for n in self._check_id(item).split(".")])
        for item in items:
            check_id = self._check_id(item)
            mark = item.get_closest_marker("check")
            if check_id in self.calls:
                raise pytest.UsageError(f"two checks have the id {check_id}")
            if check_id not in self.points:
                raise pytest.UsageError(f"check {check_id} has no points in the manifest")
            seed = seed_for(check_id, self.salt)
            args = {"seed": seed, **mark.kwargs["args"]}
            if mark.kwargs["held_out"]:
                X_test, self.held_out_labels[check_id] = held_out_moons(
                    mark.kwargs["held_out"], seed
                )
                args["X_test"] = X_test.tolist()
            timeout = min(mark.kwargs["timeout"], self.timeout_cap or mark.kwargs["timeout"])
            self.calls[check_id] = ProbeCall(
                mark.kwargs["probe"], args, timeout, mark.kwargs["diagnose"]
            )
        # the slowest probes (the longest timeouts: training) go first, so none ends last alone
        self.submitted = sorted(self.calls.values(), key=lambda call: -call.timeout)
        calls = [c for c in self.submitted if c.module not in self.problems]
        self.runner.submit(calls, self.submitted)

    def _call(self, request: pytest.FixtureRequest) -> ProbeCall:
        return self.calls[self._check_id(request.node)]

    @pytest.fixture
    def want(self, request: pytest.FixtureRequest) -> Result:
        """The reference's result of this check's probe."""
        reply = self.runner.reference(self._call(request))
        if reply.status != "ok":
            raise ReferenceBroken(_("grader.reference_broken", error=str(reply.error)))
        result = Result(reply.data, reply.arrays)
        check_id = self._check_id(request.node)
        self.evidence[check_id] = {
            "want": result,
            "labels": self.held_out_labels.get(check_id),
            "points": self._call(request).args.get("X_test"),
        }
        return result

    @pytest.fixture
    def labels(self, request: pytest.FixtureRequest) -> np.ndarray:
        """The labels of this check's held-out points (never sent to the sandbox)."""
        return self.held_out_labels[self._check_id(request.node)]

    @pytest.fixture
    def got(self, request: pytest.FixtureRequest, want: Result) -> Result:
        """The submission's result of this check's probe (fails the check when it broke)."""
        call = self._call(request)
        problem = self.problems.get(call.module)
        if problem:
            raise CheckFailed(problem)
        reply = self.runner.student(call)
        request.node.stash[_OUTPUT] = reply.output
        if reply.status != "ok":
            function = call.probe.rsplit(":", 1)[1]
            check_id = self._check_id(request.node)
            status, message = failure_text(reply, function, check_id, f"{call.module}.py")
            request.node.stash[_STATUS] = status
            raise CheckFailed(message)
        result = Result(reply.data, reply.arrays)
        self.evidence[self._check_id(request.node)]["got"] = result
        return result

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = (yield).get_result()
        if report.when == "teardown" or (report.when == "setup" and report.passed):
            return
        check_id = self._check_id(item)
        name = _(f"check.{check_id}.name")
        points = self.points[check_id]
        outcome = Outcome(check_id, name, 0.0, points, "failed", output=item.stash.get(_OUTPUT, ""))
        error = call.excinfo.value if call.excinfo is not None else None
        if report.passed:
            outcome.points, outcome.status = points, "passed"
        elif isinstance(error, AssertionError):
            outcome.status = item.stash.get(_STATUS, "failed")
            outcome.message = str(error)
        elif isinstance(error, ReferenceBroken):
            outcome.status, outcome.message = "error", str(error)
        else:
            outcome.message = _("check.unchecked", error=f"{type(error).__name__}: {error}")
        self.outcomes[check_id] = outcome


_STATUS = pytest.StashKey[str]()
_OUTPUT = pytest.StashKey[str]()
