"""Plural forms, dates and numbers in the user's language, through Babel (CLDR data).

The one place where `qms` asks a real i18n library how a language counts and writes dates:
"1 toimenpide" but "2 toimenpidettä", 31.1.2013 in Finnish and Finland-Swedish, 31 Jan
2013 in English. Messages and documents call these helpers instead of gluing a number to a
fixed word or printing ISO dates.

>>> plural(1, "fi", one="toimenpide", other="toimenpidettä")
'1 toimenpide'
>>> plural(2, "fi", one="toimenpide", other="toimenpidettä")
'2 toimenpidettä'
>>> format_date(dt.date(2013, 1, 31), "fi")
'31.1.2013'
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal

LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB", "se": "se_FI"}
"""The CLDR locale of each model language: Finnish usage of each language where CLDR has one."""

DATE_FORMAT = {"fi": "short", "sv": "short", "en": "medium", "se": "short"}
"""Babel's date length per language: 31.1.2013 (fi, sv_FI), 31 Jan 2013 (en_GB)."""


@lru_cache(maxsize=16)
def locale(lang: str) -> Locale:
    """The Babel locale of a language code (fi, sv, en, se); English for anything else."""
    return Locale.parse(LOCALES.get(lang, "en_GB"))


def plural_category(count: int | float, lang: str) -> str:
    """The CLDR plural category of `count` in `lang`: 'one', 'other' (and for some, 'two'...)."""
    return str(locale(lang).plural_form(count))


def plural_word(count: int | float, lang: str, **forms: str) -> str:
    """The form of a word that goes with `count`: forms by CLDR category, `other` required.

    >>> plural_word(1, "en", one="action", other="actions")
    'action'
    """
    category = plural_category(count, lang)
    return forms.get(category) or forms["other"]


def plural(count: int | float, lang: str, **forms: str) -> str:
    """`count` and the matching word: plural(3, 'fi', one='mittari', other='mittaria').

    >>> plural(3, "sv", one="åtgärd", other="åtgärder")
    '3 åtgärder'
    """
    return f"{format_number(count, lang)} {plural_word(count, lang, **forms)}"


def format_number(value: int | float, lang: str) -> str:
    """A number as `lang` writes it (Finnish: decimal comma, non-breaking thousands space)."""
    return str(format_decimal(value, locale=locale(lang)))


def format_date(value: dt.date | None, lang: str) -> str:
    """A date as `lang` writes it in running text; '' for None.

    >>> format_date(dt.date(2012, 12, 31), "en")
    '31 Dec 2012'
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(_babel_format_date(value, DATE_FORMAT.get(lang, "medium"), locale=locale(lang)))


def parse_iso_date(value: str) -> dt.date | None:
    """The date of an ISO text (YYYY-MM-DD), None when it is not one."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
