"""The student stubs: generated from the solutions, in sync, and every task not started."""

from __future__ import annotations

import inspect

import matplotlib.pyplot as plt
import pytest
from contract import EXAMPLE_ARGS, SIGNATURES, render_signature

from autograder.course.stubs import BEGIN, END, StubError, make_stub, stale_assignments
from autograder.i18n import in_language
from autograder.kit import SOLUTIONS, Part, Task, load_parts

PARTS = load_parts()
TASKS = [(part, task) for part in PARTS for task in part.tasks]


def task_id(value: object) -> str:
    return value.id if hasattr(value, "function") else value.module


def test_assignments_are_in_sync_with_solutions() -> None:
    """assignments/ is exactly what `make assignments` generates from solutions/."""
    assert stale_assignments() == [], "run `make assignments` and commit the result"


def test_manifest_lists_exactly_the_functions_of_the_contract() -> None:
    """Every part's tasks are the functions CURRICULUM.md names, in its order."""
    listed = {part.module: [task.function for task in part.tasks] for part in PARTS}
    expected = {
        module: [signature.split("(")[0] for signature in signatures]
        for module, signatures in SIGNATURES.items()
        if module != "data"
    }
    assert listed == expected
    ids = [task.id for _, task in TASKS]
    assert ids == [f"{part.number}.{k}" for part in PARTS for k in range(1, len(part.tasks) + 1)]


@pytest.mark.parametrize("module", list(SIGNATURES))
def test_signatures_match_the_contract(ref, stubs, module: str) -> None:
    """Reference and stub functions have CURRICULUM.md's parameter names and defaults."""
    for expected in SIGNATURES[module]:
        name = expected.split("(")[0]
        assert render_signature(getattr(ref[module], name)) == expected
        assert render_signature(getattr(stubs[module], name)) == expected


@pytest.mark.parametrize(("part", "task"), TASKS, ids=task_id)
def test_stub_raises_not_implemented_naming_its_task(ref, stubs, part: Part, task) -> None:
    """A valid call runs on the reference and raises NotImplementedError("<id>: …") on the stub."""
    reference_function = getattr(ref[part.module], task.function)
    reference_function(*EXAMPLE_ARGS[task.function]())
    plt.close("all")
    with pytest.raises(NotImplementedError) as raised:
        getattr(stubs[part.module], task.function)(*EXAMPLE_ARGS[task.function]())
    assert str(raised.value) == f"TODO({task.id}): {task.function}"


@pytest.mark.parametrize("part", PARTS, ids=task_id)
def test_stub_module_shows_one_todo_per_task(stubs, part: Part) -> None:
    """The stub keeps docstrings and names every task in a TODO line, with no solution left."""
    source = inspect.getsource(stubs[part.module])
    assert BEGIN not in source and END not in source
    for task in part.tasks:
        assert source.count(f"# TODO({task.id}): ") == 1
        assert getattr(stubs[part.module], task.function).__doc__


def test_data_module_is_copied_unchanged(ref, stubs) -> None:
    """data.py is provided to students as it is."""
    assert inspect.getsource(stubs["data"]) == inspect.getsource(ref["data"])


def demo_part(*functions: str) -> Part:
    """A part whose tasks borrow the ids (and so the TODO words) of part 1's."""
    tasks = tuple(Task(f"1.{k}", name, 1) for k, name in enumerate(functions, 1))
    return Part(9, "part9_demo", "", tasks)


def test_make_stub_replaces_a_region_at_its_indentation() -> None:
    """The region becomes the TODO and the raise, indented like the region's markers."""
    source = (
        "def square(x):\n"
        '    """Doc."""\n'
        "    y = x\n"
        "    ### BEGIN SOLUTION\n"
        "    return y * y\n"
        "    ### END SOLUTION\n"
    )
    assert make_stub(source, demo_part("square")) == (
        "def square(x):\n"
        '    """Doc."""\n'
        "    y = x\n"
        f"    # TODO(1.1): {in_language('en', 'task.1.1.todo')}\n"
        '    raise NotImplementedError("TODO(1.1): square")\n'
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
        ("def f():\n    return 1\n    ### END SOLUTION\n", "without"),
        ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "not a task"),
        ("def f():\n    return 1\n", "no solution region for f"),
        (
            "def f():\n    ### BEGIN SOLUTION\n    a = 1\n    ### END SOLUTION\n"
            "    ### BEGIN SOLUTION\n    return a\n    ### END SOLUTION\n",
            "more than one",
        ),
    ],
)
def test_make_stub_refuses_malformed_solutions(source: str, message: str) -> None:
    """Unpaired markers, regions outside a task and tasks without a region are errors."""
    with pytest.raises(StubError, match=message):
        make_stub(source, demo_part("f"))


@pytest.mark.parametrize("part", PARTS, ids=task_id)
def test_solution_reads_as_a_py_percent_notebook(part: Part) -> None:
    """jupytext sees a title cell tied to the seminar and one code cell per task."""
    import jupytext

    notebook = jupytext.read(SOLUTIONS / part.filename, fmt="py:percent")
    title = notebook.cells[0]
    assert title.cell_type == "markdown"
    assert title.source.startswith(
        f"# Part {part.number}. {in_language('en', f'part.{part.number}.title')}"
    )
    assert part.seminar in title.source
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    for task in part.tasks:
        cells = [source for source in code if f"def {task.function}(" in source]
        assert len(cells) == 1 and cells[0].count(BEGIN) == 1, task.id
