"""Well-behaved functions, plus module state that must not outlive one probe call."""

import time

import numpy as np

CALLS = []


def add(a, b):
    return a + b


def arange(n):
    return np.arange(n, dtype=np.float32)


def square(values):
    import torch

    return (torch.tensor(values) ** 2).numpy()


def bump():
    CALLS.append(1)
    return len(CALLS)


def pause(seconds):
    time.sleep(seconds)
    return seconds


def not_started():
    raise NotImplementedError("TODO")


def loud_error():
    raise RuntimeError("x" * 10_000_000)


def unjsonable():
    return object()
