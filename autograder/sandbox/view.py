"""What a sandboxed child may see of the host's files: an allow-list derived, not listed.

The view holds the standard library, the packages the probes import (each distribution's own
files and those of the distributions it requires), the shared libraries mapped into the
zygote, and the engine's modules that run beside the submission, file by file (never the
checks, the expected values or the reference). The child adds its staged submission, a few
devices, a /proc of its own and private /tmp and /dev/shm (see isolation.enter_view).
Nothing else of the host is in it: not the kit's root, `dist/` or `build/`, home folders,
other checkouts or other courses, whatever their paths.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata

ENGINE = __name__.partition(".")[0]  # the grading engine's own package
FORBIDDEN = (f"{ENGINE}.checks", "intro_pytorch")  # never loaded where a child is forked
_SITE_NAMES = ("site-packages", "dist-packages")
_SKIPPED = re.compile(r"(\.dist-info|\.egg-info|\.pth|__pycache__)$")
_REQUIRES = re.compile(r"^Requires-Dist:[ \t]*([A-Za-z0-9][A-Za-z0-9._-]*)([^\n]*)$", re.M)
_NAME = re.compile(r"^Name:[ \t]*(\S+)", re.M)
_TOP = re.compile(r"^([^/,\n]+)", re.M)


@dataclass(frozen=True)
class View:
    """Host paths that a child sees at their own paths, read-only.

    trees: folders seen whole (the standard library, a package, a folder of libraries).
    files: single files (an engine module, a shared library).
    covers: folders inside a tree that the child sees empty (a site-packages inside the
    standard library); what it needs of them is among the trees and files.
    """

    trees: tuple[str, ...]
    files: tuple[str, ...]
    covers: tuple[str, ...] = ()

    def paths(self) -> list[str]:
        return [*self.trees, *self.files]

    def items(self) -> list[tuple[str, str]]:
        """(kind, path) with "tree", "file" or "cover", every folder before what is in it."""
        kinds = [("tree", p) for p in self.trees] + [("file", p) for p in self.files]
        kinds += [("cover", p) for p in self.covers]
        return sorted(kinds, key=lambda item: (item[1].count("/"), item[1]))


def inside(path: str, folder: str) -> bool:
    """`path` is `folder` or lies below it (plain strings, no file system access)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _innermost(path: str, folders: Iterable[str]) -> str | None:
    found = [folder for folder in folders if inside(path, folder)]
    return max(found, key=len) if found else None


def _stdlib() -> set[str]:
    """The standard library's folder (its extension modules are in it, or on sys.path)."""
    return {os.path.dirname(os.path.abspath(os.__file__))}


def _module_paths(modules: dict) -> Iterator[tuple[str, str]]:
    """(module name, its file, or each folder of a namespace package) of loaded modules."""
    for name, module in list(modules.items()):
        namespace = getattr(module, "__dict__", None)  # no module-level __getattr__ runs
        if not isinstance(namespace, dict):
            continue
        file = namespace.get("__file__")
        if isinstance(file, str) and os.path.isabs(file):
            yield name, file
            continue
        path = namespace.get("__path__")
        for folder in list(path) if isinstance(path, Iterable) else []:
            if isinstance(folder, str) and os.path.isabs(folder):
                yield name, folder


def _required(roots: Iterable[str]) -> list[metadata.Distribution]:
    """The installed distributions of `roots` and every distribution they require."""
    found: dict[str, metadata.Distribution] = {}
    pending = list(roots)
    while pending:
        key = re.sub(r"[-_.]+", "-", pending.pop()).lower()
        if key in found:
            continue
        try:
            distribution = metadata.distribution(key)
        except (metadata.PackageNotFoundError, ValueError):
            continue
        found[key] = distribution
        # Read as text: parsing the whole METADATA as an e-mail takes 50 times longer.
        for name, marker in _REQUIRES.findall(distribution.read_text("METADATA") or ""):
            if "extra" not in marker:  # optional features are not what the probes use
                pending.append(name)
    return list(found.values())


def _installed(distribution: metadata.Distribution) -> set[str]:
    """The top-level files and folders a distribution installed: from top_level.txt when
    it has one (torch's RECORD is a 1.5 MB list of every file), else from its RECORD."""
    base = os.path.abspath(str(distribution.locate_file("")))
    names = (distribution.read_text("top_level.txt") or "").split()
    if names:
        name = _NAME.search(distribution.read_text("METADATA") or "")
        names += [name.group(1).lower()] if name else []  # pillow.libs: its own libraries
        listing = _listing(base)
        tops = {e for e in listing for n in names if e == n or e.startswith(n + ".")}
    else:
        tops = set(_TOP.findall(distribution.read_text("RECORD") or ""))
    return {os.path.join(base, t) for t in tops if t and t != ".." and not _SKIPPED.search(t)}


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    return tuple(os.listdir(folder))


def mapped_files() -> set[str]:
    """The files mapped into this process: shared libraries, locale data."""
    files = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.rstrip("\n").split(maxsplit=5)
            mapped = fields[5] if len(fields) == 6 else ""
            if mapped.startswith("/") and not mapped.endswith(" (deleted)"):
                files.add(mapped)
    return files


def derive(roots: Iterable[str], modules: dict | None = None) -> View:
    """The view of a child forked from this process, once it imported what probes need.

    roots: import names of the packages the probes use; their distributions and all they
    require are seen whole, imported yet or not. Every loaded module is seen too: one of
    the standard library through it, one in a folder of sys.path as that folder's entry
    (a package, a single module), the engine's own modules file by file.
    """
    modules = sys.modules if modules is None else modules
    leaked = sorted(n for n in modules if any(n == f or n.startswith(f + ".") for f in FORBIDDEN))
    if leaked:
        raise RuntimeError(f"a child must not be forked from a process that holds {leaked}")
    stdlib = _stdlib()
    covers = {
        os.path.join(tree, name)
        for tree in stdlib
        for name in _SITE_NAMES
        if os.path.isdir(os.path.join(tree, name))
    }
    folders = {os.path.abspath(p or os.curdir) for p in sys.path}
    containers = {f for f in folders if os.path.isdir(f) and not _innermost(f, stdlib)} | covers
    trees, files = set(stdlib), set()
    engine = os.path.dirname(os.path.abspath(modules[ENGINE].__file__))

    def add(path: str) -> None:
        container = _innermost(path, containers)
        if container is not None and path != container:
            entry = os.path.join(container, path[len(container) :].lstrip("/").split("/", 1)[0])
            if inside(engine, entry):
                return  # the engine's folder is never seen whole: its checks are in it
            (trees if os.path.isdir(entry) else files).add(entry)
        elif container is None and not _innermost(path, stdlib):
            files.add(path)

    for name, path in _module_paths(modules):
        if name == ENGINE or name.startswith(ENGINE + "."):
            if os.path.isfile(path):
                files.add(path)
        else:
            add(path)
    for distribution in _required(roots):
        for entry in _installed(distribution):
            if os.path.lexists(entry):
                add(entry)
    for path in mapped_files():
        add(path)

    def seen_already(path: str) -> bool:
        """Inside another tree, and not emptied by a cover that lies within that tree."""
        tree = _innermost(path, trees - {path})
        cover = _innermost(path, covers)
        return tree is not None and (cover is None or len(cover) < len(tree))

    trees = {t for t in trees if not seen_already(t)}
    files = {f for f in files if not seen_already(f)}
    return View(tuple(sorted(trees)), tuple(sorted(files)), tuple(sorted(covers)))
