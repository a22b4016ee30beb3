"""What every probe needs: load a student's part, and describe its return values as plain data.

Probes run inside the sandbox, after the student's code. A description is flat: JSON facts
about each value (its kind, dtype, shape, …) under a path such as "result" or "result[1]",
plus the numbers themselves as arrays under the same path. The grader compares those with
the reference's; nothing of the student's objects ever leaves the sandbox.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from autograder.sandbox.child import INPUT_NOTE

from . import lean_torch

lean_torch.install()

PACKAGE = "intro_pytorch"
MAX_ITEMS = 64


class ImportFailed(Exception):
    """The student's module could not be imported. Its message is a message id of the
    catalogs with its values, as JSON: the grading side says it in the student's language."""

    def __init__(self, message_id: str, **values: Any) -> None:
        super().__init__(json.dumps({"id": message_id, "values": values}))


class _Missing(types.ModuleType):
    """Stands in for a sibling part that does not import, so the part under test still does."""

    def __init__(self, name: str, error: str) -> None:
        super().__init__(name)
        self.error = error

    def __getattr__(self, attribute: str) -> Callable[..., Any]:
        if attribute.startswith("__"):
            raise AttributeError(attribute)

        def unavailable(*args: Any, **kwargs: Any) -> Any:
            source = f"{self.__name__.rsplit('.', 1)[-1]}.py"
            raise ImportFailed(
                "import.sibling_broken", function=attribute, file=source, error=self.error
            )

        return unavailable


def load_part(module: str, **stand_ins: Callable[..., Any]) -> types.ModuleType:
    """Import intro_pytorch.<module>; replace names it uses with the grader's stand-ins.

    When a sibling part it imports is broken, that sibling is replaced by a placeholder whose
    functions raise when called: the part under test is still graded on its own functions.
    """
    full_name = f"{PACKAGE}.{module}"
    for _ in range(8):
        try:
            loaded = importlib.import_module(full_name)
            break
        except ImportFailed:
            raise
        except BaseException as error:  # noqa: BLE001 - any failure of student code
            culprit = _failed_sibling(error, full_name)
            if culprit is None:
                raise _import_failed(module, error) from error
            sys.modules.pop(full_name, None)
            sys.modules[culprit] = _Missing(culprit, type(error).__name__)
            setattr(sys.modules[PACKAGE], culprit.rsplit(".", 1)[1], sys.modules[culprit])
    else:
        raise ImportFailed("import.gave_up", file=f"{module}.py")
    for name, value in stand_ins.items():
        _route(getattr(loaded, name, None), value)
        setattr(loaded, name, value)
    return loaded


STAND_INS: dict[str, Callable[..., Any]] = {}
_TRAMPOLINE = """
def stand_in(*args, **kwargs):
    return __import__("autograder.probes.common", fromlist=["STAND_INS"]).STAND_INS[{key!r}](
        *args, **kwargs
    )
"""


def _route(function: object, stand_in: Callable[..., Any]) -> None:
    """Make `function` itself call the grader's stand-in, so that a name bound to it before
    the stand-in was put in place (an alias taken at import) reaches the stand-in too."""
    if not isinstance(function, types.FunctionType) or function.__code__.co_freevars:
        return
    key = f"{function.__module__}.{function.__qualname__}"
    STAND_INS[key] = stand_in
    namespace: dict[str, Any] = {}
    exec(compile(_TRAMPOLINE.format(key=key), "<grader stand-in>", "exec"), namespace)  # noqa: S102
    function.__code__ = namespace["stand_in"].__code__


