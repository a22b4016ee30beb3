"""The limits of a sandboxed child: what it may use, and the one rule for how long it runs.

A probe may run FACTOR times as long as the same probe took on the reference on this machine
(the expected values keep that time), and at least FLOOR seconds, never more than its check's
`timeout` (or the Sandbox's default) capped by the grader's `--timeout`; while the reference's
time is unknown (it is computed in the same run), that timeout itself. So an endless loop
costs seconds, not minutes. This module alone turns time limits into what a child gets: the
wall clock that the zygote enforces and, a second more, the CPU seconds of RLIMIT_CPU (so that
the wall clock always fires first). A probe whose check allows ALONE_FROM seconds (training)
runs in a child of its own; a group of probes run one after another in one child gets
GROUP_FACTOR times the limit of its slowest probe, or SUM_FACTOR times their reference's time
together (their noise evens out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from autograder.sandbox import protocol

try:
    import resource
except ImportError:  # Windows has no rlimits
    resource = None

DEFAULT_WALL = 20.0  # seconds: the time limit of a probe whose check sets none
FACTOR = 10.0  # a probe may take this many times the reference's own time
FLOOR = 2.0  # seconds: but never less than this
ALONE_FROM = 60.0  # seconds: probes of checks that allow this long get a child of their own
GROUP_FACTOR = 1.5
SUM_FACTOR = 2.0  # a group may take this many times its probes' reference time together


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


def time_limit(timeout: float, reference_seconds: float | None) -> float:
    """Seconds a probe may run: FACTOR times what the reference took, at least FLOOR, at most
    `timeout` (its check's, capped by --timeout); `timeout` while the reference's is unknown."""
    if reference_seconds is None:
        return timeout
    return min(timeout, max(FLOOR, _tenths(FACTOR * reference_seconds)))


def _tenths(seconds: float) -> float:
    """Rounded up to a tenth of a second, to read well in a message."""
    return math.ceil(round(seconds * 10, 6)) / 10


def cpu_seconds(wall: float) -> int:
    """RLIMIT_CPU of a child whose wall-clock limit is `wall` seconds."""
    return max(1, math.ceil(wall) + 1)


def runs_alone(timeout: float) -> bool:
    """A probe whose check allows this long (training) gets a child of its own, to run beside
    the others."""
    return timeout >= ALONE_FROM


def group_wall(walls: list[float], reference_seconds: list[float | None]) -> float:
    """The wall-clock limit of probes run one after another in one child: room for the
    slowest and then some, or, when more, SUM_FACTOR times what they took together on the
    reference (never more than their limits together); a probe alone gets its own limit. A
    group that runs out is run again in smaller groups."""
    if len(walls) == 1:
        return walls[0]
    wall = GROUP_FACTOR * max(walls)
    if None in reference_seconds:
        return wall
    together = _tenths(SUM_FACTOR * sum(reference_seconds))
    return max(wall, min(together, sum(walls)))


def _set_limit(which: int, soft: int, hard: int) -> None:
    current = resource.getrlimit(which)[1]
    if current != resource.RLIM_INFINITY:
        hard = min(hard, current)
    resource.setrlimit(which, (min(soft, hard), hard))


def set_limits(limits: dict, timeout: float, *, portable: bool = False) -> bool:
    """Bound address space, CPU time (from the wall-clock timeout), file size, processes and
    core dumps; False where the system has no rlimits (Windows).

    portable: for a worker that imported torch itself, on a student's computer: its CPU
    seconds so far are added, the process count is left alone (it counts every process of
    the user there), and so is a limit the system refuses or that the process exceeds
    already (macOS maps far more address space than it uses)."""
    if resource is None:
        return False
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = cpu_seconds(timeout) + (math.ceil(used.ru_utime + used.ru_stime) if portable else 0)
    wanted = [
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, limits["file_size"]),
        (resource.RLIMIT_CORE, 0),
    ]
    if not portable:
        wanted += [(resource.RLIMIT_AS, limits["address_space"])]
        wanted += [(resource.RLIMIT_NPROC, limits["processes"])]
    elif _address_space() < limits["address_space"]:
        wanted += [(resource.RLIMIT_AS, limits["address_space"])]
    for which, value in wanted:
        hard = value + 1 if which == resource.RLIMIT_CPU else value
        try:
            _set_limit(which, value, hard)
        except (OSError, ValueError):
            if not portable:
                raise
    return True


def _address_space() -> int:
    import psutil

    return psutil.Process().memory_info().vms
