"""pydantic validation errors -> QMS002 findings in both languages, with a hint."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from qms import i18n
from qms.findings import Finding, Msg, PathPart, did_you_mean
from qms.load.yaml_source import SourceMap


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes and list item types an annotation may hold."""
    origin = get_origin(annotation)
    if origin is None:
        return [annotation]
    args = get_args(annotation)
    if origin is list or origin is tuple:
        return [("list", args[0] if args else Any)]
    if origin is dict:
        return [("dict", args[1] if len(args) > 1 else Any)]
    out: list[Any] = []
    for arg in args:  # Annotated[...] (metadata is not a type) and unions
        if isinstance(arg, type) or get_origin(arg) is not None:
            out.extend(_unwrap(arg))
    return out


def _model_at(cls: type[BaseModel], loc: Sequence[PathPart]) -> type[BaseModel] | None:
    """The model class found by following a pydantic error location from `cls`."""
    current: list[Any] = [cls]
    for part in loc:
        following: list[Any] = []
        for item in current:
            if isinstance(item, tuple):
                kind, inner = item
                if (kind == "list" and isinstance(part, int)) or kind == "dict":
                    following.extend(_unwrap(inner))
            elif isinstance(item, type) and issubclass(item, BaseModel) and isinstance(part, str):
                for name, info in item.model_fields.items():
                    if part in (name, info.alias):
                        following.extend(_unwrap(info.annotation))
        current = following
    models = [c for c in current if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if models else None


def _keys_of(cls: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in cls.model_fields.items()]


def _type_name(value: Any, lang: str) -> str:
    return i18n.TYPE_NAMES[lang].get(type(value).__name__, type(value).__name__)


def _slug(value: str) -> str:
    table = str.maketrans({"ä": "a", "ö": "o", "å": "a", "Ä": "A", "Ö": "O", "Å": "A"})
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", value.translate(table)).strip("-._")
    return slug or "id"


Text = Callable[[str], str]
"""A message by language code."""


@dataclass(frozen=True)
class _Error:
    """One pydantic error, as the message builders read it."""

    cls: type[BaseModel]
    kind: str
    loc: tuple[PathPart, ...]
    value: Any
    ctx: dict[str, Any]


def _say(msg: Msg, **params: Any) -> Text:
    return lambda lang: msg.format(lang, **params)


def _unknown_key(e: _Error) -> Text:
    key = str(e.loc[-1])
    parent = _model_at(e.cls, e.loc[:-1])
    allowed = _keys_of(parent) if parent else []
    guess = did_you_mean(key, allowed) if allowed else None

    def text(lang: str) -> str:
        if guess:
            hint = i18n.DID_YOU_MEAN.format(lang, word=guess)
        elif allowed:
            hint = i18n.ALLOWED_KEYS.format(lang, keys=", ".join(allowed))
        else:
            hint = ""
        return i18n.UNKNOWN_KEY.format(lang, key=key, hint=hint)

    return text


def _expected_text(e: _Error) -> Text:
    value = e.value
    scalar = isinstance(value, int | float | bool) or value is None

    def text(lang: str) -> str:
        got = _type_name(value, lang)
        if e.kind == "text_type" and not scalar:
            return i18n.EXPECTED_TEXT_OR_LANGS.format(lang, got=got)
        hint = i18n.HINT_QUOTE.format(lang, value=value) if scalar and value is not None else ""
        return i18n.EXPECTED_TEXT.format(lang, got=got, hint=hint)

    return text


def _unknown_language(e: _Error) -> Text:
    code = str(e.ctx.get("lang", ""))
    guess = did_you_mean(code, ["fi", "en", "sv", "se"])

    def hint(lang: str) -> str:
        if guess:
            return i18n.DID_YOU_MEAN.format(lang, word=guess)
        return i18n.HINT_FLOW_COMMA.format(lang) if len(code) != 2 else ""

    return lambda lang: i18n.UNKNOWN_LANGUAGE.format(lang, code=code, hint=hint(lang))


def _bad_id(e: _Error) -> Text:
    guess = _slug(str(e.value))
    return lambda lang: i18n.BAD_ID.format(
        lang, value=e.value, hint=i18n.DID_YOU_MEAN.format(lang, word=guess)
    )


def _not_one_of(e: _Error) -> Text:
    """The values named in the message's language (Finnish names in a Finnish message), with
    a guess among the names of that language."""
    from qms.values import name_of, spoken

    options = re.findall(r"'([^']*)'", str(e.ctx.get("expected", "")))

    def message(lang: str) -> str:
        shown = [name_of(o, lang) for o in options]
        pool = spoken(options, lang)
        guess = did_you_mean(str(e.value), pool) if pool else None
        return i18n.NOT_ONE_OF.format(
            lang,
            value=e.value,
            expected=", ".join(shown),
            hint=i18n.DID_YOU_MEAN.format(lang, word=guess) if guess else "",
        )

    return message


def _got_type(msg: Msg) -> Callable[[_Error], Text]:
    """A message about the type of value found where another was expected."""
    return lambda e: lambda lang: msg.format(lang, got=_type_name(e.value, lang))


_OPERATORS = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">"}


