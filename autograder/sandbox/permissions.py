"""Sandbox mode "uid" hides secrets by file permissions: group and other access are taken off
while a grader runs and given back when the last grader that closed them ends.

Without a mount namespace a child sees the host's files as uid 65534; a folder that others
cannot enter hides all it holds. The modes found before closing are kept in a state file
(locked while it changes) that names the graders holding them, so graders running side by
side agree, and one that was killed leaves them for the next to give back.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

# Without a state file, the graders of this process share one record.
_PROCESS_RECORD: dict = {}
_PROCESS_LOCK = threading.Lock()


def _mode(path: str) -> int | None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    return None if stat.S_ISLNK(info.st_mode) else stat.S_IMODE(info.st_mode)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ClosedPaths:
    """Paths closed to group and others from `close()` until `reopen()` (or the last holder's).

    state: the file that records the original modes and the graders holding them (in a
    folder only the grader may write); None keeps them in this process.
    """

    def __init__(self, paths: Iterable[str], state: Path | None = None) -> None:
        self.paths = sorted(set(map(str, paths)))
        self.state = state
        self._held = False

    @contextlib.contextmanager
    def _record(self) -> Iterator[dict]:
        if self.state is None:
            with _PROCESS_LOCK:
                yield _PROCESS_RECORD
            return
        import fcntl  # POSIX only, as this mode is

        self.state.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "r+") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            text = file.read()
            try:
                data = json.loads(text) if text else {}
            except ValueError:
                data = {}
            yield data
            file.seek(0)
            file.truncate()
            json.dump(data, file)

    def close(self) -> None:
        """Record each path's mode (unless another grader holds it closed), then close it: a
        grader stopped in between leaves nothing closed that is not recorded."""
        with self._record() as data:
            modes: dict[str, int] = data.setdefault("modes", {})
            holders = [pid for pid in data.get("holders", []) if _alive(pid)]
            for path in self.paths:
                mode = _mode(path)
                if mode is not None:
                    modes.setdefault(path, mode)
            data["holders"] = [*holders, os.getpid()]
        self._held = True
        for path in self.paths:
            mode = _mode(path)
            if mode is not None:
                os.chmod(path, mode & 0o700)

    def reopen(self) -> None:
        """Let go; the last holder gives every recorded path its mode back (once)."""
        if not self._held:
            return
        self._held = False
        self._give_back(leaving=True)

    def recover(self) -> None:
        """Give back what graders that were killed left closed (for a grader in another
        mode, which closes nothing itself); a grader that may not change them leaves them."""
        if self.state is None:
            return
        try:
            if json.loads(self.state.read_text()).get("modes"):
                self._give_back(leaving=False)
        except (OSError, ValueError):
            return

    def _give_back(self, leaving: bool) -> None:
        with self._record() as data:
            holders = [pid for pid in data.get("holders", []) if _alive(pid)]
            if leaving:
                with contextlib.suppress(ValueError):
                    holders.remove(os.getpid())
            data["holders"] = holders
            if holders:
                return
            for path, mode in data.pop("modes", {}).items():
                if _mode(path) is not None:
                    os.chmod(path, mode)
