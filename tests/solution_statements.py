"""The finished code of the reference: what no text a student can read may hold.

From every solution region (between nbgrader's markers) this collects each statement that
computes something with a call, the expression it returns or assigns, and each call in it
that takes two or more arguments or a keyword. A text holds one when the statement's code
appears in it, spaces aside. The contract's own words (the five steps of training, the
seed, the loss) are not secrets: CURRICULUM.md states them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from autograder.course.stubs import BEGIN, END
from autograder.kit import load_parts

# the student's own functions (and len, range), called with the contract's names
OWN = {task.function for part in load_parts() for task in part.tasks} | {"len", "range"}
CONTRACT = {
    "torch.manual_seed(seed)",
    "optimizer.zero_grad()",
    "loss.backward()",
    "optimizer.step()",
    "loss.item()",
    "nn.BCELoss()",
}


def _compact(code: str) -> str:
    return re.sub(r"\s+", "", code)


def _calls_with_arguments(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and (n.args or n.keywords) for n in ast.walk(node))


def _plain_call(node: ast.AST) -> bool:
    """A call of a student's own function (or len, range) on plain names: f(model, X)."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in OWN
        and all(isinstance(a, (ast.Name, ast.Constant)) for a in node.args)
        and not node.keywords
    )


def _region_code(path: Path) -> list[str]:
    """The code of each solution region of one module, dedented."""
    regions, current = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        marker = line.strip()
        if marker == BEGIN:
            current = []
        elif marker == END:
            regions.append(current)
            current = None
        elif current is not None:
            current.append(line)
    texts = []
    for lines in regions:
        indent = min(len(x) - len(x.lstrip()) for x in lines if x.strip())
        texts.append("\n".join(x[indent:] for x in lines))
    return texts


def secrets(solutions: Path) -> dict[str, str]:
    """{compact code: where it comes from} of every finished statement of the reference."""
    found: dict[str, str] = {}
    for path in sorted(solutions.glob("*.py")):
        for text in _region_code(path):
            for node in ast.walk(ast.parse(text)):
                pieces = []
                if isinstance(node, ast.stmt) and not isinstance(
                    node, (ast.For, ast.While, ast.If, ast.With, ast.Try, ast.FunctionDef)
                ):
                    pieces.append(node)
                    value = getattr(node, "value", None)
                    if isinstance(value, ast.AST):
                        pieces.append(value)
                if isinstance(node, ast.Call) and (
                    len(node.args) + len(node.keywords) >= 2 or node.keywords
                ):
                    pieces.append(node)
                for piece in pieces:
                    code = ast.unparse(piece)
                    if _plain_call(piece) or code in CONTRACT:
                        continue
                    if _calls_with_arguments(piece):
                        found.setdefault(_compact(code), f"{path.name}: {code}")
    return found


def leaks(text: str, secret: dict[str, str]) -> list[str]:
    """The finished statements of the reference that `text` holds."""
    compact = _compact(text)
    return sorted(origin for code, origin in secret.items() if code in compact)
