"""The kit speaks English and Russian: the catalogs hold every message in both, with the same
placeholders; the code asks only for messages they hold; the Russian stubs are the English
ones in other words, with the same code."""

from __future__ import annotations

import ast
import re

import pytest
from conftest import KIT_ROOT, SOLUTIONS
from russian_text import english_phrases, english_words

from autograder.course.bundle import MAKEFILE_WORDS
from autograder.course.catalogs import read, stale
from autograder.course.stubs import render_assignments
from autograder.course.texts import english, load_translation
from autograder.i18n import LANGUAGES, LanguageError, choose
from autograder.kit import load_parts

ENGINE = KIT_ROOT / "autograder"
FAMILIES = (
    "batch|call|check|check_set|check_set_short|class|cli|expect|failure|gradescope|grader|"
    "import|input|argparse|watch|bundle|"
    "mistake|nbgrader|notebook|page|part|report|sandbox|status|subject|submission|task|value"
)
LITERAL_ID = re.compile(rf"""["']((?:{FAMILIES})\.[a-z0-9_.]+)["'](?!\])""")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TASKS = [task for part in load_parts() for task in part.tasks]


def messages(language: str) -> dict[str, tuple[str, ...]]:
    """{id: its text (a tuple of plural forms for a plural)} of a catalog."""
    found = {}
    for message in read(language):
        if message.id:
            key = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            found[key] = strings
    return found


def computed_ids() -> set[str]:
    """The ids the code builds from data: per task, part, status, kind of value, check set."""
    ids = {f"task.{t.id}.{kind}" for t in TASKS for kind in ("todo", "hint")}
    ids |= {f"check.{t.id}.name" for t in TASKS}
    ids |= {f"part.{p.number}.title" for p in load_parts()}
    ids |= {f"status.{s}" for s in ("passed", "failed", "not_started", "error")}
    kinds = ("tensor", "ndarray", "list", "tuple", "dict", "float", "int", "bool", "str", "none")
    ids |= {f"value.kind.{k}" for k in kinds} | {f"value.{k}" for k in kinds[:4]}
    ids |= {"sandbox.killed_cpu", "sandbox.killed_file_size"}
    commands = ("grade", "check", "watch", "demo", "plot", "grade_all", "build_nbgrader")
    commands += ("grade_nbgrader", "assignments", "release", "gradescope")
    ids |= {f"cli.help.{command}" for command in commands}
    ids |= {f"bundle.make.{word}" for word in MAKEFILE_WORDS}
    for check_set in ("public", "hidden"):
        ids |= {f"check_set.{check_set}", f"check_set_short.{check_set}"}
        ids.add(f"notebook.{check_set}_check")
    return ids


def literal_ids() -> set[str]:
    """Every message id written out in the engine's code."""
    found = set()
    for path in ENGINE.rglob("*.py"):
        found |= set(LITERAL_ID.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_catalogs_are_compiled_and_in_step() -> None:
    assert stale() == [], "run `make catalogs`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_the_code_asks_for_is_in_the_catalog(language: str) -> None:
    held = messages(language)
    wanted = literal_ids() | computed_ids()
    assert sorted(wanted - set(held)) == []
    # and every message is asked for somewhere: none is left behind by a change
    assert sorted(set(held) - wanted) == []


def test_every_message_is_written_in_both_languages_with_the_same_placeholders() -> None:
    english_messages, russian = messages("en"), messages("ru")
    assert english_messages.keys() == russian.keys()
    for key, forms in russian.items():
        assert all(forms), f"{key} is not translated"
        names = {tuple(sorted(set(PLACEHOLDER.findall(text)))) for text in english_messages[key]}
        for text in forms:
            assert tuple(sorted(set(PLACEHOLDER.findall(text)))) in names, (key, text)
            assert text.count("`") % 2 == 0, (key, text)
        if len(english_messages[key]) > 1:
            assert len(forms) == 3, f"{key}: Russian has three plural forms"


def test_russian_messages_hold_no_english_outside_code() -> None:
    found = {
        key: words
        for key, forms in messages("ru").items()
        if (words := sorted({w for text in forms for w in english_words(text)}))
    }
    assert found == {}


def test_plural_forms_follow_the_number() -> None:
    from autograder.i18n import catalog

    russian = catalog("ru")
    words = [russian.ngettext("value.list", "value.list", n) % {"count": n} for n in (1, 3, 5, 21)]
    assert words[0] != words[1] != words[2] and words[3].split()[-1] == words[0].split()[-1]


def test_the_language_is_chosen_by_flag_then_environment_then_the_course(monkeypatch) -> None:
    monkeypatch.delenv("KIT_LANG", raising=False)
    assert choose() == "en"
    monkeypatch.setenv("KIT_LANG", "ru")
    assert choose() == "ru" and choose("en") == "en"
    with pytest.raises(LanguageError):
        choose("de")


def _code_of(source: str) -> str:
    """The module's AST without docstrings: its code alone."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body.pop(0)
    return ast.dump(tree)


def test_the_russian_stubs_hold_exactly_the_code_of_the_english_ones() -> None:
    stubs = {language: render_assignments(language=language) for language in LANGUAGES}
    assert stubs["en"].keys() == stubs["ru"].keys()
    for name, text in stubs["en"].items():
        assert _code_of(stubs["ru"][name]) == _code_of(text), name
        assert stubs["ru"][name] != text, f"{name} is not translated"


@pytest.mark.parametrize("module", sorted(p.stem for p in SOLUTIONS.glob("*.py")))
def test_every_text_of_a_module_has_its_russian_and_no_english_sentence(module: str) -> None:
    """Docstrings name code without backticks (`(zeros, ones, eye)`): a text may hold single
    names, but no two English words in a row."""
    source = english((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"))
    russian = load_translation("ru", module)
    for kind in ("markdown", "docstring"):
        assert russian[kind].keys() == source[kind].keys(), kind
        for key, text in russian[kind].items():
            assert english_phrases(text) == [], (kind, key)
