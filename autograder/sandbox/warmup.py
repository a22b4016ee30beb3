"""What a zygote (or a portable worker) imports before any submission code runs: torch, the
probes, and what the probes ask for. Nothing of it may import the submission."""

from __future__ import annotations

import gc
import importlib
import pkgutil
import sys
import traceback

PROBES = "autograder.probes"
GROUP = "autograder.probes.group:run"


def preload(names: list[str]) -> None:
    """Import `names` (torch among them) and pin torch to one thread."""
    for name in names:
        importlib.import_module(name)
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        # One small operation initialises torch's lazy CPU detection, which reads
        # /proc/cpuinfo: a child may have no /proc (bwrap run by root).
        torch.ones(4, 4) @ torch.ones(4, 4)


def grouped(request: dict) -> list[str]:
    """The probes a group request runs (autograder.probes.group), else nothing."""
    if request["probe"] != GROUP:
        return []
    calls = request["args"].get("calls")
    return (
        [call[0] for call in calls if isinstance(call, list) and call and isinstance(call[0], str)]
        if isinstance(calls, list)
        else []
    )


def zygote_imports() -> list[str]:
    """What the loaded probe modules ask the zygote to import when they first run."""
    names = []
    for name, module in list(sys.modules.items()):
        if name.startswith(PROBES + "."):
            names += [n.partition(".")[0] for n in getattr(module, "ZYGOTE_IMPORTS", ())]
    return sorted(set(names))


def import_for(probe: str) -> None:
    """Import, once and in the zygote, the heavy modules a probe's module asks for in
    ZYGOTE_IMPORTS (matplotlib for the plots): later children of any submission share them,
    and gradings that never need them do not wait for them at start."""
    module = sys.modules.get(probe.partition(":")[0])
    for name in getattr(module, "ZYGOTE_IMPORTS", ()):
        try:
            importlib.import_module(name)
        except Exception:  # the child will meet the same error and report it
            traceback.print_exc()
        gc.freeze()


def import_probes() -> dict[str, str]:
    """Import every probe module now, so children need not; returns the ones that failed."""
    errors = {}
    package = importlib.import_module(PROBES)
    for info in pkgutil.walk_packages(package.__path__, PROBES + "."):
        try:
            importlib.import_module(info.name)
        except Exception:
            errors[info.name] = traceback.format_exc(limit=-5)
            print(errors[info.name], file=sys.stderr)
    leaked = sorted(name for name in sys.modules if name.split(".")[0] == "intro_pytorch")
    if leaked:
        raise RuntimeError(f"the zygote or worker must not import submission code: {leaked}")
    return errors
