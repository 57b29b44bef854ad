"""Every rule against its fixtures: fail_* fixtures report exactly the lines marked
`# expect: CODE`, pass_* fixtures report nothing.

A fixture is one YAML file, or a folder holding a small workspace (for rules that need several
documents); marks may stand in any of its files. Only the fixture's own rule runs, forced on
whatever its preset, with the as-of date 2013-01-01 unless the fixture's qms.yaml sets one.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from qms import rules
from qms.lint import Rule, run_rules
from qms.load import load

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(
    p
    for p in FIXTURES.glob("*/*")
    if p.name.startswith(("pass_", "fail_")) and (p.is_dir() or p.suffix == ".yaml")
)
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*)")


def expected_marks(case: Path) -> list[tuple[str, int, str]]:
    """(file, line, code) for every `# expect: CODE` comment in the fixture."""
    files = sorted(case.rglob("*.yaml")) if case.is_dir() else [case]
    base = case if case.is_dir() else case.parent
    marks = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if match := EXPECT.search(line):
                for code in match.group(1).split(","):
                    marks.append((file.relative_to(base).as_posix(), number, code.strip()))
    return sorted(marks)


def found_marks(case: Path, rule: Rule) -> list[tuple[str, int, str]]:
    """(file, line, code) of the unsuppressed findings of `rule` on the fixture."""
    if case.is_dir():
        has_root = (case / "qms.yaml").is_file()
        files = None if has_root else [p.relative_to(case).as_posix() for p in case.rglob("*.yaml")]
        loaded = load(case, files=files)
    else:
        loaded = load(case.parent, files=[case.name])
    assert loaded.workspace is not None, loaded.fatal
    problems = [f for f in loaded.findings if f.code in ("QMS001", "QMS002")]
    assert not problems or rule.code in ("QMS001", "QMS002"), problems
    as_of = loaded.workspace.settings.as_of or dt.date(2013, 1, 1)
    findings = run_rules(
        loaded.workspace, loaded.sources, [rule], {rule.code: rule.severity}, as_of
    )
    if rule.code in ("QMS001", "QMS002"):
        findings = [*findings, *loaded.findings]
    return sorted((f.file, f.line, f.code) for f in findings if f.suppressed is None)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(case: Path) -> None:
    rule = rules.get(case.parent.name)
    expected = expected_marks(case) if case.name.startswith("fail_") else []
    if case.name.startswith("fail_"):
        assert expected, f"{case} is a fail fixture without any `# expect:` mark"
    assert found_marks(case, rule) == expected


def test_every_rule_has_docs_and_fixtures() -> None:
    """One rule = one module = one doc = pass and fail fixtures."""
    missing = []
    for rule in rules.all_rules():
        folder = FIXTURES / rule.name.replace("-", "_")
        for section in ("## What it does", "## Why is this bad?", "## Example", "Use instead"):
            if section not in rule.doc:
                missing.append(f"{rule.code}: docstring lacks {section!r}")
        if not rule.doc.startswith(f"{rule.code} {rule.name}:"):
            missing.append(f"{rule.code}: docstring must start with '{rule.code} {rule.name}:'")
        if rule.code in ("QMS001", "QMS002"):
            continue  # loader-level: covered by the bad-input corpus (tests/data/bad)
        if not list(folder.glob("pass_*")):
            missing.append(f"{rule.code}: no pass fixture in {folder}")
        if not list(folder.glob("fail_*")):
            missing.append(f"{rule.code}: no fail fixture in {folder}")
    assert not missing, "\n".join(missing)


def test_codes_and_names_are_unique() -> None:
    all_rules = rules.all_rules()
    assert len({r.code for r in all_rules}) == len(all_rules)
    assert len({r.name for r in all_rules}) == len(all_rules)
