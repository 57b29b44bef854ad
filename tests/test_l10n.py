"""Plurals and dates through Babel, and where the outputs use them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from qms.l10n import format_date, plural, plural_category
from qms.render.dot import goal_map


@pytest.mark.parametrize(
    ("count", "lang", "expected"),
    [
        (1, "fi", "1 toimenpide"),
        (2, "fi", "2 toimenpidettä"),
        (0, "fi", "0 toimenpidettä"),
        (1, "en", "1 action"),
        (5, "en", "5 actions"),
        (1, "sv", "1 åtgärd"),
        (21, "sv", "21 åtgärder"),
    ],
)
def test_plural_forms_follow_cldr(count: int, lang: str, expected: str) -> None:
    words = {
        "fi": {"one": "toimenpide", "other": "toimenpidettä"},
        "en": {"one": "action", "other": "actions"},
        "sv": {"one": "åtgärd", "other": "åtgärder"},
    }[lang]
    assert plural(count, lang, **words) == expected


def test_plural_category_comes_from_babel() -> None:
    assert plural_category(1, "fi") == "one"
    assert plural_category(1.5, "fi") == "other"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fi", "31.1.2013"), ("sv", "31.1.2013"), ("en", "31 Jan 2013")],
)
def test_dates_in_each_language(lang: str, expected: str) -> None:
    assert format_date(dt.date(2013, 1, 31), lang) == expected
    assert format_date(None, lang) == ""


def test_goal_map_counts_actions_in_the_right_form(
    make_workspace: Callable[[dict[str, str]], Path],
) -> None:
    from qms.index import Index
    from qms.load import load
    from qms.views import goal_map_view

    files = {
        "qms.yaml": "kind: workspace\nname: T\n",
        "project.yaml": "kind: project\nid: p\nname: P\ngoals:\n  - {id: G1, name: Yksi}\n"
        "  - {id: G2, name: Kaksi}\n",
        "organisations/o/organisation.yaml": "kind: organisation\nid: o\nname: O\n"
        "commits_to: [G1, G2]\n",
        "organisations/o/plan.yaml": "kind: plan\nid: s\norganisation: o\nname: S\nactions:\n"
        "  - {id: a1, what: A, realizes: [G1]}\n"
        "  - {id: a2, what: B, realizes: [G2]}\n"
        "  - {id: a3, what: C, realizes: [G2]}\n",
    }
    ws = load(str(make_workspace(files))).workspace
    assert ws is not None
    fi = goal_map(goal_map_view(ws, Index.build(ws), "fi"))
    assert "1 toimenpide<" in fi
    assert "1 toimenpidettä" not in fi
    assert "2 toimenpidettä" in fi
    en = goal_map(goal_map_view(ws, Index.build(ws), "en"))
    assert "1 action<" in en and "2 actions" in en
