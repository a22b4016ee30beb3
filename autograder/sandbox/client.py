"""The sandbox client, on the grader's side: runs trusted probes on submission code, each call in
a short-lived isolated child of a zygote process (sandbox/zygote.py), or in a spawned worker
where nothing can isolate (sandbox/portable.py)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from autograder.sandbox import protocol
from autograder.sandbox.handle import (
    Reply,
    Request,
    SandboxError,
    ZygoteGone,
    ZygoteHandle,
)
from autograder.sandbox.limits import Limits
from autograder.sandbox.modes import (
    ENV_MODE,
    NOT_ISOLATED,
    bwrap_command,
    choose_mode,
    unavailable,
)
from autograder.sandbox.permissions import ClosedPaths
from autograder.sandbox.portable import PortableHandle

__all__ = ["ENV_MODE", "Reply", "Sandbox", "SandboxError", "unavailable"]
_SUBFOLDER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_PROBE = re.compile(r"autograder\.probes(?:\.[A-Za-z_]\w*)+:[A-Za-z]\w*")


class Sandbox:
    """Runs probes (functions of autograder.probes) on the package `intro_pytorch` found in
    `package_root`, each call in a fresh child of a zygote that imported `preload` once.

    In the isolated modes a child sees only an allow-list of files (see view.py), whatever
    the host holds. In mode "uid" (root without namespaces: children run as uid 65534 in
    the host's view of the files) the `secrets` (folders or files) lose their group and
    other permissions until the sandbox is closed (`permissions_state`: see
    permissions.ClosedPaths); bubblewrap also covers them around the zygote.
    `trusted=True` is for the reference solutions: no isolation, still timeouts.
    Mode "auto" picks "namespaces" (root), else "bwrap", else "uid", else "none" for a graded
    run; for the public checks (`graded=False`) "namespaces", else "bwrap", else "portable"
    (see modes.py); the environment variable AUTOGRADER_SANDBOX forces a mode and fails if
    it cannot work.
    """

    def __init__(
        self,
        package_root: str | os.PathLike,
        *,
        secrets: Sequence[str | os.PathLike] = (),
        limits: Limits | None = None,
        mode: str = "auto",
        trusted: bool = False,
        graded: bool = True,
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
        self.limits = limits or Limits()
        self.trusted = trusted
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.preload = tuple(preload)
        self.isolation = choose_mode(mode, trusted, graded)
        root = str(self.package_root)
        self._closed_paths = ClosedPaths([s for s in self.secrets if s != root], permissions_state)
        self._slots = threading.BoundedSemaphore(self.jobs)
        self._lock = threading.Lock()
        self._closed = False
        try:  # also on Ctrl-C while the secrets are being closed
            if self.isolation != "uid":
                self._closed_paths.recover()
            else:
                self._closed_paths.close()
                if root in self.secrets:  # a folder per submission: each child enters its own
                    self.package_root.chmod(0o711)  # but cannot list the others' (random) names
            # Started now, so that it imports torch while the grader does something else.
            self._zygote: ZygoteHandle | PortableHandle | None = self._start_zygote()
        except BaseException:
            self._closed_paths.reopen()
            raise

    @property
    def zygote_info(self) -> dict:
        """The current zygote: pid (as the grader sees it), start_seconds, probe_errors."""
        return dict(self._zygote.info) if self._zygote is not None else {}

    @property
    def isolated(self) -> bool:
        return self.isolation not in NOT_ISOLATED

    def __enter__(self) -> Sandbox:
        self._ensure_zygote()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the zygote and give the secrets their permissions back; the sandbox cannot be
        used afterwards."""
        with self._lock:
            self._closed = True
            zygote, self._zygote = self._zygote, None
        if zygote is not None:
            zygote.close()
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
        requests: list[Request] = []
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
            # a request waiting for a portable worker gets its deadline once one takes it
            while not request.event.wait(min(1.0, max(0.0, request.deadline - time.monotonic()))):
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

    def _expire(self, requests: list[Request]) -> None:
        for request in requests:
            if not request.event.is_set() and time.monotonic() > request.deadline:
                request.zygote.abort("the sandbox's zygote stopped answering; it was restarted")

    def _submit(self, probe: str, args: dict, timeout: float, subfolder: str | None) -> Request:
        for _ in range(3):
            zygote = self._ensure_zygote()
            try:
                return zygote.submit(probe, args, timeout, self._slots.release, subfolder)
            except ZygoteGone:
                continue
        raise SandboxError("the sandbox's zygote dies as soon as it starts")

    def _ensure_zygote(self) -> ZygoteHandle | PortableHandle:
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox is closed")
            if self._zygote is None or not self._zygote.alive:
                if self._zygote is not None:
                    self._zygote.close()
                self._zygote = self._start_zygote()
            self._zygote.wait_ready()
            return self._zygote

    def _start_zygote(self) -> ZygoteHandle | PortableHandle:
        config = {
            "mode": self.isolation,
            "package": str(self.package_root),
            "limits": dataclasses.asdict(self.limits),
            "jobs": self.jobs,
            "preload": list(self.preload),
        }
        if self.isolation == "portable":
            return PortableHandle(config)
        if self.isolation != "bwrap":
            return ZygoteHandle(config, [], ())
        from autograder.sandbox import isolation  # Linux only, as bwrap is

        package_fd = os.open(self.package_root, os.O_PATH | os.O_DIRECTORY)
        try:
            prefix = bwrap_command(shutil.which("bwrap") or "bwrap", package_fd, self.secrets)
            config.update(package=isolation.PACKAGE_MOUNT)
            return ZygoteHandle(config, prefix, (package_fd,))
        finally:
            os.close(package_fd)
