"""Run a submission's probe calls in the sandbox, and the reference's in a trusted sandbox.

The submission's calls go out in probe groups, one child per part (training probes in
children of their own); a group that crashes or times out is split (the probe it was running
alone, the others together) and run again, so that a fault costs only the checks it breaks.
Each probe's time limit follows what the same probe took on the reference (sandbox/limits.py).
The reference's results come from the store when it has them, else from a trusted sandbox,
and are kept for the next time.
"""

from __future__ import annotations

import dataclasses
import queue
import re
import threading
from typing import TYPE_CHECKING

from autograder.grading.reference import ReferenceStore
from autograder.i18n import _
from autograder.sandbox.client import Reply, Sandbox
from autograder.sandbox.limits import Limits, group_wall, runs_alone, time_limit
from autograder.sandbox.protocol import PROBE_MARK
from autograder.sandbox.replies import stopped, timed_out
from autograder.sandbox.warmup import GROUP

if TYPE_CHECKING:
    from autograder.grading.plugin import ProbeCall

PRELOAD = ("numpy", "numpy.random", "torch", "torch.nn", "torch.utils.data")


class ProbeRunner:
    """Runs every probe call on the submission and on the reference, in the background.

    The submission's zygote starts (importing torch) as soon as the runner is created, while
    pytest starts and collects the checks; the calls go out as soon as they are known.
    """

    def __init__(
        self, sandbox: Sandbox, subfolder: str, store: ReferenceStore, limits: Limits
    ) -> None:
        self.sandbox = sandbox
        self.subfolder = subfolder
        self.store = store
        self.limits = limits
        self.errors: list[str] = []
        self._student: dict[str, Reply] = {}
        self._reference: dict[str, Reply] = {}
        self._student_calls: queue.Queue[list[ProbeCall]] = queue.Queue()
        self._submitted = False
        self._student_done = threading.Event()
        self._reference_done = threading.Event()
        threading.Thread(target=self._run_student, daemon=True).start()

    def submit(self, calls: list[ProbeCall], reference_calls: list[ProbeCall]) -> None:
        """Send the calls out (once: a runner whose calls were sent ahead ignores the rest)."""
        if self._submitted:
            return
        self._submitted = True
        self._student_calls.put(calls)
        threading.Thread(target=self._run_reference, args=(reference_calls,), daemon=True).start()

    def _run_student(self) -> None:
        """One child per part runs that part's probes, training probes alone (in mode
        "portable", where a child costs an import of torch, all short probes in one child);
        when a child crashes or times out, the probe it was running is run again alone and
        the others together, so that the fault costs only the checks it breaks."""
        try:
            calls = self._student_calls.get()
            seconds = self.store.seconds()
            wall = {c.key: time_limit(c.timeout, seconds.get(c.key)) for c in calls}
            groups = _groups(calls, coarse=self.sandbox.isolation == "portable")
            while groups:
                replies = self.sandbox.run_many(
                    [
                        (
                            GROUP,
                            {"calls": [[c.probe, c.args] for c in group]},
                            group_wall(
                                [wall[c.key] for c in group], [seconds.get(c.key) for c in group]
                            ),
                        )
                        for group in groups
                    ],
                    subfolder=self.subfolder,
                )
                retry = []
                for group, reply in zip(groups, replies, strict=True):
                    if reply.status == "ok":
                        self._student.update(_ungroup(group, reply))
                    elif len(group) == 1:
                        output = _outputs(reply.output).get(0, reply.output)
                        self._student[group[0].key] = dataclasses.replace(reply, output=output)
                    elif (ran_out := _ran_out(group, reply, wall)) is not None:
                        index, self._student[group[index].key] = ran_out
                        retry.append(group[:index] + group[index + 1 :])
                    else:
                        retry += _split(group, reply)
                groups = retry
        except Exception as error:  # noqa: BLE001 - reported, never lost
            self.errors.append(_("grader.sandbox_failed", error=f"{type(error).__name__}: {error}"))
        finally:
            self._student_done.set()

    def _run_reference(self, calls: list[ProbeCall]) -> None:
        try:
            stored = self.store.load()
            missing = [call for call in calls if call.key not in stored]
            if missing:
                computed, seconds = self._compute_reference(missing)
                stored.update(computed)
                self.store.save(stored, {**self.store.seconds(), **seconds})
            self._reference = {call.key: _ok_reply(*stored[call.key]) for call in calls}
        except Exception as error:  # noqa: BLE001 - reported, never lost
            self.errors.append(_("grader.reference_failed", error=str(error)))
        finally:
            self._reference_done.set()

    def _compute_reference(
        self, calls: list[ProbeCall]
    ) -> tuple[dict[str, tuple[dict, dict]], dict[str, float]]:
        if self.store.solutions is None:
            raise RuntimeError("no expected values for these checks and no solutions/")
        package_root = self.store.solutions.parent
        with Sandbox(package_root, trusted=True, limits=self.limits, preload=PRELOAD) as box:
            replies = box.run_many(
                [
                    (c.probe, {**c.args, "diagnose": True} if c.diagnose else c.args, c.timeout)
                    for c in calls
                ]
            )
        computed, seconds = {}, {}
        for call, reply in zip(calls, replies, strict=True):
            if reply.status != "ok":
                raise RuntimeError(f"{call.probe} failed on the reference: {reply.error}")
            computed[call.key] = (reply.data, reply.arrays)
            seconds[call.key] = reply.seconds
        return computed, seconds

    def wait(self) -> None:
        """Let the submission's calls finish (or never start) before the next submission."""
        self._submitted = True
        self._student_calls.put([])
        self._student_done.wait()

    def student(self, call: ProbeCall) -> Reply:
        self._student_done.wait()
        return self._student.get(call.key) or _failed_reply("; ".join(self.errors))

    def reference(self, call: ProbeCall) -> Reply:
        self._reference_done.wait()
        return self._reference.get(call.key) or _failed_reply("; ".join(self.errors))


