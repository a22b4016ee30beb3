"""What the zygote makes of a finished child: the excerpt of its output, its reply checked,
and how it ended: a reason that the grading side puts into the student's words."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.sandbox import protocol
from autograder.sandbox.child import REPLY_LOST, SETUP_FAILED, failure


@dataclass(frozen=True)
class Reason:
    """Why a child gave no answer: a message id of the catalogs with its values (for the
    student, see autograder/i18n.py), and the same in plain English for the logs."""

    id: str
    log: str
    values: dict[str, Any] = field(default_factory=dict)


def stopped(kind: str, reason: Reason) -> dict:
    """The `error` of a reply for a timeout, crash or protocol violation, with its reason."""
    return {**failure(kind, reason.log), "reason": {"id": reason.id, "values": reason.values}}


def timed_out(seconds: float) -> Reason:
    """A child that gave no answer within its wall-clock limit."""
    log = f"no answer within {seconds:g} s, so it was stopped"
    return Reason("sandbox.timeout", log, {"seconds": f"{seconds:g}"})


def relay_limits(limits: dict) -> dict[str, int]:
    """Size limits of a zygote-to-grader frame: a child's reply plus request metadata."""
    margin = (1 << 20) + 8 * limits["output_excerpt"]
    return {"max_json": limits["max_json"] + margin, "max_arrays": limits["max_arrays"] + margin}


class Excerpt:
    """The first and last bytes of a stream of any length."""

    def __init__(self, size: int) -> None:
        self.head_size = size // 2
        self.tail_size = size - self.head_size
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.head_size - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            del self.tail[: max(0, len(self.tail) - self.tail_size)]

    def text(self) -> str:
        omitted = self.total - len(self.head) - len(self.tail)
        middle = f"\n[... {omitted} bytes omitted ...]\n".encode() if omitted else b""
        return (bytes(self.head) + middle + bytes(self.tail)).decode("utf-8", "replace")


# an error reply: the exception's type and message, the traceback, the input being tried
ERROR_FIELDS = {"type", "message", "traceback", "input"}


def check_reply(reply: dict, arrays: dict) -> None:
    status = reply.get("status")
    error = reply.get("error")
    if set(reply) - {"status", "data", "error"}:
        raise protocol.ProtocolError(f"unexpected fields {sorted(set(reply))}")
    if status == "ok" and isinstance(reply.get("data"), dict) and error is None:
        return
    if (
        status == "error"
        and not arrays
        and isinstance(error, dict)
        and set(error) == ERROR_FIELDS
        and all(isinstance(value, str) for value in error.values())
    ):
        return
    raise protocol.ProtocolError("the reply is neither a result nor an error")


def describe(code: int) -> Reason:
    """How a child ended, from its exit code (negative: the signal that killed it)."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        log = f"it was killed by {name}"
        if name in ("SIGXCPU", "SIGXFSZ"):
            limit = "cpu" if name == "SIGXCPU" else "file_size"
            return Reason(f"sandbox.killed_{limit}", log, {"signal": name})
        return Reason("sandbox.killed", log, {"signal": name})
    if code == SETUP_FAILED:
        log = f"it exited with status {code}: the sandbox could not be set up (see output)"
        return Reason("sandbox.setup_failed", log, {"code": code})
    if code == REPLY_LOST:
        log = f"it exited with status {code}: its reply pipe was closed or replaced"
        return Reason("sandbox.reply_lost", log, {"code": code})
    log = f"it exited with status {code} without answering"
    return Reason("sandbox.exited", log, {"code": code})


def grader_stopped(detail: str) -> Reason:
    """The sandbox itself failed (not the submission): `detail` says how, for the logs."""
    return Reason("sandbox.grader_stopped", detail, {"detail": detail})


def judge(
    reply: bytes, code: int, stopped_by: str | None, timeout: float, limits: dict
) -> tuple[dict, dict[str, np.ndarray]]:
    """The status, data and error of a finished child, and its arrays, from the bytes it
    wrote on its reply pipe, its exit code, and why it was stopped, if it was: "timeout",
    "overflow" (its reply grew too large) or "memory" (it used more than its address space)."""
    max_reply = protocol.PREFIX_SIZE + limits["max_json"] + limits["max_arrays"]
    megabytes = limits["address_space"] >> 20
    reasons = {
        "timeout": timed_out(timeout),
        "overflow": Reason(
            "sandbox.too_large", f"the reply is larger than {max_reply} bytes", {"bytes": max_reply}
        ),
        "memory": Reason(
            "sandbox.memory",
            f"it used more than {megabytes} MB of memory, so it was stopped",
            {"megabytes": megabytes},
        ),
    }
    kinds = {"timeout": "timeout", "overflow": "protocol", "memory": "crashed"}
    if stopped_by is not None:
        return _failed(kinds[stopped_by], reasons[stopped_by]), {}
    if not reply:
        return _failed("crashed", describe(code)), {}
    try:
        answer, arrays = protocol.decode(
            reply, max_json=limits["max_json"], max_arrays=limits["max_arrays"]
        )
        check_reply(answer, arrays)
    except protocol.ProtocolError as exc:
        reason = Reason("sandbox.malformed", f"a malformed answer: {exc}", {"error": str(exc)})
        return _failed("protocol", reason), {}
    if code != 0:
        ended = describe(code)
        values = {"reason": ended.id, **ended.values}
        log = f"it answered, but then {ended.log}"
        return _failed("crashed", Reason("sandbox.answered_then", log, values)), {}
    return {"status": "ok", "data": {}, "error": None, **answer}, arrays


def _failed(status: str, reason: Reason) -> dict:
    return {"status": status, "data": {}, "error": stopped(status, reason)}
