"""Probes of part 1 (tensors): call the student's functions on inputs drawn from a seed."""

from __future__ import annotations

import numpy as np
import torch

from .common import (
    Description,
    given,
    load_part,
    noting_input,
    random_shape,
    random_tensor,
    rng,
    run_cases,
)
from .plain import shape_text

MODULE = "part1_tensors"


def from_list(seed: int) -> Description:
    """Nested lists of ints and of floats, 1-D to 3-D, to tensors."""
    draw = rng(seed)
    shapes = [random_shape(draw, 2), random_shape(draw, 1), random_shape(draw, 3, high=4), [1, 1]]
    cases = []
    for index, shape in enumerate(shapes):
        values = draw.integers(-9, 10, size=shape)
        data = (values + draw.random(shape).round(2) if index % 2 else values).tolist()
        kind = "input.nested_list_of_floats" if index % 2 else "input.nested_list_of_ints"
        cases.append((given(kind, shape=shape_text(shape)), (data,)))
    return run_cases(load_part(MODULE).from_list, cases)


def special_matrices(seed: int) -> Description:
    sizes = [int(rng(seed).integers(2, 7)), 1]
    cases = [(given(code=f"n={n}"), (n,)) for n in sizes]
    return run_cases(load_part(MODULE).special_matrices, cases)


def _broadcast_pairs(seed: int) -> list[tuple[str, tuple]]:
    """Equal shapes, a column with a row, a 3-D tensor with a row, a tensor with one number."""
    draw = rng(seed)
    n, m = random_shape(draw, 2, low=2)
    k = int(draw.integers(2, 5))
    shapes = [([n, m], [n, m]), ([n, 1], [1, m]), ([k, n, m], [m]), ([n, m], [1])]
    return [
        (
            given("input.a_and_b", a=shape_text(a), b=shape_text(b)),
            (random_tensor(draw, a), random_tensor(draw, b)),
        )
        for a, b in shapes
    ]


def add(seed: int) -> Description:
    return run_cases(load_part(MODULE).add, _broadcast_pairs(seed))


def multiply(seed: int) -> Description:
    return run_cases(load_part(MODULE).multiply, _broadcast_pairs(seed))


def matmul(seed: int) -> Description:
    draw = rng(seed)
    triples = [random_shape(draw, 3, low=2), random_shape(draw, 3)]
    cases = [
        (
            given("input.a_and_b", a=shape_text((n, k)), b=shape_text((k, m))),
            (random_tensor(draw, [n, k]), random_tensor(draw, [k, m])),
        )
        for n, k, m in triples
    ]
    return run_cases(load_part(MODULE).matmul, cases)


def concat(seed: int) -> Description:
    """Two or three tensors, along the first, the second and the last (dim=-1) dimension."""
    draw = rng(seed)
    cases = []
    for count, dim, rank in [(2, 0, 2), (2, 1, 2), (3, 0, 3), (3, -1, 3)]:
        base = random_shape(draw, rank)
        tensors = []
        for _ in range(count):
            shape = list(base)
            shape[dim] = int(draw.integers(1, 5))
            tensors.append(random_tensor(draw, shape))
        shapes = ", ".join(shape_text(t.shape) for t in tensors)
        cases.append((given("input.tensors_along", shapes=shapes, dim=dim), (tensors, dim)))
    return run_cases(load_part(MODULE).concat, cases)


def to_numpy(seed: int) -> Description:
    draw = rng(seed)
    leaf = random_tensor(draw, random_shape(draw, 2)).requires_grad_(True)
    cases = [
        (given("input.tensor_requiring_grad"), (leaf,)),
        (given("input.plain_tensor"), (leaf.detach() + 1,)),
        (given("input.tensor_computed_with_grad"), (leaf * 2,)),
    ]
    out = run_cases(load_part(MODULE).to_numpy, cases)
    return out.fact("input_untouched", value=bool(leaf.requires_grad and leaf.grad is None))


def from_numpy(seed: int) -> Description:
    """The tensor must see a write made to the array after the call, for any dtype."""
    draw = rng(seed)
    arrays = [
        draw.normal(size=random_shape(draw, 2)).astype(np.float32),
        draw.normal(size=random_shape(draw, 1)),
        np.arange(int(draw.integers(3, 9)), dtype=np.int64),
    ]
    function = load_part(MODULE).from_numpy
    out = Description()
    for index, array in enumerate(arrays):
        described = given("input.array", shape=shape_text(array.shape), dtype=str(array.dtype))
        out.fact(f"case{index}.input", **described)
        with noting_input(described):
            tensor = function(array)
        array.flat[0] = 42
        shares = isinstance(tensor, torch.Tensor) and float(tensor.flatten()[0]) == 42
        out.add(f"case{index}", tensor).fact(f"case{index}.shares", value=bool(shares))
    return out
