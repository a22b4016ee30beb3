"""The scan that keeps the reference's code out of what students read finds what it must."""

from __future__ import annotations

from conftest import SOLUTIONS
from solution_statements import CONTRACT, leaks, secrets


def test_every_task_has_finished_statements_to_look_for() -> None:
    found = secrets(SOLUTIONS)
    origins = " ".join(found.values())
    for module in ("part1", "part2", "part3", "part4", "part5", "part6", "part7"):
        assert f"{module}_" in origins, module
    assert "torch.cat(tensors,dim=dim)" in found
    assert "torch.optim.SGD(model.parameters(),lr=lr,momentum=0.9)" in found


def test_a_statement_inside_a_longer_line_is_found_whatever_its_spacing() -> None:
    """A TOML hint or a comment that quotes the answer in the middle of a sentence."""
    found = secrets(SOLUTIONS)
    line = 'hint = "join them: torch.cat( tensors,dim = dim ) along an existing dimension."'
    assert leaks(line, found) == ["part1_tensors.py: torch.cat(tensors, dim=dim)"]
    model = "nn.Sequential(nn.Linear(2, hidden_size), nn.ReLU(), nn.Linear(hidden_size, 1))"
    assert "part3_network.py: nn.Linear(2, hidden_size)" in leaks(f"try {model}", found)


def test_the_contracts_own_words_and_mere_names_are_not_leaks() -> None:
    found = secrets(SOLUTIONS)
    text = (
        "Each epoch: optimizer.zero_grad(), forward, loss, loss.backward(), optimizer.step(). "
        "Seed with torch.manual_seed(seed). Look up torch.cat, torch.from_numpy, nn.Linear. "
        "Linear(2, hidden_size) → ReLU → Linear(hidden_size, 1) → Sigmoid."
    )
    assert leaks(text, found) == []
    assert not CONTRACT & set(found)
