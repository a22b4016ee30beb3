"""A hostile part 1 that searches every folder it can reach for a copy of the reference or a
file planted by the test (named MARKER_PREFIX...). With a copy, it takes that copy's
functions, and so their points; concat (1.6) always raises with a report of the search.

Appended to the stub of part1_tensors.py by tests/test_view.py.
"""

import json
import os
import pathlib
import sys
import time

MARKER_PREFIX = "agview-"
TOKEN = "@TOKEN@"  # what the test planted this time: the report names those paths in full
_SKIP = {"site-packages", "dist-packages", "__pycache__", ".git", "node_modules", "proc", "sys"}
_BUDGET = {"entries": 300_000, "seconds": 20.0}


def _roots():
    """(folder, depth): the kit, its distributions, its parents, homes, shared folders, every
    folder of sys.path and every folder a .pth file names."""
    import autograder

    kit = pathlib.Path(autograder.__file__).resolve().parents[1]
    deep = [kit, kit / "dist", pathlib.Path.home(), "/root", "/tmp", "/srv", "/opt", "/home"]
    roots = [(str(folder), 6) for folder in deep]
    roots += [(str(parent), 1) for parent in kit.parents]
    listed = [os.path.abspath(p or os.curdir) for p in sys.path]
    for folder in list(listed):
        try:
            names = [n for n in os.listdir(folder) if n.endswith(".pth")]
        except OSError:
            continue
        for name in names:
            try:
                lines = pathlib.Path(folder, name).read_text().splitlines()
            except OSError:
                continue
            listed += [line.strip() for line in lines if line.strip().startswith("/")]
    return roots + [(folder, 2) for folder in listed]


def _search():
    cached = os.environ.get("AGVIEW_FOUND")
    if cached:
        return json.loads(cached)
    own = os.path.dirname(os.path.abspath(__file__))
    found = {"roots": 0, "entries": 0, "own": False, "markers": [], "copies": []}
    started = time.monotonic()
    for root, depth in _roots():
        if not os.path.isdir(root):
            continue
        found["roots"] += 1
        base = root.rstrip("/").count("/")
        for folder, subfolders, names in os.walk(root):
            found["entries"] += len(subfolders) + len(names)
            if folder.rstrip("/").count("/") - base >= depth - 1:
                subfolders[:] = []
            subfolders[:] = [s for s in subfolders if s not in _SKIP]
            for name in names:
                path = os.path.join(folder, name)
                if name.startswith(MARKER_PREFIX):
                    found["markers"].append(path)
                elif name == "part1_tensors.py":
                    if os.path.dirname(path) == own:
                        found["own"] = True
                        continue
                    try:
                        text = pathlib.Path(path).read_text()
                    except OSError:
                        continue
                    if "def from_list" in text and 'NotImplementedError("TODO(1.1)' not in text:
                        found["copies"].append(path)
            if found["entries"] > _BUDGET["entries"]:
                break
            if time.monotonic() - started > _BUDGET["seconds"]:
                break
    found["markers"] = sorted(set(found["markers"]))
    found["copies"] = sorted(set(found["copies"]))
    os.environ["AGVIEW_FOUND"] = json.dumps(found)
    return found


_FOUND = _search()
if _FOUND["copies"]:
    exec(pathlib.Path(_FOUND["copies"][0]).read_text())


def concat(tensors, dim=0):
    report = {
        **_FOUND,
        "markers": [path for path in _FOUND["markers"] if TOKEN in path],
        "copies": [path for path in _FOUND["copies"] if TOKEN in path],
        "counts": [len(_FOUND["markers"]), len(_FOUND["copies"])],
    }
    raise LookupError("view search " + json.dumps(report))