def _failed_sibling(error: BaseException, full_name: str) -> str | None:
    """Name of the sibling module whose import raised `error`, if it is not `full_name`.

    That is the innermost sibling whose top-level code was running: a sibling function that
    the part under test calls at its own top level is the part's fault, not the sibling's.
    """
    tb = error.__traceback__
    culprit = None
    while tb is not None:
        name = tb.tb_frame.f_globals.get("__name__", "")
        if tb.tb_frame.f_code.co_name == "<module>" and name.startswith(f"{PACKAGE}."):
            culprit = name if name != full_name else None
        tb = tb.tb_next
    if culprit is None and isinstance(error, ModuleNotFoundError):
        culprit = error.name  # a sibling file that is missing
    if culprit is None and isinstance(error, SyntaxError) and error.filename:
        path = error.filename.replace("\\", "/").rsplit("/", 2)  # compiling it raised, no frame
        if len(path) == 3 and path[1] == PACKAGE and path[2].endswith(".py"):
            culprit = f"{PACKAGE}.{path[2][:-3]}"
    if culprit is None or not culprit.startswith(f"{PACKAGE}.") or culprit == full_name:
        return None
    return culprit


def _import_failed(module: str, error: BaseException) -> ImportFailed:
    """Why importing the student's module failed, and at which line of it."""
    line = error.lineno if isinstance(error, SyntaxError) else None
    tb = None if isinstance(error, SyntaxError) else error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(f"{module}.py"):
            line = tb.tb_lineno
        tb = tb.tb_next
    values = {"file": f"{module}.py", "error": describe_error(error)}
    if line is None:
        return ImportFailed("import.failed", **values)
    return ImportFailed("import.failed_at_line", line=line, **values)


def describe_error(error: BaseException) -> str:
    """ "RuntimeError: …": an error raised while the grader used what a student's function
    returned, for the check to report as that value's failure."""
    return f"{type(error).__name__}: {_text(error)}"


def _text(error: BaseException, limit: int = 300) -> str:
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 - a hostile __str__
        text = "<unprintable>"
    return text if len(text) <= limit else text[:limit] + "…"


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


class Description(dict):
    """A probe's reply under construction: JSON facts and arrays, keyed by path."""

    def add(self, path: str, value: Any) -> Description:
        """Describe `value` under `path` (recursing into lists, tuples and dicts)."""
        self[path] = _facts(value)
        kind = self[path]["kind"]
        if kind in ("tensor", "ndarray") and self[path].get("numeric"):
            self[f"{path}#"] = _numbers(value)
        elif kind in ("list", "tuple"):
            items = list(value)[:MAX_ITEMS]
            if items and all(_is_number(item) for item in items):
                self[f"{path}#"] = np.array([float(item) for item in items])
            else:
                for index, item in enumerate(items):
                    self.add(f"{path}[{index}]", item)
        elif kind == "dict":
            for key in self[path]["keys"]:
                self.add(f"{path}[{key!r}]", value[key])
        return self

    def fact(self, path: str, **facts: Any) -> Description:
        """Record plain JSON facts (a flag, a count, a message) under `path`."""
        self[path] = {"kind": "facts", **facts}
        return self


NUMBER_KINDS = {
    int: "int",
    float: "float",
    bool: "bool",
    np.integer: "int",
    np.floating: "float",
    np.bool_: "bool",
}


def _number_kind(value: Any) -> str | None:
    """ "int", "float" or "bool" for Python and NumPy scalars (not tensors), else None."""
    if type(value) in (int, float, bool):
        return type(value).__name__
    for kind in (np.bool_, np.integer, np.floating):
        if isinstance(value, kind):
            return NUMBER_KINDS[kind]
    return None


def _is_number(value: Any) -> bool:
    return _number_kind(value) is not None


def _facts(value: Any) -> dict[str, Any]:
    if isinstance(value, torch.Tensor):
        return {
            "kind": "tensor",
            "type": type(value).__name__,
            "dtype": str(value.dtype).removeprefix("torch."),
            "shape": list(value.shape),
            "requires_grad": bool(value.requires_grad),
            "has_grad_fn": value.grad_fn is not None,
            "numeric": value.dtype != torch.bool and not value.is_complex(),
        }
    if isinstance(value, np.ndarray):
        return {
            "kind": "ndarray",
            "type": type(value).__name__,
            "dtype": str(value.dtype),
            "shape": list(value.shape),
            "numeric": value.dtype.kind in "biuf",
        }
    if _is_number(value):
        number = float(value)
        return {
            "kind": _number_kind(value),
            "type": type(value).__name__,
            "value": number if math.isfinite(number) else repr(number),
        }
    if isinstance(value, (list, tuple)):
        return {
            "kind": "list" if isinstance(value, list) else "tuple",
            "type": type(value).__name__,
            "length": len(value),
            "item_types": sorted({type(item).__name__ for item in list(value)[:MAX_ITEMS]}),
        }
    if isinstance(value, dict):
        keys = [key for key in list(value)[:MAX_ITEMS] if isinstance(key, str)]
        return {"kind": "dict", "type": type(value).__name__, "keys": keys}
    if isinstance(value, str):
        return {"kind": "str", "type": "str", "value": value[:200]}
    if value is None:
        return {"kind": "none", "type": "NoneType"}
    return {"kind": "other", "type": type(value).__name__}


