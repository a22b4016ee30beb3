"""The letters check: English words in a Russian text, outside code.

Code is what stands in backticks, placeholders, names written as code (with an underscore,
a digit, a dot or a call), file names, and the names the seminar keeps in Latin
letters (PyTorch, NumPy, ReLU, …, and the glossary's glossed terms such as «смещение
(bias)»). What is left of Latin letters there is English the translation missed.
"""

from __future__ import annotations

import re

# names and glossed terms that Russian text keeps in Latin letters (see GLOSSARY.md)
KEPT = {
    "PyTorch",
    "NumPy",
    "ReLU",
    "SGD",
    "Adam",
    "Sigmoid",
    "Tanh",
    "Autograd",
    "NaN",
    "GPU",
    "matplotlib",
    "Agg",
    "Gradescope",
    "nbgrader",
    "pytest",
    "Jupyter",
    "Python",
    "Ctrl",
    "bias",
    "learning",
    "rate",
    "momentum",
    "accuracy",
    "broadcasting",
    "dict",
    "comprehension",
    "KiB",
    "Windows",
    "macOS",
    "Linux",
    "Colab",
    "inf",
    "float",
    "int",
}
CODE = re.compile(r"`[^`]*`|%\(\w+\)[sr]|%s")
FILE = re.compile(r"[\w./-]+\.(?:py|json|md|csv|png|toml|txt|ipynb|html|zip|npz|sh)\b")
MATH = re.compile(r"\b(?:[a-zA-Z]|e\^\S*|d[fxwb]/d\w+|x\d|N|sin|log|exp)\b")
# a word of prose: letters only, not part of a name (part1_tensors, X_train, np.linspace)
WORD = re.compile(r"(?<![\w.=])[A-Za-z]{2,}(?![\w.(=\[])")


def english_words(text: str) -> list[str]:
    """The Latin-letter words of `text` outside code, file names and the kept names."""
    plain = FILE.sub(" ", CODE.sub(" ", text))
    plain = MATH.sub(" ", plain)
    return [word for word in WORD.findall(plain) if word not in KEPT]


def english_phrases(text: str) -> list[str]:
    """Runs of two or more English words in a row (a sentence, not a name) outside code."""
    plain = FILE.sub(" ", CODE.sub(" ", text))
    words = r"(?<![\w.=])[A-Za-z]{2,}(?![\w.(=\[])"
    found = re.findall(rf"{words}(?:[ ]+{words})+", plain)
    return [run for run in found if not set(run.split()) <= KEPT]
