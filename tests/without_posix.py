"""Make this Python lack what only POSIX systems have, as Windows does: os.fork, setsid,
killpg, getuid and their kin, signal.SIGKILL, and the modules resource, fcntl and termios.

A .pth file of a test environment imports it while the interpreter starts, before anything
else can import those modules. psutil, imported first, keeps the parts its own POSIX back end
needs (on Windows it has a back end of its own); nothing else does.
"""

import os
import signal
import sys
import types

import psutil

MODULES = ("resource", "fcntl", "termios")
OS_NAMES = (
    "fork",
    "forkpty",
    "setsid",
    "killpg",
    "getuid",
    "geteuid",
    "getgid",
    "getegid",
    "setresuid",
    "setresgid",
    "setgroups",
    "getpgid",
    "pidfd_open",
)

psutil.signal = types.SimpleNamespace(**vars(signal))


class _Refuse:
    """A meta path finder that finds the POSIX-only modules missing."""

    def find_spec(self, name, path=None, target=None):
        if name in MODULES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


for name in OS_NAMES:
    if hasattr(os, name):
        delattr(os, name)
if hasattr(signal, "SIGKILL"):
    delattr(signal, "SIGKILL")
for name in MODULES:
    sys.modules.pop(name, None)
sys.meta_path.insert(0, _Refuse())