def _numbers(value: np.ndarray | torch.Tensor) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().to("cpu")
        if value.dtype in (torch.bfloat16, torch.float16):
            value = value.float()
        return value.numpy().copy()
    return np.array(value, copy=True)


def signature(function: Callable[..., Any]) -> list[list[str]]:
    """[name, repr(default) or ""] for every parameter: to compare with the contract."""
    parameters = inspect.signature(function).parameters.values()
    return [
        [p.name, "" if p.default is inspect.Parameter.empty else repr(p.default)]
        for p in parameters
    ]


def given(message_id: str = "", /, code: str | None = None, **values: Any) -> dict[str, Any]:
    """How a probe describes an input for the report: as code, the way a student would
    write the arguments (`given(code="n=3")`), or as a message of the catalogs with its
    values (`given("input.array", shape="(3, 2)", dtype="float32")`). The grading side puts
    it into the student's language; nothing in a child speaks any language."""
    return {"code": code} if code is not None else {"id": message_id, "values": values}


def run_cases(function: Callable[..., Any], cases: list[tuple[dict, tuple]]) -> Description:
    """Call `function(*args)` for every (input, args) case; describe each result."""
    out = Description()
    for index, (described, args) in enumerate(cases):
        out.fact(f"case{index}.input", **described)
        with noting_input(described):
            out.add(f"case{index}", function(*args))
    return out


@contextmanager
def noting_input(described: dict[str, Any]) -> Iterator[None]:
    """An error raised in the block carries the input being tried (see `given`) to the report."""
    try:
        yield
    except BaseException as error:
        with suppress(Exception):
            setattr(error, INPUT_NOTE, json.dumps(described))
        raise


def random_shape(rng: np.random.Generator, rank: int, low: int = 1, high: int = 6) -> list[int]:
    return [int(n) for n in rng.integers(low, high, size=rank)]


def random_tensor(rng: np.random.Generator, shape: list[int]) -> torch.Tensor:
    return torch.from_numpy(rng.normal(size=shape).astype(np.float32))


def known_mistakes() -> types.ModuleType | None:
    """The hidden module of known-mistake variants, if this (trusted) child can see it."""
    try:
        return importlib.import_module("autograder.checks.hidden.mistakes")
    except ImportError:
        return None


def grader_model(seed: int, width: int = 8) -> torch.nn.Module:
    """The grader's own network for the checks that hand one in: two linear layers with tanh
    between them and a sigmoid after, seeded (not the network of task 3.1)."""
    torch.manual_seed(seed)
    sizes = [(2, width), (width, 1)]
    first, last = (torch.nn.Linear(*pair) for pair in sizes)
    return torch.nn.Sequential(first, torch.nn.Tanh(), last, torch.nn.Sigmoid())


def moons(n: int, seed: int, noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Training points from the kit's own data module."""
    data = importlib.import_module(f"{PACKAGE}.data")
    return data.make_moons(n, noise=noise, seed=seed)


class TorchCalls(TorchFunctionMode):
    """Notes the name of every torch function that runs while it is active, however the
    code reached it (an alias, a method, a module's forward, torch.nn.functional)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):  # noqa: ANN001
        self.names.add(getattr(func, "__name__", ""))
        return func(*args, **(kwargs or {}))

    def ran(self, names: Iterable[str]) -> list[str]:
        """Which of `names` ran."""
        return sorted(self.names.intersection(names))
