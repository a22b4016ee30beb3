"""Child-side isolation (namespaces, mounts, privilege drop) through ctypes on libc: Linux only."""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import resource
import select
import signal
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from autograder.sandbox.child import SETUP_FAILED

if TYPE_CHECKING:
    from autograder.sandbox.view import View

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
MNT_DETACH = 0x2

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
_CAP_VERSION_3 = 0x20080522

SANDBOX_ID = 65534  # uid and gid "nobody"
PACKAGE_MOUNT = "/tmp/submission"  # where an isolated child sees the package root
ROOT_MOUNT = "/tmp"  # where a child assembles its new root, in its own mount namespace
OLD_ROOT = "/.host"  # the host's tree after pivot_root, until the child's pid 1 detaches it
DEVICES = ("null", "zero", "full", "random", "urandom")
DEVICE_LINKS = {"fd": "/proc/self/fd", "stdin": "fd/0", "stdout": "fd/1", "stderr": "fd/2"}
HOSTNAME = b"sandbox"
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
# pivot_root(2) has no libc wrapper: its system call number on each architecture
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}.get(
    platform.machine(), -1
)


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


def _tmpfs(target: str, mode: str, size: int) -> None:
    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode},size={size}")


def _bind(fd: int, target: str, is_folder: bool) -> None:
    """Show what `fd` (O_PATH) names at `target`, read-only, making the mount point."""
    if is_folder:
        os.makedirs(target, 0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), 0o755, exist_ok=True)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o644))
    mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    remount_readonly(target)


def _open_paths(paths: Iterable[str]) -> dict[str, int]:
    fds = {}
    for path in paths:
        try:
            fds[path] = os.open(path, os.O_PATH)
        except (FileNotFoundError, NotADirectoryError):  # gone, or inside a zip: not shown
            continue
    return fds


def enter_view(view: View, package: str, tmpfs_size: int) -> None:
    """Make a root that holds only `view`, the package at PACKAGE_MOUNT, a few devices,
    empty /proc, /tmp and /dev/shm, and pivot into it (call in a new mount namespace).

    The host's tree stays at OLD_ROOT until the namespace's pid 1 has mounted its /proc
    (in a user namespace the kernel mounts a proc only where one is fully visible) and
    calls leave_host(). Every bound path is read-only from the moment it is bound.
    """
    os.umask(0o022)
    items = view.items()
    fds = _open_paths(path for kind, path in items if kind != "cover")
    devices = _open_paths(f"/dev/{name}" for name in DEVICES)
    package_fd = os.open(package, os.O_PATH | os.O_DIRECTORY)
    root = ROOT_MOUNT
    _tmpfs(root, "0755", 1 << 20)
    os.mkdir(root + "/tmp")
    _tmpfs(root + "/tmp", "1777", tmpfs_size)  # first: a view path under /tmp goes into it
    for kind, path in items:
        if kind == "cover":
            _tmpfs(root + path, "0755", 1 << 20)
        elif path in fds:
            _bind(fds[path], root + path, kind == "tree")
    os.makedirs(root + "/dev/shm", 0o755)
    for device, fd in devices.items():
        _bind(fd, root + device, False)
    for name, target in DEVICE_LINKS.items():
        os.symlink(target, f"{root}/dev/{name}")
    for folder in ("/proc", OLD_ROOT):
        os.mkdir(root + folder, 0o555)
    for cover in view.covers:
        remount_readonly(root + cover)
    remount_readonly(root)
    _tmpfs(root + "/dev/shm", "1777", tmpfs_size)
    _bind(package_fd, root + PACKAGE_MOUNT, True)
    for fd in [*fds.values(), *devices.values(), package_fd]:
        os.close(fd)
    new_root, put_old = os.fsencode(root), os.fsencode(root + OLD_ROOT)
    _check(_libc.syscall(_PIVOT_ROOT, new_root, put_old), "pivot_root")
    os.chdir("/")


def leave_host() -> None:
    """Detach the host's tree that enter_view left at OLD_ROOT: the namespace no longer
    holds any path to it."""
    _check(_libc.umount2(os.fsencode(OLD_ROOT), ctypes.c_int(MNT_DETACH)), "umount")


def isolate(mode: str, package: str, view: View, tmpfs_size: int) -> None:
    """Enter new namespaces (the next fork is their pid 1) and a root that holds only the
    files of `view` and the package (read-only, at PACKAGE_MOUNT); see enter_view.

    In mode "bwrap" the zygote already runs inside bubblewrap, and a user namespace gives
    the rights to mount; in mode "namespaces" the caller is root.
    """
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if mode == "bwrap":
        unshare(flags | CLONE_NEWUSER)
        _map_ids(uid, gid)
    else:
        unshare(flags)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    enter_view(view, package, tmpfs_size)
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


def reachable(folders: Iterable[str]) -> None:
    """Raise unless this process may list every folder (the interpreter's and the kit's)."""
    for folder in folders:
        os.listdir(folder)


def _selfcheck(mode: str) -> int:
    """Set up a child exactly as the zygote does; 0 when `mode` works on this machine."""
    pid = os.fork()
    if pid == 0:
        try:
            if mode == "uid":  # no namespaces: uid 65534 must reach the libraries as they are
                folders = [*filter(os.path.isdir, sys.path), os.path.dirname(__file__)]
                os.setsid()
                drop_privileges(mode)
                reachable(folders)
                os._exit(0)
            from autograder.sandbox.view import derive

            isolate(mode, os.path.dirname(os.path.abspath(__file__)), derive(()), 1 << 20)
            alive_r, alive_w = os.pipe()
            inner = os.fork()
            if inner == 0:
                os.close(alive_w)
                mount_proc(mode)
                leave_host()
                drop_privileges(mode)
                die_with_parent(alive_fd=alive_r)
                seen = os.listdir(PACKAGE_MOUNT) and not os.listdir(OLD_ROOT)
                os._exit(0 if seen else 1)
            os.close(alive_r)
            supervise(inner)
        except BaseException:
            traceback.print_exc()
            os._exit(SETUP_FAILED)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


if __name__ == "__main__":
    sys.exit(_selfcheck(sys.argv[1]))
