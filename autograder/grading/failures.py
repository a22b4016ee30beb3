"""What a student reads when a probe gave no result: not started, an error in their code (with
the input being tried and the calls that led there), an import that failed, a timeout, a
crash, a garbled answer. Everything that comes from a child is data here, never trusted to
be well formed: a message is made from it or the report says less."""

from __future__ import annotations

import re
from typing import Any

from autograder.grading.expect import call_text
from autograder.i18n import _, from_data
from autograder.sandbox.client import Reply

NOT_STARTED, FAILED = "not started", "failed"
_STUDENT_FRAME = re.compile(r'File ".*?intro_pytorch/(\w+\.py)", line (\d+), in (\w+)')
_DETAIL = 2000  # characters of an error message kept in the feedback (as the child keeps)


def where_text(traceback: str) -> str:
    """Where in the student's code an error was raised, through the calls that led there:
    "`fit → train`, line 62 of part5_training.py"."""
    frames = _STUDENT_FRAME.findall(traceback)
    if not frames:
        return ""
    path = " → ".join(frame[2] for frame in frames)
    file, line = frames[-1][:2]
    return _("failure.where", path=path, line=line, file=file)


def _code(text: Any) -> str:
    """A message of Python or PyTorch, quoted as it is (backticks inside made harmless)."""
    text = str(text).replace("`", "'").replace("\n", " ")
    return text if len(text) <= _DETAIL else text[:_DETAIL] + "…"


def failure_text(reply: Reply, function: str, task: str, file: str) -> tuple[str, str]:
    """(status, message) for a probe of check `task` (in `file`) that gave no result."""
    error = reply.error if isinstance(reply.error, dict) else {"message": str(reply.error)}
    kind, message = str(error.get("type", "")), error.get("message", "")
    if reply.status == "error" and kind == "NotImplementedError":
        return NOT_STARTED, _("failure.not_started", function=function, task=task, file=file)
    if reply.status == "error" and kind == "ImportFailed":
        return FAILED, from_data(message) or _("failure.import", error=_code(message))
    if reply.status == "error":
        call = call_text(function, error.get("input"))
        where = where_text(str(error.get("traceback", "")))
        values = {"call": call, "error": _code(kind), "message": _code(message)}
        if where:
            return FAILED, _("failure.raised_in", where=where, **values)
        return FAILED, _("failure.raised", **values)
    reason = from_data(error.get("reason")) or _("failure.no_reason")
    call = call_text(function, None)
    if reply.status == "timeout":
        return FAILED, _("failure.timeout", call=call, reason=reason)
    if reply.status == "crashed":
        return FAILED, _("failure.crashed", call=call, reason=reason)
    return FAILED, _("failure.garbled", call=call, reason=reason)