def _groups(calls: list[ProbeCall], coarse: bool = False) -> list[list[ProbeCall]]:
    """The calls grouped by part (or all in one group when `coarse`), training calls alone;
    the groups with the longest limits first."""
    groups: dict[str, list[ProbeCall]] = {}
    for call in calls:
        name = call.key if runs_alone(call.timeout) else "all" if coarse else call.module
        groups.setdefault(name, []).append(call)
    return sorted(groups.values(), key=lambda group: (-max(c.timeout for c in group), -len(group)))


def _split(group: list[ProbeCall], reply: Reply) -> list[list[ProbeCall]]:
    """A group that failed: the probe it was running (the last whose marker it printed)
    alone and the others together; when that is unknown, a part per group, or a probe per
    group if it held one part."""
    started = _outputs(reply.output)
    if started and max(started) < len(group):
        culprit = max(started)
        return [group[:culprit] + group[culprit + 1 :], [group[culprit]]]
    by_part: dict[str, list[ProbeCall]] = {}
    for call in group:
        by_part.setdefault(call.module, []).append(call)
    return list(by_part.values()) if len(by_part) > 1 else [[call] for call in group]


_MARK = re.compile(re.escape(PROBE_MARK) + r"(\d+) ([\d.]+)\n")


def _outputs(text: str) -> dict[int, str]:
    """A group's printed output, split at the markers before each probe. (A marker lost in
    the middle of a long output leaves that probe's share unknown: empty.)"""
    pieces = _MARK.split(text)
    return {int(index): piece for index, piece in zip(pieces[1::3], pieces[3::3], strict=True)}


def _ran_out(
    group: list[ProbeCall], reply: Reply, wall: dict[str, float]
) -> tuple[int, Reply] | None:
    """When a group timed out in a probe that had run its own whole limit by then: its index
    and its timeout (it need not run again); else None."""
    starts = {int(index): float(at) for index, at in _MARK.findall(reply.output)}
    if reply.status != "timeout" or not starts or max(starts) >= len(group):
        return None
    index = max(starts)
    limit = wall[group[index].key]
    if reply.seconds - starts[index] < limit:
        return None
    error = stopped("timeout", timed_out(limit))
    output = _outputs(reply.output).get(index, "")
    return index, Reply(
        "timeout", error=error, output=output, seconds=reply.seconds - starts[index]
    )


def _ungroup(group: list[ProbeCall], reply: Reply) -> dict[str, Reply]:
    """Split a group's reply into one reply per call."""
    replies = {}
    outputs = _outputs(reply.output)
    for index, call in enumerate(group):
        prefix = f"{index}|"
        data = {k[len(prefix) :]: v for k, v in reply.data.items() if k.startswith(prefix)}
        arrays = {k[len(prefix) :]: v for k, v in reply.arrays.items() if k.startswith(prefix)}
        output = outputs.get(index, "")
        error = data.pop("!error", None)
        status = "ok" if error is None else "error"
        replies[call.key] = Reply(
            status=status,
            data=data,
            arrays=arrays,
            error=error,
            output=output,
            seconds=reply.seconds,
        )
    return replies


def _ok_reply(data: dict, arrays: dict) -> Reply:
    return Reply(status="ok", data=data, arrays=arrays, error=None, output="", seconds=0.0)


def _failed_reply(reason: str) -> Reply:
    return Reply(
        status="crashed", data={}, arrays={}, error=reason or "no answer", output="", seconds=0.0
    )
