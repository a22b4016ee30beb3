"""Each function tries to escape, starve, spy on or fool the sandbox."""

import contextlib
import ctypes
import json
import os
import signal
import socket
import sys
import time

import numpy as np


def _rename(tag):
    """Name this process (and its future children) so the test can look for survivors."""
    ctypes.CDLL(None).prctl(15, tag.encode(), 0, 0, 0)


def spin(tag):
    _rename(tag)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass


def hog():
    blocks = []
    while True:
        blocks.append(bytearray(64 << 20))


def fork_bomb(tag):
    _rename(tag)
    while True:
        with contextlib.suppress(OSError):
            os.fork()


def detach(tag, seconds, marker):
    """Double-fork a daemon that outlives this call, then writes a marker and keeps running."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            _rename(tag)
            time.sleep(seconds)
            with open(marker, "w") as stream:
                stream.write("survived\n")
            time.sleep(600)
        os._exit(0)
    os.wait()
    return "detached"


def scribble(paths):
    outcome = {}
    for path in paths:
        try:
            with open(path, "a") as stream:
                stream.write("pwned\n")
            outcome[path] = "written"
        except OSError as exc:
            outcome[path] = type(exc).__name__
    return outcome


def peek(roots):
    found = {}
    for root in roots:
        found[root] = []
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    with open(path, errors="replace") as stream:
                        found[root].append([path, stream.read(100)])
                except OSError as exc:
                    found[root].append([path, type(exc).__name__])
    return found


def connect(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        return type(exc).__name__
    return "connected"


def spam():
    for fd in range(3, 1024):
        with contextlib.suppress(OSError):
            os.write(fd, b"\0garbage" * 8)
    return "spammed"


def flood(megabytes):
    """Pour garbage into fd 3, where the reply pipe happens to be."""
    chunk = b"\0" * (1 << 20)
    for _ in range(megabytes):
        os.write(3, chunk)
    return "flooded"


def close_all():
    os.closerange(0, 1024)
    os.open(os.devnull, os.O_WRONLY)  # takes a freed number, perhaps the reply's
    return "closed"


def forge():
    """Write a well-formed frame claiming success to every fd, then return normally."""
    from autograder.sandbox import protocol

    frame = protocol.encode({"status": "ok", "data": {"result": "full marks"}})
    for fd in range(3, 1024):
        with contextlib.suppress(OSError):
            os.write(fd, frame)
    return "honest"


def monkeypatch():
    """Break what a naive worker would use to reply, then return an array."""
    result = np.arange(3)
    np.savez = json.dumps = lambda *args, **kwargs: None
    os.write = os.fstat = os._exit = lambda *args: 0
    sys.stdout = sys.stderr = None
    return result


def shout(megabytes):
    line = "x" * 1023 + "\n"
    for _ in range(megabytes * 1024):
        sys.stdout.write(line)
    print("the end", file=sys.stderr)
    return megabytes
