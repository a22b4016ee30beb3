"""Keep torch._dynamo out of the children unless something really needs it.

Every optimizer imports torch._dynamo (over a second here, as long as torch itself) only to
switch the compiler off around its step. Nothing in a child compiles, so a stand-in that
makes `disable` a no-op is exact; any other use of torch._dynamo loads the real module.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

import torch

NAME = "torch._dynamo"


class _StandIn(types.ModuleType):
    """torch._dynamo until something asks for more than `disable` and `graph_break`."""

    @staticmethod
    def disable(fn: Callable | None = None, recursive: bool = True, **kwargs: Any) -> Any:
        return fn if fn is not None else (lambda function: function)

    @staticmethod
    def graph_break() -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        del sys.modules[NAME]
        real = importlib.import_module(NAME)
        torch._dynamo = real
        return getattr(real, name)


def install() -> None:
    """Put the stand-in in place, unless the real torch._dynamo is already loaded."""
    if NAME not in sys.modules:
        sys.modules[NAME] = _StandIn(NAME)
        torch._dynamo = sys.modules[NAME]
