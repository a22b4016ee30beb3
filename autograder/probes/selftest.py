"""Generic probes that exercise the sandbox itself: call any function, report what a child sees."""

from __future__ import annotations

import importlib
import os
import socket

_LISTING = 50
_RLIMITS = ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NPROC", "RLIMIT_CORE")


def call(module: str, function: str, args: list | None = None) -> dict:
    """Return {"result": intro_pytorch.<module>.<function>(*args)}."""
    if not module.isidentifier():
        raise ValueError(f"not a module name: {module!r}")
    target = getattr(importlib.import_module(f"intro_pytorch.{module}"), function)
    return {"result": target(*(args or []))}


def _look(path: str) -> dict:
    seen: dict = {"exists": os.path.lexists(path), "readable": False, "listing": None}
    try:
        if os.path.isdir(path):
            seen["listing"] = sorted(os.listdir(path))[:_LISTING]
        else:
            with open(path, "rb") as stream:
                stream.read(1)
        seen["readable"] = True
    except OSError as exc:
        seen["error"] = f"{type(exc).__name__}: {exc.strerror}"
    return seen


def _connect(host: str, port: int) -> dict:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError as exc:
        return {"connected": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"connected": True, "error": None}


def inspect(paths: list[str] = (), connect: list[list] = ()) -> dict:
    """Identity, file visibility, network reachability, visible pids and rlimits of a child."""
    try:
        pids = sorted(int(name) for name in os.listdir("/proc") if name.isdigit())
    except OSError:
        pids = []
    return {
        "uid": os.getuid(),
        "gid": os.getgid(),
        "groups": os.getgroups(),
        "pid": os.getpid(),
        "ppid": os.getppid(),
        "hostname": socket.gethostname(),
        "cwd": os.getcwd(),
        "paths": {path: _look(path) for path in paths},
        "connect": [_connect(host, port) for host, port in connect],
        "pids": pids[:_LISTING],
        "rlimits": _rlimits(),
    }


def _rlimits() -> dict[str, list[int]]:
    try:
        import resource
    except ImportError:  # Windows
        return {}
    return {name: list(resource.getrlimit(getattr(resource, name))) for name in _RLIMITS}
