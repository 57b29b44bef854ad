"""The `workspace` rules declare what they read (`Rule.reads`, `truthy`, `anchored`), so that
`qms validate` keeps their findings after an edit that changes none of it (qms/incremental.py).

Exactness rests on the declarations, checked here two ways for every `workspace` rule:

- recorded reads: while each rule runs (on every rule fixture, LAMPPU and a generated
  workspace) every field it reads of any element is recorded; each must be declared;
- random edits: documents of LAMPPU and of a generated workspace are edited at random (an
  element dropped or repeated, a reference pointed elsewhere, a value changed, a text
  emptied); whenever the edit leaves a rule's summary of the document as it was, the rule
  must find exactly what it found before.

Both checks are shown to fail on a rule whose declaration leaves out what it reads. Then
random edits are written to the files of a workspace, and after each the kept run must print
what a run without any cache prints.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

import qms.model
from qms import incremental
from qms.findings import Msg
from qms.lint import Context, Problem, Rule, problem, run_rules
from qms.load import Loaded, assemble, load
from qms.model import Document, Workspace
from qms.rules import all_rules
from tests.conftest import LAMPPU
from tests.test_incremental import CORPUS, _key, _load_case, full

WIDE = [r for r in all_rules() if r.scope == "workspace"]
SETTINGS_FIELDS = {"as_of", "options", "rules"}
"""Fields of qms.yaml: an edit of it re-checks everything anyway."""


def _generated(tmp_path_factory: pytest.TempPathFactory, name: str = "generated") -> Path:
    from bench.generate import generate

    root = tmp_path_factory.mktemp(name)
    generate(root, 3, 6, 12, seed=7)
    return root


# --- recorded reads --------------------------------------------------------------------------

MODELS = [
    c
    for c in vars(qms.model).values()
    if isinstance(c, type) and issubclass(c, BaseModel) and c not in (BaseModel, Workspace)
]
WHOLE = {"__dict__", "model_dump", "model_copy", "__iter__"}
"""Ways of reading a model that are not one field: a rule using them reads every field.
(Which of its declared fields an element wrote, `model_fields_set`, is in the summary.)"""


def recorded_reads(loaded: Loaded, r: Rule) -> set[str]:
    """The fields `r` reads of any element while it checks `loaded`, each by class and name
    (`Process.id`; a fresh context, so that the index and the coverage it builds count as
    its reads)."""
    read: set[str] = set()
    get = object.__getattribute__

    def tracing(self: Any, name: str) -> Any:
        cls = get(self, "__class__")
        if name in cls.model_fields:
            read.add(f"{cls.__name__}.{name}")
        elif name in WHOLE:
            read.add(f"!{name}")
        return get(self, name)

    ws = loaded.workspace
    assert ws is not None
    for cls in MODELS:
        cls.__getattribute__ = tracing  # type: ignore[method-assign,assignment]
    try:
        ctx = Context(ws, ws.settings.as_of or dt.date(2013, 1, 1))
        ctx.rule = r
        list(r.check(ctx))
    finally:
        for cls in MODELS:
            del cls.__getattribute__
    return {f for f in read if f.partition(".")[2] not in SETTINGS_FIELDS}


def undeclared(loaded: Loaded, r: Rule) -> set[str]:
    """What `r` reads beyond its `reads` and `truthy` (a bare name declares it in any class)."""
    if r.reads is None:
        return set()
    declared = r.reads | r.truthy
    return {
        f for f in recorded_reads(loaded, r) if not incremental._within(frozenset({f}), declared)
    }


@pytest.mark.parametrize("case", [pytest.param(LAMPPU, id="lamppu"), *CORPUS])
def test_workspace_rules_read_only_what_they_declare(case: Path) -> None:
    loaded = _load_case(case)
    if loaded.workspace is None:
        return
    assert {r.code: undeclared(loaded, r) for r in WIDE if undeclared(loaded, r)} == {}


def test_declared_reads_on_a_generated_workspace(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    loaded = load(_generated(tmp_path_factory))
    assert {r.code: undeclared(loaded, r) for r in WIDE if undeclared(loaded, r)} == {}
    assert all(r.reads is None or r.reads for r in WIDE)


# --- random edits ----------------------------------------------------------------------------


def _paths(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place inside a dumped document (below its kind, id and organisation)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if at or key not in ("kind", "id", "organisation"):
                yield (*at, key)
                yield from _paths(value, (*at, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield (*at, i)
            yield from _paths(value, (*at, i))


def _pools(docs: list[Document]) -> dict[str, list[Any]]:
    """The scalar values written under each key anywhere: references pointed elsewhere stay
    references to something that exists."""
    pools: dict[str, list[Any]] = {}

    def walk(node: Any, key: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        else:
            pools.setdefault(key, []).append(node)

    for doc in docs:
        walk(_dump(doc), "")
    return pools


def _dump(doc: Document) -> dict[str, Any]:
    return doc.model_dump(mode="json", by_alias=True, exclude_unset=True, warnings=False)


def _change(value: Any, key: Any, pools: dict[str, list[Any]], rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + rng.choice([1, -1, 10])
    if isinstance(value, str):
        pool = [v for v in pools.get(str(key), []) if isinstance(v, str) and v != value]
        return rng.choice([*pool[:40], "", f"{value}-x"] if pool else ["", f"{value}-x"])
    if isinstance(value, list) and value:
        return rng.choice([value[1:], [*value, value[0]], value[::-1], []])
    if isinstance(value, dict) and value:
        drop = rng.choice(list(value))
        return {k: v for k, v in value.items() if k != drop}
    return value


def mutated(doc: Document, pools: dict[str, list[Any]], rng: random.Random) -> Document | None:
    """The document with one random change that still validates, or None."""
    data = _dump(doc)
    by_key: dict[str, list[tuple[Any, ...]]] = {}
    for place in _paths(data):  # a field first, then one of its places: every kind of
        key = next(str(p) for p in reversed(place) if isinstance(p, str))  # field gets edits
        by_key.setdefault(key, []).append(place)
    for _ in range(20):
        if not by_key:
            return None
        path = rng.choice(by_key[rng.choice(sorted(by_key))])
        copy: Any = yaml.safe_load(yaml.safe_dump(data, allow_unicode=True))
        node = copy
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = _change(node[path[-1]], path[-1], pools, rng)
        try:
            new = type(doc).model_validate(copy)
        except ValidationError:
            continue
        if new != doc:
            new._source = doc.source
            return new
    return None


def _findings(ws: Workspace, loaded: Loaded, r: Rule) -> set[tuple[Any, ...]]:
    found = run_rules(ws, loaded.sources, [r], {r.code: r.severity}, dt.date(2013, 1, 1))
    return {(f.code, f.file, f.path, tuple(sorted(f.text.items()))) for f in found}


def stands(r: Rule, ws: Workspace, before: Document, after: Document) -> bool:
    """Whether qms/incremental.py would keep `r`'s findings after `before` became `after`."""
    if r.anchored is not None and not any(r.anchored(d) for d in (*ws.documents(), after)):
        return True
    return incremental.summary(r, before) == incremental.summary(r, after)


