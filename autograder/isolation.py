"""Child-side isolation (namespaces, mounts, rlimits, privilege drop) through ctypes on libc."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import math
import os
import re
import resource
import select
import signal
import stat
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_NOATIME = 0x400
MS_NODIRATIME = 0x800
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_RELATIME = 0x200000

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
_CAP_VERSION_3 = 0x20080522

SANDBOX_ID = 65534  # uid and gid "nobody"
PACKAGE_MOUNT = "/tmp/submission"  # where an isolated worker sees the package root
HOSTNAME = b"sandbox"
SETUP_FAILED = 70  # exit status of a worker whose isolation could not be set up
MODES = ("namespaces", "bwrap", "uid", "none")
GROUPED = ("uid", "none")  # no pid namespace: the child leads a process group of its own

# Per-mount flags that a bind remount must repeat (the kernel refuses to drop locked ones).
_STATVFS_TO_MS = (
    (os.ST_NOSUID, MS_NOSUID),
    (os.ST_NODEV, MS_NODEV),
    (os.ST_NOEXEC, MS_NOEXEC),
    (os.ST_NOATIME, MS_NOATIME),
    (os.ST_NODIRATIME, MS_NODIRATIME),
    (os.ST_RELATIME, MS_RELATIME),
)

_libc = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _path(value: str | None) -> bytes | None:
    return None if value is None else os.fsencode(value)


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    """mount(2); `source` and `fstype` may be None."""
    result = _libc.mount(
        _path(source), _path(target), _path(fstype), ctypes.c_ulong(flags), _path(data or None)
    )
    _check(result, f"mount {source} on {target}")


def unshare(flags: int) -> None:
    """unshare(2)."""
    _check(_libc.unshare(ctypes.c_int(flags)), f"unshare({flags:#x})")


def _prctl(option: int, value: int) -> None:
    zero = ctypes.c_ulong(0)
    _check(_libc.prctl(option, ctypes.c_ulong(value), zero, zero, zero), f"prctl({option})")


def _mountpoints() -> list[str]:
    """Every visible mount point that is writable, from /proc/self/mountinfo."""
    options: dict[str, str] = {}
    with open("/proc/self/mountinfo") as table:
        for line in table:
            fields = line.split(" ")
            target = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            options[target] = fields[5]  # a later mount on the same point hides the earlier
    return [target for target, flags in options.items() if "ro" not in flags.split(",")]


def remount_readonly(target: str) -> None:
    """Make one mount read-only in this mount namespace only (MS_BIND: never the superblock)."""
    flags = os.statvfs(target).f_flag
    kept = sum(ms for st, ms in _STATVFS_TO_MS if flags & st)
    mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | kept)


def _map_ids(uid: int, gid: int) -> None:
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", f"{uid} {uid} 1"),
        ("gid_map", f"{gid} {gid} 1"),
    ):
        with open(f"/proc/self/{name}", "w") as control:
            control.write(text)


def _fresh_tmpfs(target: str, size: int) -> None:
    if os.path.isdir(target):
        mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={size}")


def hide(secrets: Iterable[str]) -> None:
    """Cover each secret folder with an empty read-only tmpfs, each secret file with /dev/null."""
    for secret in secrets:
        try:
            if os.path.isdir(secret):
                flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
                mount("tmpfs", secret, "tmpfs", flags, "mode=0755,size=4k")
            else:
                mount("/dev/null", secret, None, MS_BIND)
        except FileNotFoundError:
            continue


def _searchable(folder: str) -> bool:
    info = os.stat(folder)
    if info.st_uid == SANDBOX_ID:
        return bool(info.st_mode & stat.S_IXUSR)
    if info.st_gid == SANDBOX_ID:
        return bool(info.st_mode & stat.S_IXGRP)
    return bool(info.st_mode & stat.S_IXOTH)


def _closed_ancestor(path: str) -> str | None:
    """The first folder on the way to `path` that uid 65534 may not enter ("" if one is missing)."""
    current = "/"
    for part in filter(None, path.split("/")):
        current = os.path.join(current, part)
        try:
            if not _searchable(current):
                return current
        except FileNotFoundError:  # below an empty tmpfs laid by expose()
            return ""
    return None


def expose(folders: Iterable[str]) -> None:
    """Let uid 65534 reach `folders` (the interpreter and its libraries, say under /root).

    A folder closed to it is covered by an empty tmpfs, and each needed folder below is
    bound back in, read-only: the rest of the closed folder stays out of sight.
    """
    folders = sorted(set(folders), key=len)
    fds = {folder: os.open(folder, os.O_PATH | os.O_DIRECTORY) for folder in folders}
    covers = []
    for folder in folders:
        closed = _closed_ancestor(folder)
        if closed is None:
            continue
        if closed:
            mount("tmpfs", closed, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
            covers.append(closed)
        os.makedirs(folder, 0o755, exist_ok=True)
        mount(f"/proc/self/fd/{fds[folder]}", folder, None, MS_BIND | MS_REC)
        remount_readonly(folder)
    for cover in covers:
        remount_readonly(cover)
    for fd in fds.values():
        os.close(fd)


def isolate(
    mode: str, package: str, secrets: Iterable[str], tmpfs_size: int, libraries: Iterable[str]
) -> None:
    """Enter new namespaces (the next fork is their pid 1) with a private view of the files.

    Everything is read-only except a fresh /tmp and /dev/shm; the package root appears
    read-only at PACKAGE_MOUNT. In mode "bwrap" the zygote already runs inside bubblewrap,
    which hid the secrets and made / read-only, so a user namespace gives the rights to
    mount; in mode "namespaces" the caller is root: it does everything itself, and makes
    the `libraries` folders reachable by uid 65534.
    """
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if mode == "bwrap":
        unshare(flags | CLONE_NEWUSER)
        _map_ids(uid, gid)
    else:
        unshare(flags)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Opened inside the new mount namespace: a bind from another namespace's mount is refused.
    package_fd = os.open(package, os.O_PATH | os.O_DIRECTORY)
    if mode == "namespaces":
        for target in _mountpoints():
            try:
                remount_readonly(target)
            except OSError as exc:  # hidden under another mount: unreachable anyway
                if exc.errno not in (errno.ENOENT, errno.EINVAL):
                    raise
        expose(libraries)
        hide(secrets)
    # Libraries that live under /tmp (a kit or its venv checked out there) are bound back
    # after /tmp is replaced, from fds opened now: recursively, so hidden secrets stay hidden.
    kept = under_scratch(libraries)
    kept_fds = {folder: os.open(folder, os.O_PATH | os.O_DIRECTORY) for folder in kept}
    _fresh_tmpfs("/tmp", tmpfs_size)
    _fresh_tmpfs("/dev/shm", tmpfs_size)
    for folder, fd in kept_fds.items():
        os.makedirs(folder, 0o755, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", folder, None, MS_BIND | MS_REC)
        remount_readonly(folder)
        os.close(fd)
    os.mkdir(PACKAGE_MOUNT, 0o755)
    # The package may live under the /tmp just covered: bind it from the fd opened before.
    mount(f"/proc/self/fd/{package_fd}", PACKAGE_MOUNT, None, MS_BIND)
    remount_readonly(PACKAGE_MOUNT)
    os.close(package_fd)
    _check(_libc.sethostname(HOSTNAME, ctypes.c_size_t(len(HOSTNAME))), "sethostname")


SCRATCH = ("/tmp", "/dev/shm")  # replaced by a fresh tmpfs in every child


def under_scratch(folders: Iterable[str]) -> list[str]:
    """The outermost of `folders` that lie under /tmp or /dev/shm (nested ones come along)."""
    inside = sorted(
        {f for f in folders if any(Path(f).is_relative_to(s) and f != s for s in SCRATCH)}
    )
    outermost: list[str] = []
    for folder in inside:
        if not any(Path(folder).is_relative_to(kept) for kept in outermost):
            outermost.append(folder)
    return outermost


def mount_proc(mode: str) -> None:
    """Mount a /proc that shows only the new pid namespace (call as its pid 1)."""
    try:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except PermissionError:
        if mode != "bwrap":
            raise
        # Bubblewrap run by root leaves locked mounts on its /proc, so the kernel refuses a
        # new one: hide the outer /proc (the zygote's and siblings' pids) instead.
        flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC
        mount("tmpfs", "/proc", "tmpfs", flags, "mode=0555,size=4k")


def _set_limit(which: int, soft: int, hard: int) -> None:
    current = resource.getrlimit(which)[1]
    if current != resource.RLIM_INFINITY:
        hard = min(hard, current)
    resource.setrlimit(which, (min(soft, hard), hard))


def set_limits(limits: dict, timeout: float) -> None:
    """Bound address space, CPU time (from the wall-clock timeout), file size, processes, cores."""
    cpu = max(1, min(int(limits["cpu_seconds"]), math.ceil(timeout) + 1))
    _set_limit(resource.RLIMIT_AS, limits["address_space"], limits["address_space"])
    _set_limit(resource.RLIMIT_CPU, cpu, cpu + 1)
    _set_limit(resource.RLIMIT_FSIZE, limits["file_size"], limits["file_size"])
    _set_limit(resource.RLIMIT_NPROC, limits["processes"], limits["processes"])
    _set_limit(resource.RLIMIT_CORE, 0, 0)


def drop_privileges(mode: str) -> None:
    """No new privileges; in "namespaces" and "uid" become uid/gid 65534, in "bwrap" drop all
    capabilities."""
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    if mode in ("namespaces", "uid"):
        os.setgroups([])
        os.setresgid(SANDBOX_ID, SANDBOX_ID, SANDBOX_ID)
        os.setresuid(SANDBOX_ID, SANDBOX_ID, SANDBOX_ID)
    elif mode == "bwrap":  # already uid 65534, but with every capability of its user namespace
        header = _CapHeader(_CAP_VERSION_3, 0)
        _check(_libc.capset(ctypes.byref(header), (_CapData * 2)()), "capset")


def become_subreaper() -> None:
    """Orphaned descendants become this process's children instead of init's."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


