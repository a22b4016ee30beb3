"""Grader-side sandbox: runs trusted probes on submission code in short-lived isolated workers."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.kit import KIT_ROOT
from autograder.sandbox import isolation, protocol
from autograder.sandbox.child import failure
from autograder.sandbox.permissions import ClosedPaths
from autograder.sandbox.zygote import relay_limits

ENV_MODE = "AUTOGRADER_SANDBOX"  # forces a mode: namespaces, bwrap or none
STATUSES = ("ok", "error", "timeout", "crashed", "protocol")
_SUBFOLDER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_PROBE = re.compile(r"autograder\.probes(?:\.[A-Za-z_]\w*)+:[A-Za-z]\w*")
_ROOT = KIT_ROOT  # the folder holding the autograder package
_START_TIMEOUT = 120.0
_GRACE = 10.0  # how much longer than a request's own timeout the grader waits for the zygote
_CLOSE_TIMEOUT = 5.0


class SandboxError(RuntimeError):
    """The sandbox cannot work: a forced mode is unavailable or the zygote does not start."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of every worker child."""

    address_space: int = 2 << 30
    cpu_seconds: int = 60
    file_size: int = 64 << 20
    processes: int = 64
    wall_seconds: float = 20.0
    output_excerpt: int = 8192
    tmpfs_size: int = 256 << 20  # each of the child's private /tmp and /dev/shm
    max_json: int = protocol.MAX_JSON  # of a reply's JSON header, and of a call's arguments
    max_arrays: int = protocol.MAX_ARRAYS  # of a reply's .npz part


@dataclass
class Reply:
    """What one probe call gave back.

    `error` is {"type", "message", "traceback"}: the exception raised in the probe or the
    submission for status "error"; for "timeout", "crashed" and "protocol" its type is
    the status and its message a readable explanation.
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


def _worker_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": "C.UTF-8",
        "HOME": "/tmp",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _python(module: str, *args: str) -> list[str]:
    # -s: with HOME=/tmp, a user site-packages would be a folder anyone can create.
    return [sys.executable, "-s", "-m", module, *args]


def _library_folders() -> list[str]:
    """Where the interpreter, its libraries and the kit live: the zygote must read them."""
    prefixes = (sys.base_prefix, sys.prefix, sys.base_exec_prefix, sys.exec_prefix)
    folders = {os.path.realpath(p) for p in (*prefixes, *sys.path, _ROOT) if p}
    return sorted(folder for folder in folders if os.path.isdir(folder))


def _bwrap_prefix(bwrap: str, package_fd: int | None, secrets: Sequence[str]) -> list[str]:
    command = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--remount-ro", "/dev"]
    command += ["--proc", "/proc", "--tmpfs", "/tmp"]
    kept = isolation.under_scratch(_library_folders())
    for folder in kept:
        command += ["--ro-bind", folder, folder]  # a kit or venv under /tmp; secrets follow
    if package_fd is not None:
        command += ["--ro-bind-fd", str(package_fd), isolation.PACKAGE_MOUNT]
    for secret in secrets:
        in_scratch = any(Path(secret).is_relative_to(s) for s in isolation.SCRATCH)
        if in_scratch and not any(Path(secret).is_relative_to(k) for k in kept):
            continue  # the fresh /tmp hides it already
        if any(Path(secret).is_relative_to(other) and secret != other for other in secrets):
            continue  # inside a folder hidden already (and its mount point cannot be made)
        if os.path.isdir(secret):
            command += ["--tmpfs", secret, "--remount-ro", secret]
        else:
            command += ["--ro-bind", "/dev/null", secret]
    ids = str(isolation.SANDBOX_ID)
    command += ["--unshare-user", "--uid", ids, "--gid", ids, "--unshare-pid", "--unshare-net"]
    command += ["--unshare-ipc", "--unshare-uts", "--hostname", isolation.HOSTNAME.decode()]
    command += ["--die-with-parent", "--new-session", "--chdir", str(_ROOT), "--"]
    return command


@functools.cache
def unavailable(mode: str) -> str | None:
    """Why sandbox `mode` cannot work on this machine, or None if it does (checked once)."""
    if mode == "none":
        return None
    if mode in ("namespaces", "uid") and os.geteuid() != 0:
        return "it needs root (as another user, use bwrap)"
    command = _python("autograder.sandbox.isolation", mode)
    if mode == "bwrap":
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            return "bwrap is not installed (Debian package bubblewrap)"
        command = _bwrap_prefix(bwrap, None, ()) + command
    try:
        result = subprocess.run(
            command, cwd=_ROOT, env=_worker_env(), capture_output=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if result.returncode == 0:
        return None
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"its check exited with status {result.returncode}"


def _choose_mode(mode: str, trusted: bool) -> str:
    if trusted:
        return "none"
    requested = os.environ.get(ENV_MODE) or mode
    if requested == "auto":
        return next((m for m in ("namespaces", "bwrap", "uid") if unavailable(m) is None), "none")
    if requested not in isolation.MODES:
        raise SandboxError(
            f"unknown sandbox mode {requested!r}: use auto, {', '.join(isolation.MODES)}"
        )
    reason = unavailable(requested)
    if reason:
        raise SandboxError(f"sandbox mode {requested!r} was requested but cannot work: {reason}")
    return requested


class _Gone(Exception):
    """The zygote died before the request could be sent."""


class _Request:
    def __init__(self, worker: _Worker, number: int, timeout: float, release: Callable) -> None:
        self.worker = worker
        self.id = number
        self.deadline = time.monotonic() + timeout + _GRACE
        self.event = threading.Event()
        self.reply: Reply | None = None
        self._release = release

    def finish(self, reply: Reply) -> None:
        """Called once, by whoever removed the request from its worker's pending table."""
        self.reply = reply
        self._release()
        self.event.set()


class _Worker:
    """One zygote process and, once it is ready, the thread that reads its replies."""

    def __init__(self, config: dict, prefix: list[str], extra_fds: tuple[int, ...]) -> None:
        cmd_r, self._cmd_w = os.pipe()
        self._reply_r, reply_w = os.pipe()
        config = {**config, "cmd_fd": cmd_r, "reply_fd": reply_w}
        self._limits = relay_limits(config["limits"])
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the zygote)
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pending: dict[int, _Request] = {}
        self._count = 0
        self._thread: threading.Thread | None = None
        self._released = False
        self._started = time.monotonic()
        try:
            self.proc = subprocess.Popen(
                prefix + _python("autograder.sandbox.zygote", json.dumps(config)),
                cwd=_ROOT,
                env=_worker_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                pass_fds=(cmd_r, reply_w, *extra_fds),
                start_new_session=True,
            )
        except OSError as exc:
            self._release_files()
            raise SandboxError(f"cannot start the sandbox worker: {exc}") from None
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
            raise SandboxError(f"the sandbox worker did not start ({exc}):\n{log}") from None
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
                self.abort(f"the sandbox worker stopped ({exc}); it restarts on the next call")
                return
            with self._lock:
                request = self._pending.pop(header.get("id"), None)
            if request is not None:
                request.finish(reply)

    def submit(
        self, probe: str, args: dict, timeout: float, release: Callable, subfolder: str | None
    ) -> _Request:
        """Send one run request; raise _Gone if this zygote is already dead."""
        with self._lock:
            if not self.alive:
                raise _Gone
            self._count += 1
            request = _Request(self, self._count, timeout, release)
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
            self.abort(f"cannot reach the sandbox worker: {exc}")
        return request

    def abort(self, reason: str) -> None:
        """Kill the zygote (and so its children); every request in flight becomes "crashed"."""
        with self._lock:
            self.alive = False
            pending, self._pending = self._pending, {}
        self._kill()
        for request in pending.values():
            request.finish(Reply("crashed", error=failure("crashed", reason)))

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