def random_edits(
    ws: Workspace, edits: int, seed: int, unedited: bool = False
) -> Iterator[tuple[Document, Document, Workspace]]:
    """(document, its edited copy, the workspace with it) for `edits` random edits; first,
    with `unedited`, each document as an edit that changes nothing."""
    rng = random.Random(seed)
    docs = list(ws.documents())
    pools = _pools(docs)
    candidates = [d for d in docs if d is not ws.settings]
    plan = [(d, d) for d in candidates] if unedited else []
    for _ in range(edits):
        doc = rng.choice(candidates)
        new = mutated(doc, pools, rng)
        if new is not None:
            plan.append((doc, new))
    for doc, new in plan:
        edited = [new if d is doc else d for d in docs]
        yield doc, new, assemble(ws.root, edited, unloaded=ws.unloaded)


def counterexamples(
    loaded: Loaded, rules: list[Rule], edits: int, seed: int
) -> list[tuple[str, str, Any]]:
    """Random edits after which a rule's findings changed although qms would keep them."""
    ws = loaded.workspace
    assert ws is not None
    wrong: list[tuple[str, str, Any]] = []
    before_found = {r.code: _findings(ws, loaded, r) for r in rules}
    for doc, new, other in random_edits(ws, edits, seed):
        for r in rules:
            if stands(r, ws, doc, new) and _findings(other, loaded, r) != before_found[r.code]:
                wrong.append((r.code, doc.source, _dump(new)))
    return wrong


