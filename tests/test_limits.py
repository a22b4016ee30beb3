"""The one rule for time limits: a multiple of the reference's own time, with a floor, and how
a group that ran out is split up again."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from conftest import SOLUTIONS

from autograder.grading.plugin import ProbeCall
from autograder.grading.reference import ReferenceStore
from autograder.grading.runner import _ran_out, _split
from autograder.sandbox.client import Reply
from autograder.sandbox.limits import FACTOR, FLOOR, GROUP_FACTOR, group_wall, time_limit
from autograder.sandbox.protocol import PROBE_MARK


def test_a_probe_may_take_a_multiple_of_the_reference_with_a_floor() -> None:
    assert time_limit(20.0, None) == 20.0  # the reference's time is not known yet
    assert time_limit(20.0, 0.01) == FLOOR
    assert time_limit(20.0, 0.5) == FACTOR * 0.5
    assert time_limit(20.0, 0.3111) == math.ceil(FACTOR * 3.111) / 10  # up to a tenth
    assert time_limit(3.0, 0.5) == 3.0  # never above the check's timeout (or --timeout)


def test_a_group_gets_room_for_its_slowest_or_for_all_together() -> None:
    assert group_wall([2.5], [0.1]) == 2.5  # alone: its own limit
    assert group_wall([2.0, 3.0], [0.1, 0.2]) == GROUP_FACTOR * 3.0
    assert group_wall([2.0, 3.0], [None, 0.2]) == GROUP_FACTOR * 3.0
    many = group_wall([2.0] * 20, [0.2] * 20)
    assert GROUP_FACTOR * 2.0 < many <= 20 * 2.0


def calls(*modules: str) -> list[ProbeCall]:
    return [
        ProbeCall(f"autograder.probes.{module.split('_')[0]}:f", {"seed": index}, 20.0)
        for index, module in enumerate(modules)
    ]


def test_a_failed_group_runs_the_probe_it_was_running_alone_unless_it_ran_out() -> None:
    group = calls("part1_tensors", "part1_tensors", "part5_training", "part5_training")
    output = "".join(f"{PROBE_MARK}{index} {index / 10}\nprinted {index}\n" for index in range(3))
    culprit = _split(group, Reply("timeout", output=output))
    assert culprit == [[group[0], group[1], group[3]], [group[2]]]
    wall = {call.key: 2.0 for call in group}
    assert _ran_out(group, Reply("timeout", output=output, seconds=2.1), wall) is None
    index, reply = _ran_out(group, Reply("timeout", output=output, seconds=2.2), wall)
    assert (index, reply.status, reply.output) == (2, "timeout", "printed 2\n")
    assert "no answer within 2 s" in reply.error["message"]
    unknown = _split(group, Reply("crashed", output="no markers"))
    assert unknown == [group[:2], group[2:]]  # a part per group
    assert _split(group[:2], Reply("crashed")) == [[group[0]], [group[1]]]


def test_the_store_keeps_the_reference_times_with_the_values(tmp_path: Path) -> None:
    path = tmp_path / "public.npz"
    store = ReferenceStore(path, SOLUTIONS)
    store.save({"a": ({"x": 1}, {"y": np.arange(2)})}, {"a": 0.25, "gone": 1.0})
    again = ReferenceStore(path, SOLUTIONS)
    assert again.seconds() == {"a": 0.25}
    assert again.load()["a"][0] == {"x": 1}
    stale = ReferenceStore(path, SOLUTIONS)
    stale.fingerprint = "another kit"
    assert stale.seconds() == {} and stale.load() == {}
