"""Every word the kit shows people, in the language they chose: gettext catalogs keyed by id.

The messages live in autograder/locale/<language>/LC_MESSAGES/autograder.po (English too),
keyed by a stable id such as "expect.shape", with named placeholders (%(shape)s);
`make catalogs` compiles them to the .mo files read here. Code calls `_(id, **values)` (or
`n_(id, count, **values)` where a number changes the words) and never glues a sentence
from pieces. The language is, in this order: a command's --lang, the KIT_LANG environment
variable, `language` in autograder/settings.toml, English.
"""

from __future__ import annotations

import gettext
import json
import os
import re
from functools import cache
from typing import Any

from autograder.kit import ENGINE, load_settings

DOMAIN = "autograder"
LOCALE = ENGINE / "locale"
LANGUAGES = ("en", "ru")
DEFAULT = "en"
ENVIRONMENT = "KIT_LANG"
MESSAGE_ID = re.compile(r"[a-z_]+(\.[a-z0-9_]+)+")

_active = {"language": DEFAULT}


class LanguageError(ValueError):
    """A language the kit does not speak."""


def _known(language: str) -> str:
    """`language`, normalized, if the kit speaks it."""
    normalized = language.strip().lower()
    if normalized not in LANGUAGES:
        raise LanguageError(f"unknown language {language!r}: choose one of {', '.join(LANGUAGES)}")
    return normalized


def choose(flag: str | None = None) -> str:
    """The language to use: the flag, else KIT_LANG, else the course's setting, else English."""
    for candidate in (flag, os.environ.get(ENVIRONMENT), load_settings().language):
        if candidate:
            return _known(candidate)
    return DEFAULT


def use(language: str) -> None:
    """Speak `language` from now on (in this process)."""
    _active["language"] = _known(language)


def current() -> str:
    return _active["language"]


@cache
def catalog(language: str) -> gettext.GNUTranslations:
    """The compiled catalog of one language; English where a message is not translated yet
    (the kit's tests refuse a catalog with such a gap)."""
    found = gettext.translation(DOMAIN, localedir=str(LOCALE), languages=[language])
    if language != DEFAULT:
        found.add_fallback(catalog(DEFAULT))
    return found


def _(message_id: str, /, **values: Any) -> str:
    """The message `message_id` in the current language, its placeholders filled."""
    return in_language(current(), message_id, **values)


def n_(message_id: str, count: int, /, **values: Any) -> str:
    """Like _, in the grammatical number that `count` asks for (1 value, 2 values; in
    Russian 1 значение, 2 значения, 5 значений); `count` is also the placeholder %(count)s."""
    text = catalog(current()).ngettext(message_id, message_id, count)
    return text % {"count": count, **values}


def from_data(raw: Any) -> str | None:
    """A message sent as data, {"id": …, "values": {…}} or its JSON (as a probe or the
    sandbox sends one), in the language in use; None when `raw` is not a message of the
    catalogs. A value "reason" that is itself an id is said first (a reason within a reason)."""
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        message_id, values = str(data["id"]), dict(data.get("values") or {})
        if not MESSAGE_ID.fullmatch(message_id):
            return None
        nested = values.pop("reason", None)
        if nested is not None:
            values["reason"] = from_data({"id": nested, "values": values}) or ""
        text = _(message_id, **values)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None if text == message_id else text


def in_language(language: str, message_id: str, /, **values: Any) -> str:
    """A message in a given language, whatever the current one is."""
    text = catalog(language).gettext(message_id)
    return text % values if values else text