def children_of(parent: int) -> list[int]:
    """The pids whose parent is `parent`, from /proc."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat_file:
                fields = stat_file.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent:
            found.append(int(entry.name))
    return found


def die_with_parent(parent: int | None = None, alive_fd: int | None = None) -> None:
    """Get SIGKILL when the parent dies; exit now if it is already gone.

    Call it after the last change of credentials, which clears the death signal. A pid 1
    of a new namespace cannot compare getppid(), so it polls `alive_fd`, the read end of
    a pipe whose only writer is the parent.
    """
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:
        os._exit(SETUP_FAILED)
    if alive_fd is not None and select.select([alive_fd], [], [], 0)[0]:
        os._exit(SETUP_FAILED)


def _send(pidfd: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        signal.pidfd_send_signal(pidfd, sig)


def supervise(pid: int) -> NoReturn:
    """Wait for the namespace's pid 1, then end the same way; SIGTERM makes it kill that pid 1.

    Its waitpid returns only once the namespace is empty, so when this process is gone,
    nothing that the submission started is left.
    """
    pidfd = os.pidfd_open(pid)  # unlike the pid, it never names another process later
    signal.signal(signal.SIGTERM, lambda *_: _send(pidfd, signal.SIGKILL))
    _, status = os.waitpid(pid, 0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(sig, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else SETUP_FAILED)


def close_to_others(paths: Iterable[str]) -> None:
    """Take group and other permissions off each path (not what lies below: a folder that
    others cannot enter hides it all). Mode "uid" relies on this to hide the secrets."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            info = os.lstat(path)
            if not stat.S_ISLNK(info.st_mode):
                os.chmod(path, stat.S_IMODE(info.st_mode) & 0o700)