def _out_of_range(e: _Error) -> Text:
    bound = next(iter(e.ctx.values()), "")
    return _say(i18n.OUT_OF_RANGE, value=e.value, bound=f"{_OPERATORS.get(e.kind, '<')} {bound}")


_MESSAGES: dict[tuple[str, ...], Callable[[_Error], Text]] = {
    ("extra_forbidden",): _unknown_key,
    ("missing",): lambda e: _say(i18n.MISSING_KEY, key=str(e.loc[-1])),
    ("string_type", "text_type"): _expected_text,
    ("text_language",): _unknown_language,
    ("string_pattern_mismatch",): _bad_id,
    ("literal_error", "enum"): _not_one_of,
    ("int_type", "int_parsing", "int_from_float"): (
        lambda e: _say(i18n.EXPECTED_INT, got=repr(e.value))
    ),
    ("value_type", "float_type", "float_parsing"): _got_type(i18n.EXPECTED_NUMBER),
    ("bool_type", "bool_parsing"): lambda e: _say(i18n.EXPECTED_BOOL, got=repr(e.value)),
    ("finite_number",): lambda e: _say(i18n.NOT_FINITE, value=repr(e.value)),
    ("greater_than_equal", "less_than_equal", "greater_than", "less_than"): _out_of_range,
    ("list_type", "tuple_type"): _got_type(i18n.EXPECTED_LIST),
    ("dict_type", "model_type", "model_attributes_type"): _got_type(i18n.EXPECTED_MAPPING),
    ("string_too_short", "too_short"): lambda e: _say(i18n.EMPTY_VALUE),
    ("string_too_long",): lambda e: _say(i18n.TOO_LONG, limit=e.ctx.get("max_length", "")),
}
"""pydantic error types -> the message for them; `date*` types and the rest are below."""

MESSAGE_BY_KIND: dict[str, Callable[[_Error], Text]] = {
    kind: build for kinds, build in _MESSAGES.items() for kind in kinds
}
AT_KEY = frozenset({"extra_forbidden"})
"""Errors about a key itself point at the key, not at its value."""


def _message(e: _Error, msg: Any) -> Text:
    build = MESSAGE_BY_KIND.get(e.kind)
    if build is not None:
        return build(e)
    if e.kind.startswith("date"):  # date_type, date_parsing, datetime_*, ...
        return _say(i18n.BAD_DATE, value=e.value)
    return _say(i18n.OTHER_SCHEMA, detail=str(msg))


def _schema_finding(sources: SourceMap, cls: type[BaseModel], error: Any, file: str) -> Finding:
    """Translate one pydantic error into a QMS002 finding in both languages."""
    e = _Error(cls, error["type"], tuple(error["loc"]), error.get("input"), error.get("ctx") or {})
    loc, at_key = e.loc, e.kind in AT_KEY
    if e.kind == "text_language" and isinstance(e.value, dict):
        # on the unknown language key itself, as a JSON Schema validator reports it
        key = next((k for k in e.value if str(k) == str(e.ctx.get("lang"))), None)
        if isinstance(key, str):
            loc, at_key = (*loc, key), True
    return schema_finding(sources, file, loc, _message(e, error.get("msg", e.kind)), at_key)


def schema_finding(
    sources: SourceMap, file: str, loc: tuple[PathPart, ...], text: Text, at_key: bool = False
) -> Finding:
    """A QMS002 finding at `loc` in `file`, its message built per language by `text`."""
    line, col, keypath = sources.locate(file, loc, at_key)
    return Finding(
        code="QMS002",
        text={lang: text(lang) for lang in ("en", "fi")},
        file=file,
        line=line,
        col=col,
        path=loc,
        rule="schema-mismatch",
        keypath=keypath,
    )
