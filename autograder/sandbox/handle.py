"""The grader's handle to one zygote process: start it, wait until it is ready, send it run
requests, and hand each reply to the request that waits for it."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from autograder.kit import KIT_ROOT
from autograder.sandbox import protocol
from autograder.sandbox.replies import grader_stopped, relay_limits, stopped

STATUSES = ("ok", "error", "timeout", "crashed", "protocol")
_START_TIMEOUT = 120.0
_GRACE = 10.0  # how much longer than a request's own timeout the grader waits for the zygote
_CLOSE_TIMEOUT = 5.0
_ROOT = KIT_ROOT  # the folder holding the autograder package


def zygote_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": "C.UTF-8",
        "HOME": "/tmp",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def python_command(module: str, *args: str) -> list[str]:
    # -s: with HOME=/tmp, a user site-packages would be a folder anyone can create.
    return [sys.executable, "-s", "-m", module, *args]


class SandboxError(RuntimeError):
    """The sandbox cannot work: a forced mode is unavailable or the zygote does not start."""


@dataclass
class Reply:
    """What one probe call gave back.

    `error` is {"type", "message", "traceback", "input"}: the exception raised in the probe
    or the submission, and the input the probe was trying, for status "error"; for
    "timeout", "crashed" and "protocol" its type is the status and its message a readable
    explanation.
    """

    status: str
    data: dict = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    error: dict | None = None
    output: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class ZygoteGone(Exception):
    """The zygote died before the request could be sent."""


class Request:
    """One run request in flight, until its reply (or a failure) is handed to it."""

    def __init__(
        self, zygote: ZygoteHandle, number: int, timeout: float, release: Callable
    ) -> None:
        self.zygote = zygote
        self.id = number
        self.deadline = time.monotonic() + timeout + _GRACE
        self.event = threading.Event()
        self.reply: Reply | None = None
        self._release = release

    def finish(self, reply: Reply) -> None:
        """Called once, by whoever removed the request from its zygote's pending table."""
        self.reply = reply
        self._release()
        self.event.set()


class ZygoteHandle:
    """One zygote process and, once it is ready, the thread that reads its replies."""

    def __init__(self, config: dict, prefix: list[str], extra_fds: tuple[int, ...]) -> None:
        cmd_r, self._cmd_w = os.pipe()
        self._reply_r, reply_w = os.pipe()
        config = {**config, "cmd_fd": cmd_r, "reply_fd": reply_w}
        self._limits = relay_limits(config["limits"])
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the zygote)
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pending: dict[int, Request] = {}
        self._count = 0
        self._thread: threading.Thread | None = None
        self._released = False
        self._started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                prefix + python_command("autograder.sandbox.zygote", json.dumps(config)),
                cwd=_ROOT,
                env=zygote_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                pass_fds=(cmd_r, reply_w, *extra_fds),
                start_new_session=True,
            )
        except OSError as exc:
            self._release_files()
            raise SandboxError(f"cannot start the sandbox's zygote: {exc}") from None
        finally:
            os.close(cmd_r)
            os.close(reply_w)
        self.alive = True
        self.info: dict = {"pid": self.proc.pid}

    def wait_ready(self) -> None:
        """Wait for the zygote's first message (it has imported everything), once."""
        if self._thread is not None:
            return
        try:
            if not select.select([self._reply_r], [], [], _START_TIMEOUT)[0]:
                raise SandboxError(f"no sign of life within {_START_TIMEOUT:g} s")
            header, _ = protocol.read_message(self._reply_r)
            if header.get("ready") is not True:
                raise protocol.ProtocolError(f"unexpected first message {header!r}")
        except (EOFError, protocol.ProtocolError, SandboxError) as exc:
            log = self._log()
            self.close()
            raise SandboxError(f"the sandbox's zygote did not start ({exc}):\n{log}") from None
        self.info["start_seconds"] = time.monotonic() - self._started
        self.info["probe_errors"] = header.get("probe_errors", {})
        self._thread = threading.Thread(target=self._read_replies, name="sandbox", daemon=True)
        self._thread.start()

    def _log(self, size: int = 4000) -> str:
        """The end of the zygote's own stderr."""
        try:
            self._stderr.seek(max(0, self._stderr.seek(0, os.SEEK_END) - size))
            return self._stderr.read().decode(errors="replace")
        except (OSError, ValueError):
            return ""

    def _read_replies(self) -> None:
        while True:
            try:
                header, arrays = protocol.read_message(self._reply_r, **self._limits)
                reply = _to_reply(header, arrays)
            except (EOFError, OSError, protocol.ProtocolError) as exc:
                self.abort(f"the sandbox's zygote stopped ({exc}); it restarts on the next call")
                return
            with self._lock:
                request = self._pending.pop(header.get("id"), None)
            if request is not None:
                request.finish(reply)

    def submit(
        self, probe: str, args: dict, timeout: float, release: Callable, subfolder: str | None
    ) -> Request:
        """Send one run request; raise ZygoteGone if this zygote is already dead."""
        with self._lock:
            if not self.alive:
                raise ZygoteGone
            self._count += 1
            request = Request(self, self._count, timeout, release)
            self._pending[request.id] = request
        command = {
            "op": "run",
            "id": request.id,
            "probe": probe,
            "args": args,
            "timeout": timeout,
            "subfolder": subfolder,
        }
        try:
            with self._write_lock:
                protocol.write_message(self._cmd_w, command, max_json=self._limits["max_json"])
        except OSError as exc:
            self.abort(f"cannot reach the sandbox's zygote: {exc}")
        return request

    def abort(self, reason: str) -> None:
        """Kill the zygote (and so its children); every request in flight becomes "crashed"."""
        with self._lock:
            self.alive = False
            pending, self._pending = self._pending, {}
        self._kill()
        for request in pending.values():
            request.finish(Reply("crashed", error=stopped("crashed", grader_stopped(reason))))

    def _kill(self) -> None:
        if self.proc.poll() is None:  # once reaped, its group id may belong to someone else
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def close(self) -> None:
        """Let the zygote finish (it kills its children), then release everything (once)."""
        with self._lock:
            self.alive = False
            if self._released:
                return
        self._close_fd("_cmd_w")
        try:
            # A zygote still importing would notice the closed pipe only afterwards.
            self.proc.wait(timeout=_CLOSE_TIMEOUT if self._thread else 0)
        except subprocess.TimeoutExpired:
            self._kill()
        if self._thread is not None:
            self._thread.join(_CLOSE_TIMEOUT)
        self.abort("the sandbox was closed")
        self._release_files()

    def _release_files(self) -> None:
        self._released = True
        self._close_fd("_reply_r")
        self._close_fd("_cmd_w")
        self._stderr.close()

    def _close_fd(self, name: str) -> None:
        """Close an fd of ours once: closing a number twice could close someone else's file."""
        fd, value = getattr(self, name), -1
        setattr(self, name, value)
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)


def _to_reply(header: dict, arrays: dict[str, np.ndarray]) -> Reply:
    status = header.get("status")
    if status not in STATUSES or not isinstance(header.get("data"), dict):
        raise protocol.ProtocolError(f"malformed relay from the zygote: {sorted(header)}")
    return Reply(
        status=status,
        data=header["data"],
        arrays=arrays,
        error=header.get("error"),
        output=str(header.get("output", "")),
        seconds=float(header.get("seconds", 0.0)),
    )
