"""Sandbox zygote: imports torch once, then forks one fresh isolated child per probe call."""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import os
import selectors
import signal
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn

from autograder.sandbox import isolation, protocol, view
from autograder.sandbox.child import ALL_FDS, REPLY_FD, SETUP_FAILED, redirect, run_probe
from autograder.sandbox.limits import set_limits
from autograder.sandbox.replies import Excerpt, grader_stopped, judge, relay_limits, stopped
from autograder.sandbox.warmup import (
    PROBES,
    grouped,
    import_for,
    import_probes,
    preload,
    zygote_imports,
)

_READ_SIZE = 1 << 20
_LATE_OUTPUT = 1 << 20  # at most this much output is read after the child has exited
_ESCALATE = 2.0  # seconds a supervisor has to empty its namespace before it gets SIGKILL
_SWEEP_ROUNDS = 100  # a bound on rounds of orphans (RLIMIT_NPROC bounds each round)


@dataclass
class _Job:
    id: int
    pid: int
    pidfd: int
    reply_fd: int
    output_fd: int
    timeout: float
    started: float
    output: Excerpt
    reply: bytearray = field(default_factory=bytearray)
    killed: bool = False
    escalate_at: float | None = None
    timed_out: bool = False
    overflow: bool = False


class Zygote:
    """Serves run requests from the grader's command pipe, `jobs` children at a time."""

    def __init__(self, config: dict) -> None:
        self.mode: str = config["mode"]
        self.package: str = config["package"]
        self.roots = sorted({name.partition(".")[0] for name in config["preload"]})
        self.limits: dict = config["limits"]
        self.max_jobs: int = config["jobs"]
        self.cmd_fd: int = config["cmd_fd"]
        self.reply_fd: int = config["reply_fd"]
        self.relay = relay_limits(self.limits)
        self.max_reply = protocol.PREFIX_SIZE + self.limits["max_json"] + self.limits["max_arrays"]
        self.pid = os.getpid()
        self._view: tuple[int, view.View] | None = None
        self.selector = selectors.DefaultSelector()
        self.queue: deque[dict] = deque()
        self.jobs: dict[int, _Job] = {}

    def serve(self) -> None:
        """Run until the grader closes the command pipe, then kill what still runs."""
        self.selector.register(self.cmd_fd, selectors.EVENT_READ)
        try:
            while True:
                while self.queue and len(self.jobs) < self.max_jobs:
                    self._start(self.queue.popleft())
                for key, _ in self.selector.select(self._wait_time()):
                    if key.data is None:
                        if not self._receive():
                            return
                    else:
                        key.data()
                self._enforce_deadlines()
        finally:
            for job in list(self.jobs.values()):
                self._kill(job)
                os.waitpid(job.pid, 0)
            self.jobs.clear()
            if self.mode in isolation.GROUPED:
                self._sweep()

    def _receive(self) -> bool:
        try:
            request, _ = protocol.read_message(self.cmd_fd, **self.relay)
        except EOFError:
            return False
        probe = str(request.get("probe", ""))
        if not probe.startswith(PROBES + "."):
            raise protocol.ProtocolError(f"refusing probe {probe!r}")
        self.queue.append(request)
        return True

    def _deadline(self, job: _Job) -> float | None:
        return job.escalate_at if job.killed else job.started + job.timeout

    def _wait_time(self) -> float | None:
        deadlines = [d for d in map(self._deadline, self.jobs.values()) if d is not None]
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        for job in list(self.jobs.values()):
            deadline = self._deadline(job)
            if deadline is None or now < deadline:
                continue
            if job.killed:
                job.escalate_at = None
                self._signal(job, signal.SIGKILL)
            else:
                job.timed_out = True
                self._kill(job)

    def _kill(self, job: _Job) -> None:
        """Stop a child. In the namespace modes SIGTERM makes its supervisor kill the pid 1
        and wait until the namespace is empty; SIGKILL follows if that takes too long."""
        if job.killed:
            return
        job.killed = True
        if self.mode in isolation.GROUPED:
            self._signal(job, signal.SIGKILL)
        else:
            self._signal(job, signal.SIGTERM)
            job.escalate_at = time.monotonic() + _ESCALATE

    def _signal(self, job: _Job, sig: int) -> None:
        # Without a pid namespace the child leads its own process group: the group goes too.
        kills: list[Callable[[int, int], None]] = [os.kill]
        if self.mode in isolation.GROUPED:
            kills.append(os.killpg)
        for kill in kills:
            with contextlib.suppress(ProcessLookupError):
                kill(job.pid, sig)

    def view(self) -> view.View:
        """What a child sees of the files, derived again once more modules were loaded."""
        loaded = len(sys.modules)
        if self._view is None or self._view[0] != loaded:
            roots = [*self.roots, *zygote_imports()]
            self._view = loaded, view.derive(roots)
        return self._view[1]

    def _start(self, request: dict) -> None:
        for probe in [request["probe"], *grouped(request)]:
            import_for(probe)
        seen = None if self.mode in isolation.GROUPED else self.view()
        reply_r, reply_w = os.pipe()
        output_r, output_w = os.pipe()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            self._child(request, reply_w, output_w, seen)
        os.close(reply_w)
        os.close(output_w)
        os.set_blocking(reply_r, False)
        os.set_blocking(output_r, False)
        job = _Job(
            id=request["id"],
            pid=pid,
            pidfd=os.pidfd_open(pid),
            reply_fd=reply_r,
            output_fd=output_r,
            timeout=float(request["timeout"]),
            started=started,
            output=Excerpt(self.limits["output_excerpt"]),
        )
        self.jobs[job.id] = job
        events = selectors.EVENT_READ
        self.selector.register(reply_r, events, functools.partial(self._on_reply, job))
        self.selector.register(output_r, events, functools.partial(self._on_output, job))
        self.selector.register(job.pidfd, events, functools.partial(self._on_exit, job))

    def _child(
        self, request: dict, reply_w: int, output_w: int, seen: view.View | None
    ) -> NoReturn:
        """In the fork: isolate (namespace modes: become a supervisor of a pid 1), then run."""
        try:
            redirect(reply_w, output_w)
            alive = None
            package = self.package
            if request.get("subfolder"):
                package = os.path.join(package, os.path.basename(request["subfolder"]))
            if self.mode in isolation.GROUPED:
                os.setsid()
            else:
                isolation.isolate(self.mode, package, seen, self.limits["tmpfs_size"])
                isolation.die_with_parent(parent=self.pid)
                package = isolation.PACKAGE_MOUNT
                alive, alive_w = os.pipe()
                pid = os.fork()
                if pid:
                    os.close(alive)
                    os.close(REPLY_FD)
                    isolation.supervise(pid)
                os.close(alive_w)
                isolation.mount_proc(self.mode)
                isolation.leave_host()
            set_limits(self.limits, float(request["timeout"]))
            isolation.drop_privileges(self.mode)
            isolation.die_with_parent(self.pid if alive is None else None, alive)
            os.chdir("/tmp")
            os.closerange(REPLY_FD + 1, ALL_FDS)
        except BaseException:
            traceback.print_exc()
            os._exit(SETUP_FAILED)
        run_probe(request["probe"], request["args"], package, self.limits)

    def _on_reply(self, job: _Job) -> None:
        while job.reply_fd >= 0:
            try:
                data = os.read(job.reply_fd, _READ_SIZE)
            except BlockingIOError:
                return
            if not data:
                job.reply_fd = self._close(job.reply_fd)
                return
            job.reply += data
            if len(job.reply) > self.max_reply:
                job.overflow = True
                job.reply_fd = self._close(job.reply_fd)
                self._kill(job)

    def _on_output(self, job: _Job, budget: int = _READ_SIZE) -> None:
        while job.output_fd >= 0 and budget > 0:
            try:
                data = os.read(job.output_fd, min(budget, 1 << 16))
            except BlockingIOError:
                return
            if not data:
                job.output_fd = self._close(job.output_fd)
                return
            job.output.feed(data)
            budget -= len(data)

    def _close(self, fd: int) -> int:
        self.selector.unregister(fd)
        os.close(fd)
        return -1

    def _on_exit(self, job: _Job) -> None:
        # Leftovers in its group go; the zombie keeps the group id reserved until reaped.
        if self.mode in isolation.GROUPED:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(job.pid, signal.SIGKILL)
        job.killed, job.escalate_at = True, None  # its pid may be reused: never signal it again
        _, status = os.waitpid(job.pid, 0)
        self._on_reply(job)
        self._on_output(job, _LATE_OUTPUT)
        for fd in (job.reply_fd, job.output_fd, job.pidfd):
            if fd >= 0:
                self._close(fd)
        del self.jobs[job.id]
        if self.mode in isolation.GROUPED:
            self._sweep()
        self._relay(job, status)

    def _sweep(self) -> None:
        """Kill what finished children left behind. Without a pid namespace a child can
        detach a daemon into a session of its own; the zygote is the subreaper of every
        orphan, so any child of the zygote that is not a running job is one (its own
        children come back as orphans in the next round)."""
        for _ in range(_SWEEP_ROUNDS):
            running = {job.pid for job in self.jobs.values()}
            strays = [pid for pid in isolation.children_of(self.pid) if pid not in running]
            if not strays:
                return
            for pid in strays:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            for pid in strays:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)

    def _relay(self, job: _Job, status: int) -> None:
        stopped_by = "timeout" if job.timed_out else "overflow" if job.overflow else None
        code = os.waitstatus_to_exitcode(status)
        result, arrays = judge(bytes(job.reply), code, stopped_by, job.timeout, self.limits)
        header = {
            "id": job.id,
            **result,
            "output": job.output.text(),
            "seconds": time.monotonic() - job.started,
        }
        try:
            frame = protocol.encode(header, arrays, **self.relay)
        except protocol.ProtocolError as exc:
            reason = grader_stopped(f"the reply cannot be relayed: {exc}")
            header.update(status="protocol", data={}, error=stopped("protocol", reason))
            frame = protocol.encode(header, **self.relay)
        protocol.write_all(self.reply_fd, frame)


def main(argv: list[str]) -> int:
    """Entry point: `python -m autograder.sandbox.zygote CONFIG_JSON` (started by Sandbox)."""
    config = json.loads(argv[1])
    preload(config["preload"])
    errors = import_probes()
    # Children share the zygote's memory until they write to it; a garbage collection in a
    # child would walk (and so copy) every object torch made. Frozen objects are never walked.
    gc.freeze()
    zygote = Zygote(config)
    if zygote.mode in isolation.GROUPED:
        isolation.become_subreaper()
    else:
        zygote.view()  # derived now, not while the first probe waits
    protocol.write_message(config["reply_fd"], {"ready": True, "probe_errors": errors})
    zygote.serve()
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    sys.stderr.flush()
    os._exit(code)  # tearing down torch at exit takes long and serves nothing
