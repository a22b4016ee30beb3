"""Measure the accuracy margins of the fit and fit_minibatch checks (`make calibrate`).

A correct submission may draw its random numbers in another order than the reference (its
own nn.Module subclass, a random draw before building the model, the loader made first),
so on one seed its held-out accuracy can fall below the reference's. This script trains the
reference and such correct variants on many seeds, exactly as the checks do (the same
training data, the grader's held-out points), and reports the largest drop below the
reference, which the margins in checks/public/test_part5.py and test_part6.py must cover.
fit_minibatch is trained for FIT_MINIBATCH_EPOCHS, as its check does.
It also trains known mistakes, to show that the margins still catch them.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import inspect
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from autograder.checks.public.test_part5 import FIT_MARGIN
from autograder.checks.public.test_part6 import FIT_MINIBATCH_EPOCHS, FIT_MINIBATCH_MARGIN
from autograder.grading.plugin import held_out_moons
from autograder.kit import SOLUTIONS
from autograder.probes.plain import FIT_POINTS, HELD_OUT_POINTS


def load_reference() -> dict[str, object]:
    """The reference package, imported under its own name from solutions/."""
    spec = importlib.util.spec_from_file_location(
        "intro_pytorch", SOLUTIONS / "__init__.py", submodule_search_locations=[str(SOLUTIONS)]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules["intro_pytorch"] = package
    spec.loader.exec_module(package)
    return {
        name: importlib.import_module(f"intro_pytorch.{name}")
        for name in ("data", "part3_network", "part5_training", "part6_minibatch")
    }


class OutputFirst(nn.Module):
    """A correct network written as a subclass that creates its output layer first."""

    def __init__(self, hidden_size: int = 16) -> None:
        super().__init__()
        self.output = nn.Linear(hidden_size, 1)
        self.hidden = nn.Linear(2, hidden_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.output(torch.relu(self.hidden(x))))


def defaults(function: Callable) -> dict[str, object]:
    """The default arguments of a function: the curriculum's sizes and rates."""
    parameters = inspect.signature(function).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


def variants(ref: dict[str, object], epochs: int) -> dict[str, dict[str, Callable]]:
    """Correct and mistaken ways to write fit and fit_minibatch, by name, trained with the
    reference's own defaults (fit_minibatch for `epochs`, as its check does)."""
    p5, p6 = ref["part5_training"], ref["part6_minibatch"]
    full, mini = defaults(p5.fit), {**defaults(p6.fit_minibatch), "epochs": epochs}

    def settings(minibatch: bool) -> dict[str, object]:
        return mini if minibatch else full

    def with_model(build: Callable, draw_first: bool = False, loader_first: bool = False):
        def fit(X, y, seed=0, minibatch=False):
            given = settings(minibatch)
            torch.manual_seed(seed)
            if draw_first:
                torch.rand(1)
            if minibatch:
                size = given["batch_size"]
                loader = p6.make_loader(X, y, size, shuffle=True) if loader_first else None
                model = build(given["hidden_size"])
                optimizer = p5.make_optimizer(model, given["optimizer"], given["lr"])
                loader = loader or p6.make_loader(X, y, size, shuffle=True)
                losses = p6.train_minibatch(model, loader, nn.BCELoss(), optimizer, epochs)
                return model, losses
            model = build(given["hidden_size"])
            inputs = torch.as_tensor(X, dtype=torch.float32)
            targets = torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
            optimizer = p5.make_optimizer(model, given["optimizer"], given["lr"])
            losses = p5.train(model, inputs, targets, nn.BCELoss(), optimizer, given["epochs"])
            return model, losses

        return fit

    def no_zero_grad(X, y, seed=0, minibatch=False):
        given = settings(minibatch)
        torch.manual_seed(seed)
        model = ref["part3_network"].build_model(given["hidden_size"])
        optimizer = p5.make_optimizer(model, given["optimizer"], given["lr"])
        inputs = torch.as_tensor(X, dtype=torch.float32)
        targets = torch.as_tensor(y, dtype=torch.float32).reshape(-1, 1)
        batches = p6.make_loader(X, y, given["batch_size"]) if minibatch else [(inputs, targets)]
        for _ in range(given["epochs"]):
            for xb, yb in batches:
                nn.BCELoss()(model(xb), yb).backward()
                optimizer.step()
        return model, []

    def no_hidden_relu(X, y, seed=0, minibatch=False):
        def linear(hidden_size: int) -> nn.Module:
            return nn.Sequential(nn.Linear(2, hidden_size), nn.Linear(hidden_size, 1), nn.Sigmoid())

        return with_model(linear)(X, y, seed, minibatch)

    return {
        "correct": {
            "output layer created first": with_model(OutputFirst),
            "a random draw before the model": with_model(
                ref["part3_network"].build_model, draw_first=True
            ),
            "loader made before the model": with_model(
                ref["part3_network"].build_model, loader_first=True
            ),
        },
        "mistaken": {"no zero_grad": no_zero_grad, "no hidden ReLU": no_hidden_relu},
    }


def measure(seeds: int) -> dict[str, object]:
    torch.set_num_threads(1)
    ref = load_reference()
    every = variants(ref, FIT_MINIBATCH_EPOCHS)
    report: dict[str, object] = {}
    for minibatch, name, margin in (
        (False, "fit", FIT_MARGIN),
        (True, "fit_minibatch", FIT_MINIBATCH_MARGIN),
    ):
        if minibatch:
            reference_fit = functools.partial(
                ref["part6_minibatch"].fit_minibatch, epochs=FIT_MINIBATCH_EPOCHS
            )
        else:
            reference_fit = ref["part5_training"].fit
        rows = {"reference": []} | {label: [] for kind in every.values() for label in kind}
        started = time.perf_counter()
        for seed in range(seeds):
            X, y = ref["data"].make_moons(FIT_POINTS, noise=0.2, seed=seed)
            X_test, y_test = held_out_moons(HELD_OUT_POINTS, seed)
            accuracy = ref["part5_training"].accuracy
            rows["reference"].append(accuracy(reference_fit(X, y, seed=seed)[0], X_test, y_test))
            for kind in every.values():
                for label, fit in kind.items():
                    model = fit(X, y, seed=seed, minibatch=minibatch)[0]
                    rows[label].append(accuracy(model, X_test, y_test))
        reference = np.array(rows["reference"])
        drops = {
            label: float(np.max(reference - np.array(rows[label]))) for label in every["correct"]
        }
        caught = {
            label: float(np.mean(np.array(rows[label]) < reference - margin))
            for label in every["mistaken"]
        }
        report[name] = {
            "seeds": seeds,
            "seconds": round(time.perf_counter() - started, 1),
            "reference_mean": float(reference.mean()),
            "reference_min": float(reference.min()),
            "largest_drop_of_a_correct_variant": drops,
            "margin_in_the_check": margin,
            "margin_covers_every_correct_variant": margin > max(drops.values()),
            "share_of_seeds_where_the_margin_catches": caught,
            "mean_accuracy": {label: float(np.mean(values)) for label, values in rows.items()},
        }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.course.calibrate", description=__doc__
    )
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("build/calibration.json"))
    args = parser.parse_args(argv)
    report = measure(args.seeds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
