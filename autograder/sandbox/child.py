"""What a child does once isolated: take fds 0-3, run one probe, write one reply.

The reply pipe and the functions that write the reply are bound before any submission code
runs, so that closing fds, replacing sys.stdout or monkeypatching os, json or numpy cannot
redirect or forge the channel (a child can still only claim a result it could compute).
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Callable
from typing import NoReturn

import numpy as np

from autograder.sandbox import protocol

REPLY_FD = 3  # the child's end of its reply pipe, after redirect
SETUP_FAILED = 70  # exit status of a child whose isolation could not be set up
REPLY_LOST = 71  # exit status of a child whose reply pipe was closed or replaced
ALL_FDS = 1 << 30
_MESSAGE_CHARS = 2000
_TRACEBACK_CHARS = 8000
INPUT_NOTE = "grader_input"  # set on an exception by a probe: the case it was running


def failure(kind: str, message: str) -> dict:
    """The `error` of a reply for a timeout, crash or protocol violation."""
    return {"type": kind, "message": message, "traceback": "", "input": ""}


def redirect(reply_w: int, output_w: int) -> None:
    """stdin from /dev/null, stdout and stderr to the capture, the reply pipe on REPLY_FD."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_w, 1)
    os.dup2(output_w, 2)
    os.dup2(reply_w, REPLY_FD)
    os.closerange(REPLY_FD + 1, ALL_FDS)


def _bounded(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - 2 * half} characters omitted ...]\n{text[-half:]}"


def _safe_text(render: Callable[[], str], limit: int) -> str:
    try:
        text = render()
        return _bounded(text, limit) if type(text) is str else "<not a string>"
    except BaseException as exc:
        return f"<unprintable: {type(exc).__name__}>"


def error_reply(exc: BaseException) -> dict:
    """Type name, bounded message and traceback: str() of an exception may raise or be huge."""
    try:  # the class's own name, even if a metaclass overrides __name__
        kind = type.__dict__["__name__"].__get__(type(exc))
    except BaseException:
        kind = "BaseException"
    message = _safe_text(lambda: str(exc), _MESSAGE_CHARS)
    trace = _safe_text(
        lambda: "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-40)),
        _TRACEBACK_CHARS,
    )
    # the input a probe was trying when the student's function raised (see probes.common)
    given = _safe_text(lambda: object.__getattribute__(exc, "__dict__").get(INPUT_NOTE, ""), 300)
    error = {"type": kind, "message": message, "traceback": trace, "input": given}
    return {"status": "error", "error": error}


def run_probe(probe: str, args: dict, package: str, limits: dict) -> NoReturn:
    """Call the probe, write exactly one reply frame on REPLY_FD and exit.

    What the reply needs is bound before submission code runs, so that closing fds,
    replacing sys.stdout or monkeypatching os, json or numpy cannot redirect it.
    """
    encode, write_all, fstat, exit_ = protocol.encode, protocol.write_all, os.fstat, os._exit
    ndarray = np.ndarray
    sizes = {"max_json": limits["max_json"], "max_arrays": limits["max_arrays"]}
    channel = fstat(REPLY_FD)
    channel = (channel.st_dev, channel.st_ino)
    fallback = encode(
        {"status": "error", "error": failure("ReplyError", "the child could not encode its reply")}
    )
    streams = _fresh_stdio()
    sys.argv = [""]
    sys.path.insert(0, package)
    importlib.invalidate_caches()
    try:
        module, _, name = probe.partition(":")
        result = getattr(importlib.import_module(module), name)(**args)
        if not isinstance(result, dict):
            raise TypeError(f"probe {probe} returned a {type(result).__name__}, not a dict")
        data = {key: value for key, value in result.items() if not isinstance(value, ndarray)}
        arrays = {key: value for key, value in result.items() if isinstance(value, ndarray)}
        frame = encode({"status": "ok", "data": data}, arrays, **sizes)
    except BaseException as exc:
        try:
            frame = encode(error_reply(exc), **sizes)
        except BaseException:
            frame = fallback
    for stream in streams:
        try:  # noqa: SIM105 (contextlib may be monkeypatched by now; try is not)
            stream.flush()
        except BaseException:
            pass
    try:
        now = fstat(REPLY_FD)
        if (now.st_dev, now.st_ino) != channel:
            exit_(REPLY_LOST)
        write_all(REPLY_FD, frame)
    except BaseException:
        exit_(REPLY_LOST)
    exit_(0)


def _fresh_stdio() -> tuple:
    """Line-buffered sys.stdout and sys.stderr on fds 1 and 2; returns every stream to flush."""
    options = {"encoding": "utf-8", "errors": "backslashreplace", "buffering": 1, "closefd": False}
    sys.stdout = open(1, "w", **options)  # noqa: SIM115 (open until the child exits)
    sys.stderr = open(2, "w", **options)  # noqa: SIM115
    return sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__
