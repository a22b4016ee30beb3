"""Shared fixtures: the reference solutions and the student stubs, importable side by side."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

torch.set_num_threads(1)

KIT_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = KIT_ROOT / "solutions" / "intro_pytorch"
ASSIGNMENTS = KIT_ROOT / "assignments" / "intro_pytorch"


class Package:
    """A copy of the intro_pytorch package imported under another name."""

    def __init__(self, folder: Path, alias: str) -> None:
        if alias not in sys.modules:
            spec = importlib.util.spec_from_file_location(
                alias, folder / "__init__.py", submodule_search_locations=[str(folder)]
            )
            package = importlib.util.module_from_spec(spec)
            sys.modules[alias] = package
            spec.loader.exec_module(package)
        self.alias = alias

    def __getitem__(self, module: str) -> ModuleType:
        return importlib.import_module(f"{self.alias}.{module}")


@pytest.fixture(scope="session")
def ref() -> Package:
    """The reference solutions, as package `reference_intro_pytorch`."""
    return Package(SOLUTIONS, "reference_intro_pytorch")


@pytest.fixture(scope="session")
def stubs() -> Package:
    """The generated student stubs, as package `stub_intro_pytorch`."""
    return Package(ASSIGNMENTS, "stub_intro_pytorch")
