"""What the zygote makes of a finished child: the excerpt of its output, its reply checked,
and how it ended, in words that the grader passes on to the student."""

from __future__ import annotations

import os
import signal

from autograder.sandbox import isolation, protocol
from autograder.sandbox.child import REPLY_LOST


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


def describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        hint = {"SIGXCPU": " (CPU time limit)", "SIGXFSZ": " (file size limit)"}.get(name, "")
        return f"it was killed by {name}{hint}"
    code = os.waitstatus_to_exitcode(status)
    if code == isolation.SETUP_FAILED:
        return f"it exited with status {code}: the sandbox could not be set up (see output)"
    if code == REPLY_LOST:
        return f"it exited with status {code}: its reply pipe was closed or replaced"
    return f"it exited with status {code} without answering"
