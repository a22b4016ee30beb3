"""Expected values: the probes run on the reference solutions, computed once and kept.

The store is an .npz file per check set (arrays loaded with allow_pickle=False; the JSON
facts ride along as UTF-8 bytes), with the seconds each probe took on the reference (the
time limits of a submission's probes follow them). It records a fingerprint of the
solutions, the probes and the library versions; when any of them changes, the values are
computed again in a trusted sandbox. Without solutions/ (a student bundle) the shipped file
is used as it is.
"""

from __future__ import annotations

import hashlib
import io
import json
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from autograder.kit import ENGINE, write_atomic

# What the reference run executes besides the solutions: the probes, and the known mistakes
# that the probes run there to name a student's (autograder.checks.hidden.mistakes).
EXECUTED = (ENGINE / "probes", ENGINE / "checks" / "hidden" / "mistakes.py")
META = "__meta__"


def fingerprint(solutions: Path) -> str:
    """Hash of everything the expected values depend on: the code the reference run
    executes and the versions of the libraries it computes with."""
    digest = hashlib.sha256()
    for place in (solutions, *EXECUTED):
        for path in sorted(place.glob("*.py")) if place.is_dir() else [place]:
            if path.is_file():
                digest.update(str(path.relative_to(place.parent)).encode())
                digest.update(path.read_bytes())
    for package in ("torch", "numpy"):
        digest.update(f"{package}=={metadata.version(package)}".encode())
    return digest.hexdigest()


class ReferenceStore:
    """Expected probe results of one check set, keyed by ProbeCall.key."""

    def __init__(self, path: Path, solutions: Path | None) -> None:
        self.path = path
        self.solutions = solutions if solutions is not None and solutions.is_dir() else None
        self.fingerprint = fingerprint(self.solutions) if self.solutions else None
        self._loaded: dict[str, tuple[dict[str, Any], dict[str, np.ndarray]]] | None = None
        self._seconds: dict[str, float] = {}

    def load(self) -> dict[str, tuple[dict[str, Any], dict[str, np.ndarray]]]:
        """Return {call key: (data, arrays)}; empty when missing, unreadable or stale."""
        if self._loaded is None:
            self._loaded = self._read()
        return dict(self._loaded)

    def seconds(self) -> dict[str, float]:
        """{call key: seconds its probe took on the reference}, as far as they are known."""
        self.load()
        return dict(self._seconds)

    def _read(self) -> dict[str, tuple[dict[str, Any], dict[str, np.ndarray]]]:
        try:
            with np.load(self.path, allow_pickle=False) as archive:
                meta = json.loads(archive[META].tobytes().decode())
                if self.fingerprint is not None and meta.get("fingerprint") != self.fingerprint:
                    return {}
                results = {key: (data, {}) for key, data in meta["calls"].items()}
                self._seconds = {
                    key: float(value)
                    for key, value in meta.get("seconds", {}).items()
                    if key in results
                }
                for name in archive.files:
                    if name != META:
                        key, _, array_name = name.partition("/")
                        results[key][1][array_name] = archive[name]
                return results
        except (OSError, ValueError, KeyError):
            return {}

    def save(
        self,
        results: dict[str, tuple[dict[str, Any], dict[str, np.ndarray]]],
        seconds: dict[str, float],
    ) -> None:
        """Write all results and their seconds atomically (a concurrent reader sees the old or
        the new file)."""
        self._loaded = dict(results)
        self._seconds = {key: seconds[key] for key in results if key in seconds}
        meta = {
            "fingerprint": self.fingerprint,
            "calls": {key: data for key, (data, _) in results.items()},
            "seconds": self._seconds,
        }
        arrays = {
            f"{key}/{name}": array
            for key, (_, named) in results.items()
            for name, array in named.items()
        }
        arrays[META] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        write_atomic(self.path, buffer.getvalue(), mode=0o600)
