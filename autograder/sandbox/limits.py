"""The limits of a sandboxed child: what it may use, and the one rule for how long it runs.

A probe's time limit is its check's `timeout` (or the Sandbox's default), capped by the
grader's `--timeout`. This module alone turns time limits into what a child gets: the wall
clock that the zygote enforces and, a second more, the CPU seconds of RLIMIT_CPU (so that
the wall clock always fires first). A probe whose limit reaches ALONE_FROM seconds (training)
runs in a child of its own; a group of probes run one after another in one child gets
GROUP_FACTOR times the limit of its slowest probe.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from autograder.sandbox import protocol

DEFAULT_WALL = 20.0  # seconds: the time limit of a probe whose check sets none
ALONE_FROM = 60.0  # seconds: probes with a longer time limit get a child of their own
GROUP_FACTOR = 1.5


@dataclass(frozen=True)
class Limits:
    """Resource limits of every child, and the time limit of a call that sets none."""

    address_space: int = 2 << 30
    file_size: int = 64 << 20
    processes: int = 64
    wall_seconds: float = DEFAULT_WALL
    output_excerpt: int = 8192
    tmpfs_size: int = 256 << 20  # each of the child's private /tmp and /dev/shm
    max_json: int = protocol.MAX_JSON  # of a reply's JSON header, and of a call's arguments
    max_arrays: int = protocol.MAX_ARRAYS  # of a reply's .npz part


def cpu_seconds(wall: float) -> int:
    """RLIMIT_CPU of a child whose wall-clock limit is `wall` seconds."""
    return max(1, math.ceil(wall) + 1)


def runs_alone(wall: float) -> bool:
    """A probe this long (training) gets a child of its own, to run beside the others."""
    return wall >= ALONE_FROM


def group_wall(walls: Iterable[float]) -> float:
    """The wall-clock limit of probes run one after another in one child: room for the
    slowest and then some. A group that runs out is run again, a probe per child."""
    return GROUP_FACTOR * max(walls)
