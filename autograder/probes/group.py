"""Run a probe group: several probes of one part in one child, as if each had its own.

Forking a sandboxed child costs more than most probes; running a part's probes together
saves most of it. Each probe gets a fresh import of the student's modules (stand-ins of one
probe never reach the next), PyTorch and matplotlib set back to their defaults, its own
errors and its own share of the printed output. A crash or a timeout of the whole group is
handled by the grader, which then runs the probes one child each.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from typing import Any

import torch

from autograder.sandbox.child import error_reply
from autograder.sandbox.protocol import PROBE_MARK as MARK

from .common import PACKAGE


def run(calls: list[list[Any]]) -> dict[str, Any]:
    """Call each [probe, args]; results are keyed "<index>|<key>", errors "<index>|!error".

    Before each probe a marker line (MARK, its index, the seconds since the group began) goes
    to stdout, so that the grader can tell whose printed output is whose, and which probe ran
    out of time."""
    out: dict[str, Any] = {}
    began = time.monotonic()
    for index, (probe, args) in enumerate(calls):
        _fresh_state()
        _flush()
        os.write(1, f"{MARK}{index} {time.monotonic() - began:.3f}\n".encode())
        try:
            module, _, name = probe.partition(":")
            result = getattr(importlib.import_module(module), name)(**args)
            out.update({f"{index}|{key}": value for key, value in result.items()})
        except BaseException as exc:  # noqa: BLE001 - SystemExit of student code too
            out[f"{index}|!error"] = error_reply(exc)["error"]
    _flush()
    return out


def _fresh_state() -> None:
    """Forget the student's modules and reset what a previous probe may have changed."""
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 - the student may have replaced or closed the stream
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass
