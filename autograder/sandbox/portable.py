"""Sandbox mode "portable", on the grader's side: probes in spawned worker processes.

For the public checks where fork or namespaces are missing (Windows, macOS, containers that
refuse namespaces). Nothing is isolated. Each worker is a new Python (sandbox/worker.py)
that imports torch and the probes, runs one request and ends; when it ends, or runs out of
time or memory, its whole process tree is killed (psutil). A worker per job is kept ready
ahead of the next request, so a call rarely waits for torch to import.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import psutil

from autograder.kit import KIT_ROOT
from autograder.sandbox import protocol
from autograder.sandbox.handle import Reply, Request, SandboxError, ZygoteGone
from autograder.sandbox.replies import Excerpt, grader_stopped, judge, relay_limits, stopped

START_TIMEOUT = 120.0  # seconds for a worker to import torch, and later what a probe needs
_GRACE = 10.0  # how much longer than its own limits the grader waits for a request
_LOOK = 0.2  # seconds between looks at the processes a running worker started, and memory
_EXIT_POLL = 0.002  # seconds between looks at a worker that answered, until it has exited
_LOG = 4000  # bytes of a worker's own output kept to explain why it did not start


def worker_env() -> dict[str, str]:
    """The student's own environment, with torch pinned to one thread and plots off-screen."""
    pinned = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    return {**os.environ, **pinned, "PYTHONDONTWRITEBYTECODE": "1"}


