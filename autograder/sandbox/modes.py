"""Which sandbox mode works on this machine, and the command that starts a zygote in it.

For a graded run, mode "auto" picks "namespaces" (root), else "bwrap", else "uid", else
"none"; for the public checks on a student's computer "namespaces", else "bwrap", else
"portable" (spawned workers, nothing isolated: Windows, macOS, containers that refuse
namespaces). A run without fork (Windows) can only be "portable". The environment variable
AUTOGRADER_SANDBOX forces a mode and fails if it cannot work. Each Linux mode is tried once
per process by setting a child up exactly as the zygote does (isolation.py).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder.kit import KIT_ROOT
from autograder.sandbox.handle import SandboxError, python_command, zygote_env

ENV_MODE = "AUTOGRADER_SANDBOX"  # forces a mode: namespaces, bwrap, uid, none or portable
MODES = ("namespaces", "bwrap", "uid", "none", "portable")
NOT_ISOLATED = ("none", "portable")
_ROOT = KIT_ROOT  # the folder holding the autograder package
# what the zygote modes need of the system: Linux's fork and process calls, and rlimits
_ZYGOTE_NEEDS = ("fork", "setsid", "killpg", "geteuid", "pidfd_open")


def _library_folders() -> list[str]:
    """Where the interpreter, its libraries and the kit live: the zygote must read them."""
    prefixes = (sys.base_prefix, sys.prefix, sys.base_exec_prefix, sys.exec_prefix)
    folders = {os.path.realpath(p) for p in (*prefixes, *sys.path, _ROOT) if p}
    return sorted(folder for folder in folders if os.path.isdir(folder))


def bwrap_command(bwrap: str, package_fd: int | None, secrets: Sequence[str]) -> list[str]:
    from autograder.sandbox import isolation

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
    if mode == "portable":
        return None
    missing = _missing_for_zygote()
    if missing:
        return missing
    if mode == "none":
        return None
    if mode in ("namespaces", "uid") and os.geteuid() != 0:
        return "it needs root (as another user, use bwrap)"
    command = python_command("autograder.sandbox.isolation", mode)
    if mode == "bwrap":
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            return "bwrap is not installed (Debian package bubblewrap)"
        command = bwrap_command(bwrap, None, ()) + command
    try:
        result = subprocess.run(
            command, cwd=_ROOT, env=zygote_env(), capture_output=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if result.returncode == 0:
        return None
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else f"its check exited with status {result.returncode}"


def _missing_for_zygote() -> str | None:
    """What this system lacks for a zygote that forks its children, if anything."""
    if not sys.platform.startswith("linux"):
        return f"it needs Linux, not {sys.platform}"
    missing = [f"os.{name}" for name in _ZYGOTE_NEEDS if not hasattr(os, name)]
    try:
        import resource  # noqa: F401
    except ImportError:
        missing.append("resource")
    return f"this Python has no {', '.join(missing)}" if missing else None


def choose_mode(mode: str, trusted: bool, graded: bool = True) -> str:
    """The sandbox mode to use: `mode` unless AUTOGRADER_SANDBOX forces one; "auto" picks the
    first that works (graded runs and public checks differ only where nothing isolates)."""
    if trusted:
        return "none" if unavailable("none") is None else "portable"
    requested = os.environ.get(ENV_MODE) or mode
    if requested == "auto":
        order = ("namespaces", "bwrap", "uid", "none") if graded else ("namespaces", "bwrap")
        return next((m for m in order if unavailable(m) is None), "portable")
    if requested not in MODES:
        raise SandboxError(f"unknown sandbox mode {requested!r}: use auto, {', '.join(MODES)}")
    reason = unavailable(requested)
    if reason:
        raise SandboxError(f"sandbox mode {requested!r} was requested but cannot work: {reason}")
    return requested
