"""Generated docs are current, and `qms rules` lists and explains every rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import cli
from qms.docgen import GENERATORS, ROOT, model_markdown, rules_markdown, stale
from qms.model import DOCUMENT_KINDS
from qms.rules import all_rules


@pytest.mark.parametrize("rel", sorted(GENERATORS))
def test_generated_docs_are_current(rel: str) -> None:
    target = ROOT / rel
    assert target.is_file(), f"{rel} is missing: run `make docs`"
    current = target.read_text(encoding="utf-8")
    assert current == GENERATORS[rel](), f"{rel} is out of date: run `make docs`"


def test_rules_markdown_has_an_index_row_and_a_section_per_rule() -> None:
    text = rules_markdown()
    for r in all_rules():
        assert f"| [{r.code}](#{r.code.lower()}) | {r.name} |" in text
        assert f'<a id="{r.code.lower()}"></a>\n\n## {r.code} {r.name}\n' in text
    assert text == rules_markdown()


def test_model_markdown_documents_every_kind_and_field() -> None:
    text = model_markdown()
    for kind, model in DOCUMENT_KINDS.items():
        assert f"### `kind: {kind}` ({model.__name__})" in text
        for name, field in model.model_fields.items():
            assert f"| `{field.alias or name}` |" in text
    assert "### Step\n" in text and "| `from` |" in text
    assert "[Step](#step)" in text


def test_rules_list_plain_when_piped(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["rules", "list", "--lang", "en"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["code", "name", "default", "recommended", "summary"]
    assert [line.split()[0] for line in lines[1:]] == [r.code for r in all_rules()]
    assert "│" not in result.output  # no rich box drawing in a pipe


def test_rules_list_json_in_finnish(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["rules", "list", "--format", "json", "--lang", "fi"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert [row["code"] for row in rows] == [r.code for r in all_rules()]
    assert all(set(row) == {"code", "name", "severity", "recommended", "summary"} for row in rows)
    assert all(row["summary"] for row in rows)


def test_rules_list_in_finnish_has_a_finnish_summary_for_every_rule(runner: CliRunner) -> None:
    """Every summary comes from the gettext catalogue (qms/locale/fi/LC_MESSAGES/qms.po)."""
    from qms.i18n import RULE_SUMMARY, catalogue
    from qms.report import rule_doc

    finnish = catalogue("fi")
    rows = json.loads(
        runner.invoke(cli, ["rules", "list", "--format", "json", "--lang", "fi"]).output
    )
    for r, row in zip(all_rules(), rows, strict=True):
        english = rule_doc(r)[0]
        assert (RULE_SUMMARY, english) in finnish, f"{r.code}: no Finnish summary in qms.po"
        assert row["summary"] == finnish[(RULE_SUMMARY, english)] != english
    plain = runner.invoke(cli, ["rules", "list", "--lang", "fi"]).output
    assert "prosessi ilman omistajaa" in plain


def test_a_missing_translation_shows_the_english_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qms import i18n

    folder = tmp_path / "sv" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "qms.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgctxt "rule summary"\nmsgid "a process without an owner."\n'
        'msgstr "en process utan ägare"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        assert (
            i18n.translate("a process without an owner.", "sv", i18n.RULE_SUMMARY)
            == "en process utan ägare"
        )
        assert (
            i18n.translate("a process without a purpose.", "sv", i18n.RULE_SUMMARY)
            == "a process without a purpose."
        )
        assert (
            i18n.translate("a process without an owner.", "da", i18n.RULE_SUMMARY)
            == "a process without an owner."
        )
    finally:
        i18n.catalogue.cache_clear()


@pytest.mark.parametrize("selector", ["QMS004", "qms004", "unknown-reference", "unknown_reference"])
def test_rules_explain(runner: CliRunner, selector: str) -> None:
    result = runner.invoke(cli, ["rules", "explain", selector, "--lang", "en"])
    assert result.exit_code == 0
    assert result.output.startswith("QMS004 unknown-reference: ")
    assert "Default severity: error" in result.output
    assert "## What it does" in result.output


def test_rules_explain_unknown_rule_suggests(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["rules", "explain", "unknwn-reference", "--lang", "en"])
    assert result.exit_code == 2
    assert "Did you mean unknown-reference?" in result.stderr
    fi = runner.invoke(cli, ["rules", "explain", "xyzzy", "--lang", "fi"])
    assert fi.exit_code == 2 and "sääntöä 'xyzzy' ei ole" in fi.stderr


def test_stale_lists_missing_and_differing_files(tmp_path: Path) -> None:
    assert stale(tmp_path) == list(GENERATORS)
    for rel, generate in GENERATORS.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(generate(), encoding="utf-8")
    assert stale(tmp_path) == []
    (tmp_path / "docs/rules.md").write_text("old\n", encoding="utf-8")
    assert stale(tmp_path) == ["docs/rules.md"]