def test_random_edits_change_no_finding_a_rule_keeps_on_lamppu() -> None:
    assert counterexamples(load(LAMPPU), WIDE, edits=500, seed=1) == []


def test_random_edits_change_no_finding_a_rule_keeps_on_a_generated_workspace(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    assert counterexamples(load(_generated(tmp_path_factory)), WIDE, edits=500, seed=2) == []


# --- shared fields: a rule run again for the edited documents alone ---------------------------

LOCAL = [r for r in WIDE if r.shared is not None]


def _in(found: set[tuple[Any, ...]], rel: str, inside: bool = True) -> set[tuple[Any, ...]]:
    return {f for f in found if (f[1] == rel) == inside}


def with_ghosts(ws: Workspace, full: list[Document], keep: frozenset[str]) -> Workspace:
    """`ws` with each document but those in `full` replaced by its stand-in keeping `keep`,
    as qms/incremental.py assembles it."""
    by_file = {d.source: d for d in full}
    docs = [
        d if d is ws.settings else by_file.get(d.source) or incremental.ghost(d, keep)
        for d in ws.documents()
    ]
    return assemble(ws.root, docs, unloaded=ws.unloaded)


def local_counterexamples(
    loaded: Loaded, rules: list[Rule], edits: int, seed: int
) -> list[tuple[str, str, Any]]:
    """Random edits that leave a document's `shared` fields as they were, after which the
    rule's findings differ from what qms/incremental.py makes of them: its findings before
    in the other documents, and in the edited one those found with stand-ins of the others.
    Each unedited document counts as an edit that changes nothing."""
    ws = loaded.workspace
    assert ws is not None
    wrong: list[tuple[str, str, Any]] = []
    before_found = {r.code: _findings(ws, loaded, r) for r in rules}
    none: frozenset[str] = frozenset()
    for doc, new, other in random_edits(ws, edits, seed, unedited=True):
        rel = doc.source
        for r in rules:
            assert r.shared is not None
            if incremental.project(doc, r.shared, none) != incremental.project(new, r.shared, none):
                continue
            got = _findings(other, loaded, r)
            kept = _in(before_found[r.code], rel, inside=False)
            # the stand-ins of every rule's shared fields (`ghosts.pickle`), and the fewest a
            # run may read for this rule: its own shared fields (a smaller file, `_tiers`)
            for keep in (incremental.shared_fields([*WIDE, r]), r.shared):
                again = _in(_findings(with_ghosts(other, [new], keep), loaded, r), rel)
                if got != kept | again:
                    wrong.append((r.code, rel, _dump(new)))
                    break
    return wrong


def test_rules_with_shared_fields_find_the_same_with_stand_ins_on_lamppu() -> None:
    assert LOCAL
    assert local_counterexamples(load(LAMPPU), LOCAL, edits=300, seed=3) == []


def test_rules_with_shared_fields_find_the_same_with_stand_ins_on_a_generated_workspace(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    loaded = load(_generated(tmp_path_factory))
    assert local_counterexamples(loaded, LOCAL, edits=300, seed=4) == []


@pytest.mark.parametrize("case", [pytest.param(LAMPPU, id="lamppu"), *CORPUS])
def test_rules_with_shared_fields_on_every_fixture(case: Path) -> None:
    loaded = _load_case(case)
    if loaded.workspace is None or loaded.workspace.unloaded:
        return
    assert local_counterexamples(loaded, LOCAL, edits=10, seed=5) == []


def test_a_stand_in_keeps_what_the_shared_fields_show() -> None:
    loaded = load(LAMPPU)
    assert loaded.workspace is not None
    keep = incremental.shared_fields(WIDE)
    none: frozenset[str] = frozenset()
    for doc in loaded.workspace.documents():
        stand_in = incremental.ghost(doc, keep)
        assert incremental.project(stand_in, keep, none) == incremental.project(doc, keep, none)
        assert stand_in.source == doc.source
    process = loaded.workspace.processes[0]
    assert process.steps and not incremental.ghost(process, keep).steps


def test_a_field_named_with_its_class_is_kept_in_that_class_alone() -> None:
    """`Process.id` in `shared` keeps a process's id and no other element's; a bare `id` keeps
    every element's. The index's fields by class (`INDEX_FIELDS`) leave out a process's own
    document references and metrics, which an organisation's register of the same name keeps."""
    from qms.index import INDEX_FIELDS

    loaded = load(LAMPPU)
    ws = loaded.workspace
    assert ws is not None
    process = next(p for p in ws.processes if p.documents and p.metrics and p.steps)
    org = next(o for o in ws.organisations if o.documents and o.roles)
    none: frozenset[str] = frozenset()
    stand_in = incremental.ghost(process, INDEX_FIELDS)
    assert (stand_in.id, stand_in.organisation) == (process.id, process.organisation)
    assert stand_in.documents == [] and stand_in.metrics == [] and stand_in.steps == []
    assert stand_in.model_fields_set <= {"id", "organisation"}
    kept_org = incremental.ghost(org, INDEX_FIELDS)
    assert [d.id for d in kept_org.documents] == [d.id for d in org.documents]
    assert [r.id for r in kept_org.roles] == [r.id for r in org.roles]
    assert all(r.name is incremental._defaults(type(r))["name"] for r in kept_org.roles)
    bare = incremental.ghost(process, frozenset({"id"}))
    assert bare.id == process.id and not bare.steps
    assert [s.id for s in incremental.ghost(process, frozenset({"id", "steps"})).steps] == [
        s.id for s in process.steps
    ]
    assert [s.id for s in incremental.ghost(process, frozenset({"Process.id", "steps"})).steps] != [
        s.id for s in process.steps
    ]
    assert incremental.project(process, INDEX_FIELDS, none) == incremental.project(
        stand_in, INDEX_FIELDS, none
    )
    edited = process.model_copy(update={"documents": []})
    assert incremental.project(process, INDEX_FIELDS, none) == incremental.project(
        edited, INDEX_FIELDS, none
    )
    bare_reads = frozenset({"id", "documents"})
    assert incremental.project(process, bare_reads, none) != incremental.project(
        edited, bare_reads, none
    )
    assert incremental._within(INDEX_FIELDS, frozenset({"id", *INDEX_FIELDS}))
    assert incremental._within(frozenset({"Process.id"}), frozenset({"id"}))
    assert not incremental._within(frozenset({"id"}), frozenset({"Process.id"}))


# --- the checks above can fail ---------------------------------------------------------------

FEW = Msg(en="{org} lists {count} resources", fi="{org} luettelee {count} resurssia")


def _counting_rule() -> Rule:
    """A rule that counts resources per organisation but declares it reads only ids."""

    def check(ctx: Context) -> Iterator[Problem]:
        counts: dict[str, int] = {}
        for p in ctx.workspace.processes:
            counts[p.organisation] = counts.get(p.organisation, 0) + len(p.resources)
        for org in ctx.workspace.organisations:
            yield problem(ctx.loc(org, "id"), FEW, org=org.id, count=counts.get(org.id, 0))

    doc = "QMS998 counting: test only"
    reads = frozenset({"id", "organisation"})
    return Rule("QMS998", "counting", "info", check, doc, True, "workspace", (), True, reads)


def test_the_checks_catch_a_rule_that_reads_more_than_it_declares(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    loaded = load(_generated(tmp_path_factory))
    assert undeclared(loaded, _counting_rule()) == {"Process.resources"}
    assert counterexamples(loaded, [_counting_rule()], edits=1000, seed=2)


def test_the_checks_catch_a_rule_that_shares_more_than_it_declares(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Reads declared right, but the organisation's finding counts the resources of its
    processes, which `shared` leaves out: an edit of a process's resources changes a finding
    in another document, which qms would keep."""
    honest = replace(_counting_rule(), reads=frozenset({"id", "organisation", "resources"}))
    loaded = load(_generated(tmp_path_factory))
    assert undeclared(loaded, honest) == set()
    assert counterexamples(loaded, [honest], edits=300, seed=2) == []
    shares = replace(honest, shared=frozenset({"id", "organisation"}))
    assert local_counterexamples(loaded, [shares], edits=300, seed=2)
    assert local_counterexamples(loaded, [replace(shares, shared=honest.reads)], 300, 2) == []


# --- edits written to the files --------------------------------------------------------------


def _write(root: Path, doc: Document) -> None:
    text = yaml.safe_dump(_dump(doc), allow_unicode=True, sort_keys=False)
    (root / doc.source).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_of_files_print_what_a_full_run_prints(tmp_path: Path, seed: int) -> None:
    """Each file is first written back as its model dumps it (a structural edit of its own:
    defaults, quoting), then edited at random, one file at a time."""
    root = tmp_path / "lamppu"
    shutil.copytree(LAMPPU, root)
    rng = random.Random(seed)
    loaded = load(root)
    assert loaded.workspace is not None
    docs = [d for d in loaded.workspace.documents() if d.source != "qms.yaml"]
    pools = _pools(list(loaded.workspace.documents()))
    modes: set[str] = set()
    assert incremental.validate(str(root)).mode == "cold"
    for _ in range(6):
        doc = rng.choice(docs)
        new = mutated(doc, pools, rng)
        if new is None:
            continue
        _write(root, new)
        outcome = incremental.validate(str(root))
        modes.add(outcome.mode)
        assert [_key(f) for f in outcome.result.findings] == full(root)
    assert modes <= {"structural", "local", "workspace", "incremental"}


def test_a_resource_added_keeps_every_workspace_rule(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The bench's structural edit: no workspace rule reads a process's resources beyond
    whether it has any, so only the edited file is checked again."""
    root = _generated(tmp_path_factory, "resources")
    assert incremental.validate(str(root)).mode == "cold"
    path = sorted((root / "organisations").glob("*/processes/*.yaml"))[1]
    text = path.read_text(encoding="utf-8")
    assert "resources: [" in text
    path.write_text(text.replace("resources: [", 'resources: ["Tila 9", ', 1), "utf-8")
    rel = path.relative_to(root).as_posix()
    outcome = incremental.validate(str(root))
    assert (outcome.mode, outcome.checked) == ("structural", [rel])
    assert [f.code for f in outcome.result.findings] == [f[3] for f in full(root)]


def test_a_role_edit_checks_the_edited_file_alone(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The bench's role edit, then a role nobody has and a step pointing at no step:
    unknown-reference runs for the edited file with stand-ins of the others, and the output
    is that of a run without any cache; without the stand-ins it runs over everything."""
    from tests.test_incremental import check

    root = _generated(tmp_path_factory, "roles")
    assert incremental.validate(str(root)).mode == "cold"
    path = sorted((root / "organisations").glob("*/processes/*.yaml"))[2]
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if "{id: v01," in ln and "role: " in ln)
    role = line.split("role: ", 1)[1].split(",", 1)[0]
    others = sorted(set(re.findall(r"role: ([\w-]+)", text)) - {role})
    for new in (others[0], "ei-ketaan"):
        edited = line.replace(f"role: {role}", f"role: {new}", 1)
        text = text.replace(line, edited, 1)
        path.write_text(text, encoding="utf-8")
        line = edited
        found = check(root, "local", [rel])
        role = new
    assert any(k[0] == rel and k[3] == "QMS004" for k in found)
    path.write_text(text.replace("next: [v02]", "next: [v99]", 1), encoding="utf-8")
    assert sum(k[0] == rel and k[3] == "QMS004" for k in check(root, "local", [rel])) == 2
    folder = incremental._folder(str(root))
    assert folder is not None
    for kept in folder.glob("ghosts*.pickle"):  # every file of stand-ins (`_tiers`)
        kept.unlink()
    path.write_text(text, encoding="utf-8")
    check(root, "workspace", [rel])
    path.write_text(text.replace("role: ei-ketaan", f"role: {others[0]}", 1), encoding="utf-8")
    assert [k for k in check(root, "local", [rel]) if k[3] == "QMS004"] == []


def test_a_rating_edit_checks_the_assessment_alone(tmp_path: Path) -> None:
    """An assessment's rating given another level, one off the scale and evidence that names
    nothing: the assessment rules run for that file alone, with the same output as a run
    without any cache."""
    from tests.test_incremental import check, edit

    root = tmp_path / "lamppu"
    shutil.copytree(LAMPPU, root)
    rel = "organisations/lappia/assessment.yaml"
    assert incremental.validate(str(root)).mode == "cold"
    edit(root, rel, "{statement: J1.1, level: 2,", "{statement: J1.1, level: 1,")
    check(root, "local", [rel])
    edit(root, rel, "{statement: J1.2, level: 2,", "{statement: J1.2, level: 9,")
    edit(root, rel, "evidence: [plan:kyselyn-juurruttaminen]}", "evidence: [plan:ei-ole]}")
    found = {k[3] for k in check(root, "local", [rel]) if k[0] == rel}
    assert {"QMS502", "QMS508"} <= found


def test_edits_in_an_organisation_marked_as_example(tmp_path: Path) -> None:
    """jedu-a's `example:` mark is inherited by its processes' elements: its documents' edits
    count the example marks with the mark kept from the last run, not over the whole
    workspace, and the summary's count stays that of a run without cache (`check`)."""
    from tests.test_incremental import check, edit

    root = tmp_path / "lamppu"
    shutil.copytree(LAMPPU, root)
    rel = "organisations/jedu-a/processes/palautteen-kasittely.yaml"
    assert incremental.validate(str(root)).mode == "cold"
    step = "  - {id: vastaaminen, name: Vastataan palautekyselyyn oppitunnilla, role: opettaja,"
    edit(root, rel, step, step.replace("role: opettaja", "role: laatuvastaava"))
    check(root, "local", [rel])
    edit(root, rel, "resources: [Palautejärjestelmä]", "resources: [Palautejärjestelmä, Tila]")
    check(root, "structural", [rel])
    edit(root, rel, "example: true\n", "")
    edit(root, rel, "{id: vastaaminen,", "{id: vastaaminen, example: false,")
    check(root, "workspace", [rel])
    edit(root, rel, "{id: vastaaminen, example: false,", "{id: vastaaminen,")
    check(root, "structural", [rel])  # no workspace rule reads a step's mark; one more example


def test_stand_ins_read_back_equal_those_written() -> None:
    """`ghosts.pickle` writes each model object as the values it does not share with its
    class's defaults (`_pickled_ghosts`): read back, every stand-in and every organisation's
    mark equals the one written, with its fields set and its file, and the file is smaller
    than the objects pickled whole."""
    import pickle

    loaded = load(LAMPPU)
    ws = loaded.workspace
    assert ws is not None
    keep = incremental.shared_fields(all_rules())
    documents = {d.source: incremental.ghost(d, keep) for d in ws.documents()[1:]}
    marks = {o.id.lower(): o.example for o in ws.organisations}
    written = incremental.Ghosts(b"t", ws.unloaded, documents, marks)
    data = incremental._pickled_ghosts(written)
    back = pickle.loads(data)
    assert back.documents == documents and back.marks == marks
    for rel, doc in documents.items():
        again = back.documents[rel]
        assert again.source == rel == doc.source
        assert again.model_fields_set == doc.model_fields_set
        assert again.__dict__ == doc.__dict__
    assert len(data) < len(pickle.dumps(written, pickle.HIGHEST_PROTOCOL))


def test_a_role_edit_reads_the_smaller_stand_ins(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stand-ins that keep what the index reads (`ghosts-0.pickle`) are enough for
    unknown-reference, the one rule a role edit runs again: with the full stand-ins broken the
    edit is still checked alone, with the output of a run without any cache; with the smaller
    ones gone it reads the full ones; with neither it runs over everything."""
    from tests.test_incremental import check

    root = _generated(tmp_path_factory, "tiers")
    assert incremental.validate(str(root)).mode == "cold"
    folder = incremental._folder(str(root))
    assert folder is not None
    full, small = folder / "ghosts.pickle", folder / "ghosts-0.pickle"
    assert small.stat().st_size < full.stat().st_size
    path = sorted((root / "organisations").glob("*/processes/*.yaml"))[2]
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if "{id: v01," in ln and "role: " in ln)
    role = line.split("role: ", 1)[1].split(",", 1)[0]
    other = sorted(set(re.findall(r"role: ([\w-]+)", text)) - {role})[0]
    read: list[str] = []
    loads = incremental.pickle.loads

    def watched(data: bytes) -> Any:
        found = loads(data)
        if isinstance(found, incremental.Ghosts):
            read.append(
                "small" if found.keep is not None and "results" not in found.keep else "full"
            )
        return found

    monkeypatch.setattr(incremental.pickle, "loads", watched)
    full.write_bytes(b"broken")
    path.write_text(text.replace(line, line.replace(f"role: {role}", f"role: {other}")), "utf-8")
    check(root, "local", [rel])
    assert read == ["small"]
    shutil.rmtree(folder)
    check(root, "cold")  # writes both again
    small.unlink()
    read.clear()
    path.write_text(text, encoding="utf-8")
    check(root, "local", [rel])
    assert read == ["full"]
    full.unlink()
    path.write_text(text.replace(line, line.replace(f"role: {role}", f"role: {other}")), "utf-8")
    check(root, "workspace", [rel])


def test_the_smaller_stand_ins_are_those_ghost_makes() -> None:
    """`ghosts-0.pickle` is written from the stand-ins of every shared field, each object's
    other fields left out as it is pickled (`_pickled_ghosts` with `fields`): read back, each
    document equals the stand-in `ghost` makes with those fields, and the marks are whole."""
    import pickle

    loaded = load(LAMPPU)
    ws = loaded.workspace
    assert ws is not None
    keep = incremental.shared_fields(all_rules())
    (fields,) = incremental._tiers(keep)
    assert fields < keep
    documents = {d.source: incremental.ghost(d, keep) for d in ws.documents()[1:]}
    marks = {o.id.lower(): o.example for o in ws.organisations}
    assert any(m is not None for m in marks.values())
    written = incremental.Ghosts(b"t", ws.unloaded, documents, marks, fields)
    back = pickle.loads(incremental._pickled_ghosts(written, fields))
    assert back.keep == fields and back.marks == marks
    for rel, doc in documents.items():
        made = incremental.ghost(doc, fields)
        assert back.documents[rel] == made
        assert back.documents[rel].model_fields_set == made.model_fields_set
        assert back.documents[rel].source == rel