def reachable(folders: Iterable[str]) -> None:
    """Raise unless this process may list every folder (the interpreter's and the kit's)."""
    for folder in folders:
        os.listdir(folder)


def _selfcheck(mode: str) -> int:
    """Set up a child exactly as a worker does; 0 when `mode` works on this machine."""
    pid = os.fork()
    if pid == 0:
        try:
            if mode == "uid":  # no namespaces: uid 65534 must reach the libraries as they are
                folders = [*filter(os.path.isdir, sys.path), os.path.dirname(__file__)]
                os.setsid()
                drop_privileges(mode)
                reachable(folders)
                os._exit(0)
            isolate(mode, os.path.dirname(os.path.abspath(__file__)), [], 1 << 20, [sys.prefix])
            alive_r, alive_w = os.pipe()
            inner = os.fork()
            if inner == 0:
                os.close(alive_w)
                mount_proc(mode)
                drop_privileges(mode)
                die_with_parent(alive_fd=alive_r)
                os._exit(0 if os.listdir(PACKAGE_MOUNT) else 1)
            os.close(alive_r)
            supervise(inner)
        except BaseException:
            traceback.print_exc()
            os._exit(SETUP_FAILED)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


if __name__ == "__main__":
    sys.exit(_selfcheck(sys.argv[1]))