class Sandbox:
    """Runs probes (functions of autograder.probes) on the package `intro_pytorch` found in
    `package_root`, each call in a fresh child of a zygote that imported `preload` once.

    In the isolated modes a child sees only an allow-list of files (see view.py), whatever
    the host holds. In mode "uid" (root without namespaces: children run as uid 65534 in
    the host's view of the files) the `secrets` (folders or files) lose their group and
    other permissions until the sandbox is closed (`permissions_state`: see
    permissions.ClosedPaths); bubblewrap also covers them around the zygote.
    `trusted=True` is for the reference solutions: no isolation, still timeouts.
    Mode "auto" picks "namespaces" (root), else "bwrap", else "uid", else "none"; the
    environment variable AUTOGRADER_SANDBOX forces a mode and fails if it cannot work.
    """

    def __init__(
        self,
        package_root: str | os.PathLike,
        *,
        secrets: Sequence[str | os.PathLike] = (),
        limits: Limits = Limits(),
        mode: str = "auto",
        trusted: bool = False,
        jobs: int | None = None,
        preload: Sequence[str] = ("numpy", "torch"),
        permissions_state: Path | None = None,
    ) -> None:
        self.package_root = Path(package_root).resolve()
        if not self.package_root.is_dir():
            raise NotADirectoryError(f"no such package root: {self.package_root}")
        if any(name.split(".")[0] == "intro_pytorch" for name in preload):
            raise ValueError("the zygote must not import submission code (it is shared)")
        self.secrets = tuple(sorted({os.path.realpath(p) for p in secrets if os.path.lexists(p)}))
        self.limits = limits
        self.trusted = trusted
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.preload = tuple(preload)
        self.isolation = _choose_mode(mode, trusted)
        root = str(self.package_root)
        self._closed_paths = ClosedPaths([s for s in self.secrets if s != root], permissions_state)
        if self.isolation != "uid":
            self._closed_paths.recover()
        else:
            self._closed_paths.close()
            if root in self.secrets:  # a folder per submission: each child enters its own
                self.package_root.chmod(0o711)  # but cannot list the others' (random) names
        self._slots = threading.BoundedSemaphore(self.jobs)
        self._lock = threading.Lock()
        self._closed = False
        # Started now, so that it imports torch while the grader does something else.
        try:
            self._worker: _Worker | None = self._start_worker()
        except BaseException:
            self._closed_paths.reopen()
            raise

    @property
    def worker_info(self) -> dict:
        """The current zygote: pid (as the grader sees it), start_seconds, probe_errors."""
        return dict(self._worker.info) if self._worker is not None else {}

    @property
    def isolated(self) -> bool:
        return self.isolation != "none"

    def __enter__(self) -> Sandbox:
        self._ensure_worker()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the zygote and give the secrets their permissions back; the sandbox cannot be
        used afterwards."""
        with self._lock:
            self._closed = True
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.close()
        self._closed_paths.reopen()

    def run(
        self, probe: str, args: dict, *, timeout: float | None = None, subfolder: str | None = None
    ) -> Reply:
        """Call `probe` ("autograder.probes.<module>:<function>") with keyword `args`."""
        return self.run_many([(probe, args, timeout)], subfolder=subfolder)[0]

    def run_many(self, calls: Sequence[tuple], *, subfolder: str | None = None) -> list[Reply]:
        """Run (probe, args) or (probe, args, timeout) calls, `jobs` at a time, in order.

        subfolder: the package lives in this folder of package_root instead of package_root
        itself (one zygote serving many submissions); a child sees only its own subfolder.
        """
        if subfolder is not None and not _SUBFOLDER.fullmatch(subfolder):
            raise ValueError(f"refusing subfolder {subfolder!r}: a plain folder name is needed")
        prepared = [self._prepare(*call) for call in calls]
        requests: list[_Request] = []
        for probe, args, timeout in prepared:
            while not self._slots.acquire(timeout=0.1):
                self._expire(requests)
            try:
                requests.append(self._submit(probe, args, timeout, subfolder))
            except BaseException:
                self._slots.release()
                raise
        replies = []
        for request in requests:
            while not request.event.wait(max(0.0, request.deadline - time.monotonic())):
                self._expire([request])
            replies.append(request.reply)
        return replies

    def _prepare(self, probe: str, args: dict, timeout: float | None = None) -> tuple:
        if not isinstance(probe, str) or not _PROBE.fullmatch(probe):
            raise ValueError(f"refusing probe {probe!r}: not 'autograder.probes.<module>:<name>'")
        if not isinstance(args, dict):
            raise TypeError(f"probe arguments must be a dict, not {type(args).__name__}")
        timeout = self.limits.wall_seconds if timeout is None else float(timeout)
        if not timeout > 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        try:
            protocol.encode({"args": args}, max_json=self.limits.max_json)
        except protocol.ProtocolError as exc:
            raise ValueError(f"probe arguments cannot be sent: {exc}") from None
        return probe, args, timeout

    def _expire(self, requests: list[_Request]) -> None:
        for request in requests:
            if not request.event.is_set() and time.monotonic() > request.deadline:
                request.worker.abort("the sandbox worker stopped answering; it was restarted")

    def _submit(self, probe: str, args: dict, timeout: float, subfolder: str | None) -> _Request:
        for _ in range(3):
            worker = self._ensure_worker()
            try:
                return worker.submit(probe, args, timeout, self._slots.release, subfolder)
            except _Gone:
                continue
        raise SandboxError("the sandbox worker dies as soon as it starts")

    def _ensure_worker(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox is closed")
            if self._worker is None or not self._worker.alive:
                if self._worker is not None:
                    self._worker.close()
                self._worker = self._start_worker()
            self._worker.wait_ready()
            return self._worker

    def _start_worker(self) -> _Worker:
        config = {
            "mode": self.isolation,
            "package": str(self.package_root),
            "limits": dataclasses.asdict(self.limits),
            "jobs": self.jobs,
            "preload": list(self.preload),
        }
        if self.isolation != "bwrap":
            return _Worker(config, [], ())
        package_fd = os.open(self.package_root, os.O_PATH | os.O_DIRECTORY)
        try:
            prefix = _bwrap_prefix(shutil.which("bwrap") or "bwrap", package_fd, self.secrets)
            config.update(package=isolation.PACKAGE_MOUNT)
            return _Worker(config, prefix, (package_fd,))
        finally:
            os.close(package_fd)
