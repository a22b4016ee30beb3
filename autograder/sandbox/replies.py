"""What the zygote makes of a finished child: the excerpt of its output, its reply checked,
and how it ended, in words that the grader passes on to the student."""

from __future__ import annotations

import signal

import numpy as np

from autograder.sandbox import protocol
from autograder.sandbox.child import REPLY_LOST, SETUP_FAILED, failure

TIMEOUT = "no answer within {seconds:g} s, so it was stopped"


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
        and set(error) == {"type", "message", "traceback"}
        and all(isinstance(value, str) for value in error.values())
    ):
        return
    raise protocol.ProtocolError("the reply is neither a result nor an error")


def describe(code: int) -> str:
    """How a child ended, from its exit code (negative: the signal that killed it)."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = {"SIGXCPU": " (CPU time limit)", "SIGXFSZ": " (file size limit)"}.get(name, "")
        return f"it was killed by {name}{hint}"
    if code == SETUP_FAILED:
        return f"it exited with status {code}: the sandbox could not be set up (see output)"
    if code == REPLY_LOST:
        return f"it exited with status {code}: its reply pipe was closed or replaced"
    return f"it exited with status {code} without answering"


def judge(
    reply: bytes, code: int, stopped: str | None, timeout: float, limits: dict
) -> tuple[dict, dict[str, np.ndarray]]:
    """The status, data and error of a finished child, and its arrays, from the bytes it
    wrote on its reply pipe, its exit code, and why it was stopped, if it was: "timeout",
    "overflow" (its reply grew too large) or "memory" (it used more than its address space)."""
    max_reply = protocol.PREFIX_SIZE + limits["max_json"] + limits["max_arrays"]
    reasons = {
        "timeout": TIMEOUT.format(seconds=timeout),
        "overflow": f"the reply is larger than {max_reply} bytes",
        "memory": f"it used more than {limits['address_space'] >> 20} MB of memory, "
        "so it was stopped",
    }
    kinds = {"timeout": "timeout", "overflow": "protocol", "memory": "crashed"}
    if stopped is not None:
        return _failed(kinds[stopped], reasons[stopped]), {}
    if not reply:
        return _failed("crashed", describe(code)), {}
    try:
        answer, arrays = protocol.decode(
            reply, max_json=limits["max_json"], max_arrays=limits["max_arrays"]
        )
        check_reply(answer, arrays)
    except protocol.ProtocolError as exc:
        return _failed("protocol", f"a malformed answer: {exc}"), {}
    if code != 0:
        return _failed("crashed", f"it answered, but then {describe(code)}"), {}
    return {"status": "ok", "data": {}, "error": None, **answer}, arrays


def _failed(status: str, reason: str) -> dict:
    return {"status": status, "data": {}, "error": failure(status, reason)}
