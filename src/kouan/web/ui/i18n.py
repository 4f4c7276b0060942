"""The pages' languages: Babel catalogues read from their .po files, chosen per request.

Message ids are English; `zh` (the default) and `en` are offered. ?lang= switches the language
and a cookie remembers it.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from importlib import resources
from importlib.abc import Traversable

from babel.messages.pofile import read_po
from starlette.requests import Request
from starlette.responses import Response

LANG_COOKIE = "kouan_lang"
# The ?lang= code of each language and the locale of its catalogue (and of Babel's formats).
LOCALES = {"zh": "zh_CN", "en": "en"}
_YEAR = 365 * 24 * 3600


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (labels in tables)."""
    return message


class Translations:
    """gettext and ngettext over one catalogue; a message without a translation stays English."""

    def __init__(
        self,
        singular: dict[str, str],
        plural: dict[str, tuple[str, ...]],
        plural_index: Callable[[int], int],
    ) -> None:
        self._singular = singular
        self._plural = plural
        self._plural_index = plural_index

    def gettext(self, message: str) -> str:
        return self._singular.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self._plural.get(singular)
        if forms:
            form = forms[min(self._plural_index(n), len(forms) - 1)]
            if form:
                return form
        return singular if n == 1 else plural


@cache
def translations(lang: str) -> Translations:
    """The catalogue of `lang` ("zh" or "en"), read once from its .po files: messages.po and one
    file per later capability (cargo.po, ...), merged."""
    locale = LOCALES[lang]
    folder = resources.files("kouan") / "locale" / locale / "LC_MESSAGES"
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    plural_expr = "(n != 1)"
    for path in sorted((p for p in folder.iterdir() if p.name.endswith(".po")), key=_po_order):
        with path.open("rb") as po:
            catalog = read_po(po, locale=locale)
        plural_expr = catalog.plural_expr if path.name == "messages.po" else plural_expr
        for message in catalog:
            if not message.id or message.fuzzy:
                continue
            if isinstance(message.id, tuple | list):
                plural[message.id[0]] = tuple(str(form) for form in message.string or ())
            else:
                singular[message.id] = str(message.string)
    return Translations(singular, plural, gettext.c2py(plural_expr))


def _po_order(path: Traversable) -> tuple[bool, str]:
    return (path.name != "messages.po", path.name)


def load_all() -> None:
    """Read every catalogue now, so a broken .po file stops the start rather than a page."""
    for lang in LOCALES:
        translations(lang)


def choose_language(request: Request, default: str) -> str:
    """?lang= when given, else the remembered choice, else the port's default."""
    asked = request.query_params.get("lang")
    if asked in LOCALES:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    if kept in LOCALES:
        return kept
    return default if default in LOCALES else "zh"


def remember_language(request: Request, response: Response) -> None:
    asked = request.query_params.get("lang")
    if asked in LOCALES:
        response.set_cookie(LANG_COOKIE, asked, max_age=_YEAR, samesite="lax", httponly=True)
