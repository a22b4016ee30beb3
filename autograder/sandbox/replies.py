"""What the zygote makes of a finished child: the excerpt of its output, its reply checked,
and how it ended: a reason that the grading side puts into the student's words."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from typing import Any

from autograder.sandbox import isolation, protocol
from autograder.sandbox.child import REPLY_LOST, failure


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


def describe(status: int) -> Reason:
    """How a child that gave no answer ended, from its wait status."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        if name in ("SIGXCPU", "SIGXFSZ"):
            limit = "cpu" if name == "SIGXCPU" else "file_size"
            return Reason(f"sandbox.killed_{limit}", f"it was killed by {name}", {"signal": name})
        return Reason("sandbox.killed", f"it was killed by {name}", {"signal": name})
    code = os.waitstatus_to_exitcode(status)
    if code == isolation.SETUP_FAILED:
        log = f"it exited with status {code}: the sandbox could not be set up (see output)"
        return Reason("sandbox.setup_failed", log, {"code": code})
    if code == REPLY_LOST:
        log = f"it exited with status {code}: its reply pipe was closed or replaced"
        return Reason("sandbox.reply_lost", log, {"code": code})
    return Reason(
        "sandbox.exited", f"it exited with status {code} without answering", {"code": code}
    )


def grader_stopped(detail: str) -> Reason:
    """The sandbox itself failed (not the submission): `detail` says how, for the logs."""
    return Reason("sandbox.grader_stopped", detail, {"detail": detail})
