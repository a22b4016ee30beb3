"""Keep the message catalogs in step (`make catalogs`): the English catalog is the list of
every message id; the other languages get its new ids (untranslated) and lose the ids it no
longer has; then every catalog is compiled to the .mo file the kit reads (autograder/i18n.py).

Babel does the reading, merging and compiling, as `pybabel update` and `pybabel compile`
would; translators edit the .po files with their usual tools (Poedit, Lokalize, …).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from autograder.i18n import DEFAULT, DOMAIN, LANGUAGES, LOCALE

HEADER = """\
# Messages of the intro-pytorch kit in {language}, keyed by stable ids (see autograder/i18n.py).
# The English catalog lists every id; `make catalogs` brings the others in step with it.
#"""
WIDTH = 100


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language, domain=DOMAIN)


def _po_bytes(catalog: Catalog, language: str) -> bytes:
    catalog.header_comment = HEADER.format(language=language)
    catalog.fuzzy = False
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=WIDTH, sort_output=True, include_lineno=False)
    return buffer.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def rendered() -> dict[Path, bytes]:
    """Every .po and .mo file as `make catalogs` writes them."""
    english = read(DEFAULT)
    # the template's date is the English catalog's: rendering twice gives the same files
    template = Catalog(domain=DOMAIN, creation_date=english.creation_date)
    for message in english:
        if message.id:
            template.add(message.id)
    files = {}
    for language in LANGUAGES:
        catalog = english if language == DEFAULT else read(language)
        if language != DEFAULT:
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            for message in catalog:  # an untranslated plural gets a slot per form
                if message.pluralizable and not any(message.string):
                    message.string = ("",) * catalog.num_plurals
        files[po_path(language)] = _po_bytes(catalog, language)
        files[mo_path(language)] = _mo_bytes(read_po(io.BytesIO(files[po_path(language)])))
    return files


def stale() -> list[str]:
    """The catalog files that `make catalogs` would change."""
    return sorted(
        str(path.relative_to(LOCALE))
        for path, data in rendered().items()
        if not path.is_file() or path.read_bytes() != data
    )


def main(argv: list[str]) -> int:
    if argv[1:] == ["--check"]:
        changed = stale()
        for path in changed:
            print(f"out of date: {path} (run `make catalogs`)", file=sys.stderr)
        return 1 if changed else 0
    for path, data in rendered().items():
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"updated {path.relative_to(LOCALE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