class PortableHandle:
    """Serves run requests with spawned workers, `jobs` at a time (same calls as ZygoteHandle)."""

    def __init__(self, config: dict) -> None:
        self.config = config
        self.alive = True
        self.info: dict = {"pid": None}
        self._queue: queue.Queue[tuple[Request, dict] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._count = 0
        self._workers: set[_Worker] = set()
        self._started = time.monotonic()
        self._ready = threading.Event()
        self._start_error: str | None = None
        self._reason = "the sandbox was closed"
        self._threads = [
            threading.Thread(target=self._serve, name="portable", daemon=True)
            for _ in range(config["jobs"])
        ]
        for thread in self._threads:
            thread.start()

    def wait_ready(self) -> None:
        """Wait until the first worker has imported everything (or failed to)."""
        if not self._ready.wait(START_TIMEOUT):
            self.close()
            raise SandboxError(f"no worker started within {START_TIMEOUT:g} s")
        if self._start_error is not None:
            self.close()
            raise SandboxError(f"the sandbox's worker did not start:\n{self._start_error}")

    def submit(
        self, probe: str, args: dict, timeout: float, release: Callable, subfolder: str | None
    ) -> Request:
        """Queue one run request; its deadline is set when a worker takes it."""
        with self._lock:
            if not self.alive:
                raise ZygoteGone
            self._count += 1
            request = Request(self, self._count, timeout, release)
        request.deadline = math.inf
        command = {"probe": probe, "args": args, "timeout": timeout, "subfolder": subfolder}
        self._queue.put((request, command))
        return request

    def _serve(self) -> None:
        """One job: start a worker, give it the next request, and start the next worker."""
        while self.alive:
            worker = _Worker(self.config)
            with self._lock:
                if not self.alive:
                    worker.stop()
                    return
                self._workers.add(worker)
            problem = worker.wait_ready()
            with self._lock:
                if not self._ready.is_set():  # the first worker ready tells how they start
                    seconds = time.monotonic() - self._started
                    self.info.update(start_seconds=seconds, probe_errors=worker.probe_errors)
                    self._start_error = problem
                    self._ready.set()
            item = self._queue.get()
            if item is None:
                self._forget(worker)
                return
            request, command = item
            if problem is None:
                request.deadline = time.monotonic() + START_TIMEOUT + command["timeout"] + _GRACE
                reply = worker.run(command)
            else:
                reply = Reply("crashed", error=stopped("crashed", grader_stopped(problem)))
            self._forget(worker)
            if not self.alive:
                reply = Reply("crashed", error=stopped("crashed", grader_stopped(self._reason)))
            request.finish(reply)

    def _forget(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._workers.discard(worker)

    def abort(self, reason: str) -> None:
        """Kill every worker; every request not finished yet becomes "crashed"."""
        with self._lock:
            if self.alive:
                self._reason = reason
            self.alive = False
            workers = list(self._workers)
        for worker in workers:
            worker.stop()
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].finish(Reply("crashed", error=stopped("crashed", grader_stopped(reason))))
        for _ in self._threads:
            self._queue.put(None)

    def close(self) -> None:
        """Stop every worker and whatever it started; the handle cannot be used afterwards."""
        self.abort("the sandbox was closed")
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(5.0)


class _Worker:
    """One spawned worker process: ready, then one request, then killed with its tree."""

    def __init__(self, config: dict) -> None:
        self.limits = config["limits"]
        self.max_reply = protocol.PREFIX_SIZE + self.limits["max_json"] + self.limits["max_arrays"]
        self.probe_errors: dict = {}
        self.log = Excerpt(_LOG)
        self.output = self.log  # becomes the probe's output once it starts
        self.frames: queue.Queue[dict | None] = queue.Queue()
        self.reply = bytearray()
        self.overflow = False
        self.answered = threading.Event()  # its stdout closed: the reply is all there
        self.tree: dict[int, psutil.Process] = {}
        self._stopped = False
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "autograder.sandbox.worker", json.dumps(config)],
                cwd=KIT_ROOT,
                env=worker_env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=hasattr(os, "setsid"),
                creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0),
            )
            self.root = psutil.Process(self.proc.pid)
        except (OSError, psutil.Error) as exc:
            self.proc = None
            self.log.feed(f"cannot start a worker: {exc}".encode())
            self.answered.set()
            self.frames.put(None)
            return
        self._readers = [
            threading.Thread(target=self._read_frames, daemon=True),
            threading.Thread(target=self._read_output, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_frames(self) -> None:
        """Its "ready" and "started" messages, then the bytes of its reply until it ends."""
        fd = self.proc.stdout.fileno()
        sizes = relay_limits(self.limits)
        try:
            for _ in range(2):
                self.frames.put(protocol.read_message(fd, **sizes)[0])
            while chunk := os.read(fd, 1 << 20):
                self.reply += chunk
                if len(self.reply) > self.max_reply:
                    self.overflow = True
                    break
        except (EOFError, OSError, protocol.ProtocolError):
            pass
        self.frames.put(None)
        self.answered.set()

    def _read_output(self) -> None:
        fd = self.proc.stderr.fileno()
        with contextlib.suppress(OSError):
            while chunk := os.read(fd, 1 << 16):
                self.output.feed(chunk)

    def wait_ready(self) -> str | None:
        """None once it has imported everything; else why it did not start, with its log."""
        try:
            frame = self.frames.get(timeout=START_TIMEOUT)
        except queue.Empty:
            frame = None
        if frame is not None and frame.get("ready") is True:
            self.probe_errors = frame.get("probe_errors", {})
            return None
        self.stop()
        return f"a worker did not start:\n{self.log.text()}"

    def run(self, command: dict) -> Reply:
        """Send one request and wait for its reply, its time and memory limits, or its end."""
        timeout = float(command["timeout"])
        try:
            self.proc.stdin.write(protocol.encode(command, **relay_limits(self.limits)))
            self.proc.stdin.flush()
            started = self.frames.get(timeout=START_TIMEOUT)
        except (OSError, queue.Empty):
            started = None
        if started is None:
            self.stop()
            reason = f"the worker stopped before the probe started:\n{self.log.text()}"
            return Reply("crashed", error=stopped("crashed", grader_stopped(reason)))
        self.output = Excerpt(self.limits["output_excerpt"])
        began = time.monotonic()
        stopped_by = self._watch(began + timeout)
        seconds = time.monotonic() - began
        code = self.stop()
        result, arrays = judge(bytes(self.reply), code, stopped_by, timeout, self.limits)
        for reader in self._readers:
            reader.join(1.0)
        return Reply(
            status=result["status"],
            data=result["data"],
            arrays=arrays,
            error=result["error"],
            output=self.output.text(),
            seconds=seconds,
        )

    def _watch(self, deadline: float) -> str | None:
        """Wait until it has answered and ended; or why it had to be stopped."""
        next_look = 0.0
        while not (self.answered.is_set() and self._ended()):
            now = time.monotonic()
            if self.overflow:
                return "overflow"
            if now >= deadline:
                return "timeout"
            if now >= next_look:
                self._scan()
                if self._memory() > self.limits["address_space"]:
                    return "memory"
                next_look = now + _LOOK
            if self.answered.is_set():  # its reply is all there; it is about to exit
                time.sleep(_EXIT_POLL)
            else:
                self.answered.wait(min(next_look, deadline) - now)
        return "overflow" if self.overflow else None

    def _ended(self) -> bool:
        """Whether it has exited (not reaped yet, so that its process group stays its own)."""
        try:
            return self.root.status() == psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return True

    def _scan(self) -> None:
        """Remember every process it started, also those that would leave it later."""
        with contextlib.suppress(psutil.Error):
            for process in self.root.children(recursive=True):
                self.tree.setdefault(process.pid, process)

    def _memory(self) -> int:
        total = 0
        for process in [self.root, *self.tree.values()]:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total

    def stop(self) -> int:
        """Kill it and every process it started (once); its exit code (negative: a signal)."""
        if self.proc is None:
            return 0
        if not self._stopped:
            self._stopped = True
            self._scan()
            killpg, sigkill = getattr(os, "killpg", None), getattr(signal, "SIGKILL", None)
            if killpg is not None and sigkill is not None:  # its own session: the group too
                with contextlib.suppress(OSError):
                    killpg(self.proc.pid, sigkill)
            for process in [self.root, *self.tree.values()]:
                with contextlib.suppress(psutil.Error):
                    process.kill()
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        return self.proc.wait()
