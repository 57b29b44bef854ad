"""Comparing organisations: which processes are equivalent, and how they differ.

For a merger (two providers building one operating system, as JEDU's in LAMPPU) or for
benchlearning across a network. Two processes are scored by type, level, name, SIPOC and goals;
the best pairs above a threshold are aligned, one to one. The alignment can be written to a
YAML file, corrected by hand and read back (`qms compare --alignment FILE`), so that the
quality group, not the score, has the last word. Per pair, the steps, roles, metrics and
documents are matched by id or by similar names and shown side by side.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from qms.example import example_of
from qms.findings import Msg, printable
from qms.index import Index
from qms.model import LANGUAGES, Process, Workspace, text

THRESHOLD = 0.5
"""The lowest score at which two processes are aligned automatically."""
SAME_NAME = 0.8
"""The lowest name similarity at which two steps, roles, metrics or documents are the same."""
WEIGHTS = {"type": 0.15, "level": 0.05, "name": 0.35, "sipoc": 0.2, "goals": 0.25}
"""How much each kind of evidence counts in a pair's score (they add up to 1)."""


def _words(value: str) -> set[str]:
    return {w for w in re.findall(r"\w+", value.casefold()) if len(w) > 2}


def _texts(value: str | dict[str, str] | None) -> list[str]:
    """Every language version of a text (a plain string is one)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [value[lang] for lang in LANGUAGES if lang in value]


def name_similarity(a: str | dict[str, str] | None, b: str | dict[str, str] | None) -> float:
    """The best similarity (0..1) between any language versions of two names.

    >>> round(name_similarity("Opiskelijavalinta", {"fi": "Opiskelijavalinnat"}), 2)
    0.91
    """
    best = 0.0
    for x in _texts(a):
        for y in _texts(b):
            ratio = difflib.SequenceMatcher(None, x.casefold(), y.casefold()).ratio()
            best = max(best, ratio)
    return best


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def _sipoc_words(p: Process) -> set[str]:
    words: set[str] = set()
    for item in (*p.customers, *p.suppliers, *(x.name for x in (*p.inputs, *p.outputs))):
        for shown in _texts(item):
            words |= _words(shown)
    return words


@dataclass(frozen=True)
class Score:
    """How alike two processes are, and why."""

    total: float
    parts: dict[str, float]


def score(a: Process, b: Process) -> Score:
    """The weighted evidence that two processes of different organisations are equivalent."""
    goals_a = {ref.split("/")[-1] for ref in (*a.realizes, *a.influences)}
    goals_b = {ref.split("/")[-1] for ref in (*b.realizes, *b.influences)}
    parts = {
        "type": 1.0 if a.type == b.type else 0.0,
        "level": 1.0 if a.level == b.level else 0.0,
        "name": name_similarity(a.name, b.name),
        "sipoc": _jaccard(_sipoc_words(a), _sipoc_words(b)),
        "goals": _jaccard(goals_a, goals_b),
    }
    total = sum(WEIGHTS[k] * v for k, v in parts.items())
    return Score(round(total, 3), {k: round(v, 3) for k, v in parts.items()})


def equivalent(s: Score) -> bool:
    """Whether a score is enough to align two processes automatically: a high total, and a
    similar name or shared inputs and outputs (type, level and goals alone are not enough)."""
    return s.total >= THRESHOLD and (s.parts["name"] >= 0.5 or s.parts["sipoc"] >= 0.3)


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    score: float
    by_hand: bool = False


@dataclass(frozen=True)
class Alignment:
    """Which process of organisation A is equivalent to which of B."""

    org_a: str
    org_b: str
    pairs: tuple[Pair, ...]
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]

    def as_yaml(self) -> str:
        """The alignment as a file to correct by hand and read back with --alignment."""
        lines = [
            "# qms compare: the processes aligned as equivalent. Correct the pairs by hand",
            "# (move an id between `pairs` and `only_a`/`only_b`) and run",
            f"# `qms compare WORKSPACE {self.org_a} {self.org_b} --alignment THIS_FILE`.",
            "# The scores are informative only; a pair you write needs none.",
            "kind: alignment",
            f"organisations: [{self.org_a}, {self.org_b}]",
            "pairs:",
        ]
        lines += [f"  - {{a: {p.a}, b: {p.b}, score: {p.score}}}" for p in self.pairs] or []
        if not self.pairs:
            lines[-1] = "pairs: []"
        lines.append(f"only_a: [{', '.join(self.only_a)}]")
        lines.append(f"only_b: [{', '.join(self.only_b)}]")
        return "\n".join(lines) + "\n"


def processes_of(ws: Workspace, org: str) -> list[Process]:
    return [p for p in ws.processes if p.organisation == org]


EXAMPLE_ORG = Msg(
    en="Example content: {org} is an illustration, not from the sources{reason}.",
    fi="Esimerkkisisältöä: {org} on havainnollistus, ei lähteistä{reason}.",
)
PREDECESSOR = Msg(
    en="{org} is a predecessor unit merging into {into}, not a member of the network.",
    fi="{org} on organisaatioon {into} yhdistyvä edeltäjäyksikkö, ei verkoston jäsen.",
)


def _named(ws: Workspace, p: Process, lang: str) -> str:
    """A process's name, tagged `(esimerkki)` when it is example content."""
    from qms.export.manual import EXAMPLE

    org = next((o for o in ws.organisations if o.id == p.organisation), None)
    name = text(p.name, lang)
    return f"{name} ({EXAMPLE['tag'].format(lang)})" if example_of(ws.settings, org, p) else name


def notices(ws: Workspace, orgs: Sequence[str], lang: str) -> tuple[str, ...]:
    """What a reader must know about the compared organisations: example content (with the
    reason) and predecessor units that are not members of the network."""
    found: list[str] = []
    for org in ws.organisations:
        if org.id not in orgs:
            continue
        mark = example_of(ws.settings, org)
        if mark is not None:
            reason = f": {text(mark.reason, lang)}" if mark.reason else ""
            found.append(EXAMPLE_ORG.format(lang, org=org.id, reason=reason.rstrip(".")))
        if org.merges_into:
            found.append(PREDECESSOR.format(lang, org=org.id, into=org.merges_into))
    return tuple(found)


def align(
    ws: Workspace, org_a: str, org_b: str, fixed: Sequence[tuple[str, str]] | None = None
) -> Alignment:
    """Pair the processes of two organisations one to one, best scores first.

    `fixed` pairs (read from an alignment file) are taken as they are, and then nothing else
    is paired: the file is the whole alignment.
    """
    procs_a = {p.id: p for p in processes_of(ws, org_a)}
    procs_b = {p.id: p for p in processes_of(ws, org_b)}
    pairs: list[Pair] = []
    if fixed is not None:
        for a, b in fixed:
            pairs.append(Pair(a, b, score(procs_a[a], procs_b[b]).total, by_hand=True))
    else:
        scores = {(a, b): score(pa, pb) for a, pa in procs_a.items() for b, pb in procs_b.items()}
        candidates = sorted(
            ((s.total, a, b) for (a, b), s in scores.items() if equivalent(s)),
            key=lambda item: (-item[0], item[1], item[2]),
        )
        used_a: set[str] = set()
        used_b: set[str] = set()
        for total, a, b in candidates:
            if a in used_a or b in used_b:
                continue
            pairs.append(Pair(a, b, total))
            used_a.add(a)
            used_b.add(b)
    order_a = list(procs_a)
    pairs.sort(key=lambda p: order_a.index(p.a))
    paired_a = {p.a for p in pairs}
    paired_b = {p.b for p in pairs}
    return Alignment(
        org_a,
        org_b,
        tuple(pairs),
        tuple(a for a in procs_a if a not in paired_a),
        tuple(b for b in procs_b if b not in paired_b),
    )


class AlignmentError(Exception):
    """An alignment file that does not fit the workspace (with the reason, in English)."""


def read_alignment(data: Any, ws: Workspace, org_a: str, org_b: str) -> list[tuple[str, str]]:
    """The pairs of a hand-corrected alignment file; AlignmentError says what is wrong."""
    if not isinstance(data, dict) or data.get("kind") != "alignment":
        raise AlignmentError("not an alignment file (kind: alignment)")
    if data.get("organisations") != [org_a, org_b]:
        raise AlignmentError(f"the file aligns {data.get('organisations')}, not [{org_a}, {org_b}]")
    ids_a = {p.id for p in processes_of(ws, org_a)}
    ids_b = {p.id for p in processes_of(ws, org_b)}
    pairs: list[tuple[str, str]] = []
    for number, item in enumerate(data.get("pairs") or [], 1):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("a"), str)
            or not isinstance(item.get("b"), str)
        ):
            raise AlignmentError(f"pairs[{number}]: write it as {{a: ID, b: ID}}")
        if item["a"] not in ids_a:
            raise AlignmentError(f"pairs[{number}].a: {org_a} has no process '{item['a']}'")
        if item["b"] not in ids_b:
            raise AlignmentError(f"pairs[{number}].b: {org_b} has no process '{item['b']}'")
        if any(item["a"] == a or item["b"] == b for a, b in pairs):
            raise AlignmentError(f"pairs[{number}]: a process may be paired only once")
        pairs.append((item["a"], item["b"]))
    return pairs


# --- what differs within a pair --------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One category (steps, roles, metrics, documents) of a pair, matched side by side."""

    both: tuple[tuple[str, str], ...]
    """(A's name, B's name) of the items both have."""
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]


@dataclass(frozen=True)
class PairDiff:
    pair: Pair
    name_a: str
    name_b: str
    parts: dict[str, float]
    steps: Side
    roles: Side
    metrics: Side
    documents: Side
    goals: Side


def _match(a: Iterable[tuple[str, str]], b: Iterable[tuple[str, str]]) -> Side:
    """Match (id, name) items by id, then by the most similar name above SAME_NAME."""
    left = list(dict.fromkeys(a))
    right = list(dict.fromkeys(b))
    both: list[tuple[str, str]] = []
    rest_b = list(right)
    unmatched: list[tuple[str, str]] = []
    for ident, name in left:
        same = next((item for item in rest_b if item[0] == ident), None)
        if same is None:
            scored = [(name_similarity(name, other[1]), other) for other in rest_b]
            best = max(scored, default=(0.0, None), key=lambda item: item[0])
            same = best[1] if best[0] >= SAME_NAME else None
        if same is None:
            unmatched.append((ident, name))
        else:
            both.append((name, same[1]))
            rest_b.remove(same)
    return Side(tuple(both), tuple(n for _, n in unmatched), tuple(n for _, n in rest_b))


def pair_diff(ws: Workspace, pair: Pair, org_a: str, org_b: str, lang: str) -> PairDiff:
    index = Index.build(ws)
    pa = index.processes[(org_a, pair.a)]
    pb = index.processes[(org_b, pair.b)]

    def role_name(org: str, ref: str | None) -> str:
        located = index.roles.get((org, ref or ""))
        return text(located.item.name, lang) if located else (ref or "")

    def steps(p: Process) -> list[tuple[str, str]]:
        return [(s.id, text(s.name, lang)) for s in p.steps if s.kind not in ("start", "end")]

    def roles(p: Process, org: str) -> list[tuple[str, str]]:
        refs = [p.owner, *(s.role for s in p.steps)]
        return [(r, role_name(org, r)) for r in refs if r]

    def metrics(p: Process, org: str) -> list[tuple[str, str]]:
        found = []
        for ref in p.metrics:
            metric = index.metric(ref, org)
            found.append((ref, text(metric.name, lang) if metric else ref))
        return found

    def documents(p: Process) -> list[tuple[str, str]]:
        return [(d.id, text(d.name, lang)) for d in p.documents]

    def goals(p: Process) -> list[tuple[str, str]]:
        return [(g.split("/")[-1], g.split("/")[-1]) for g in (*p.realizes, *p.influences)]

    return PairDiff(
        pair=pair,
        name_a=_named(ws, pa, lang),
        name_b=_named(ws, pb, lang),
        parts=score(pa, pb).parts,
        steps=_match(steps(pa), steps(pb)),
        roles=_match(roles(pa, org_a), roles(pb, org_b)),
        metrics=_match(metrics(pa, org_a), metrics(pb, org_b)),
        documents=_match(documents(pa), documents(pb)),
        goals=_match(goals(pa), goals(pb)),
    )


@dataclass(frozen=True)
class Comparison:
    org_a: str
    org_b: str
    alignment: Alignment
    pairs: tuple[PairDiff, ...]
    only_a: tuple[tuple[str, str], ...]
    """(id, name) of A's processes without an equivalent in B."""
    only_b: tuple[tuple[str, str], ...]
    notices: tuple[str, ...] = ()
    """Example content and predecessor units among the two (qms.compare.notices)."""

    def as_json(self) -> dict[str, Any]:
        def side(s: Side) -> dict[str, Any]:
            return {
                "both": [list(x) for x in s.both],
                "only_a": list(s.only_a),
                "only_b": list(s.only_b),
            }

        return {
            "organisations": [self.org_a, self.org_b],
            "notices": list(self.notices),
            "pairs": [
                {
                    "a": d.pair.a,
                    "b": d.pair.b,
                    "name_a": d.name_a,
                    "name_b": d.name_b,
                    "score": d.pair.score,
                    "by_hand": d.pair.by_hand,
                    "evidence": d.parts,
                    "steps": side(d.steps),
                    "roles": side(d.roles),
                    "metrics": side(d.metrics),
                    "documents": side(d.documents),
                    "goals": side(d.goals),
                }
                for d in self.pairs
            ],
            "only_a": [{"id": i, "name": n} for i, n in self.only_a],
            "only_b": [{"id": i, "name": n} for i, n in self.only_b],
        }


def compare(
    ws: Workspace,
    org_a: str,
    org_b: str,
    lang: str,
    fixed: Sequence[tuple[str, str]] | None = None,
) -> Comparison:
    """Align two organisations' processes and match each pair's contents side by side."""
    alignment = align(ws, org_a, org_b, fixed)
    names = {(p.organisation, p.id): _named(ws, p, lang) for p in ws.processes}
    return Comparison(
        org_a,
        org_b,
        alignment,
        tuple(pair_diff(ws, pair, org_a, org_b, lang) for pair in alignment.pairs),
        tuple((i, names[(org_a, i)]) for i in alignment.only_a),
        tuple((i, names[(org_b, i)]) for i in alignment.only_b),
        notices(ws, (org_a, org_b), lang),
    )


# --- the whole network -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """Equivalent processes across organisations: organisation id -> process id."""

    name: str
    members: dict[str, str] = field(default_factory=dict)


def network(ws: Workspace, lang: str, organisations: Sequence[str] | None = None) -> list[Cluster]:
    """For the coordinator: which organisations have an equivalent of each process.

    Organisations are taken in order; each process joins the cluster whose processes it
    resembles most (at most one process per organisation in a cluster), or starts its own.
    """
    orgs = list(organisations or [o.id for o in ws.members])
    clusters: list[tuple[Cluster, list[Process]]] = []
    for org in orgs:
        procs = processes_of(ws, org)
        candidates = sorted(
            (
                (min(found.total for found in scored), ci, p.id)
                for p in procs
                for ci, (cluster, members) in enumerate(clusters)
                if org not in cluster.members
                for scored in [[score(p, q) for q in members]]
                if all(equivalent(found) for found in scored)
            ),
            key=lambda item: (-item[0], item[1], item[2]),
        )
        placed: set[str] = set()
        for _total, ci, pid in candidates:
            cluster, members = clusters[ci]
            if pid in placed or org in cluster.members:
                continue
            cluster.members[org] = pid
            members.append(next(p for p in procs if p.id == pid))
            placed.add(pid)
        for p in procs:
            if p.id not in placed:
                clusters.append((Cluster(_named(ws, p, lang), {org: p.id}), [p]))
    return [c for c, _ in clusters]


# --- presentation ----------------------------------------------------------------------------

WORDS = {
    "en": {
        "pairs": "Equivalent processes",
        "score": "score",
        "steps": "Steps",
        "roles": "Roles",
        "metrics": "Metrics",
        "documents": "Documents",
        "goals": "Goals",
        "only": "Only in {org}",
        "none": "none",
        "by_hand": "aligned by hand",
        "process": "Process",
        "network": "Equivalent processes across the network",
    },
    "fi": {
        "pairs": "Vastaavat prosessit",
        "score": "pisteet",
        "steps": "Vaiheet",
        "roles": "Roolit",
        "metrics": "Mittarit",
        "documents": "Asiakirjat",
        "goals": "Tavoitteet",
        "only": "Vain organisaatiolla {org}",
        "none": "ei yhtään",
        "by_hand": "kohdistettu käsin",
        "process": "Prosessi",
        "network": "Vastaavat prosessit verkostossa",
    },
}
CATEGORIES = ("steps", "roles", "metrics", "documents", "goals")


def _cell(value: str) -> str:
    from qms.export.markdown import md

    return md(value)


def as_markdown(c: Comparison, lang: str) -> str:
    w = WORDS[lang]
    lines = [f"# {c.org_a} ↔ {c.org_b}", ""]
    lines += [line for n in c.notices for line in (f"> **{_cell(n)}**", "")]
    lines += [f"## {w['pairs']}", ""]
    for d in c.pairs:
        how = w["by_hand"] if d.pair.by_hand else f"{w['score']} {d.pair.score:.2f}"
        lines += [f"### {_cell(d.name_a)} ↔ {_cell(d.name_b)} ({how})", ""]
        lines += [f"`{d.pair.a}` ↔ `{d.pair.b}`", ""]
        for category in CATEGORIES:
            side: Side = getattr(d, category)
            if not (side.both or side.only_a or side.only_b):
                continue
            lines += [f"**{w[category]}**", "", f"| {c.org_a} | {c.org_b} |", "| --- | --- |"]
            lines += [f"| {_cell(x)} | {_cell(y)} |" for x, y in side.both]
            lines += [f"| {_cell(x)} | — |" for x in side.only_a]
            lines += [f"| — | {_cell(y)} |" for y in side.only_b]
            lines.append("")
    for org, only in ((c.org_a, c.only_a), (c.org_b, c.only_b)):
        lines += [f"## {w['only'].format(org=org)}", ""]
        lines += [f"- {_cell(n)} (`{i}`)" for i, n in only] or [f"_{w['none']}_"]
        lines.append("")
    return "\n".join(lines)


def as_text(c: Comparison, lang: str) -> str:
    w = WORDS[lang]
    lines = [*(f"! {printable(n)}" for n in c.notices), f"{c.org_a} <-> {c.org_b}", ""]
    for d in c.pairs:
        how = w["by_hand"] if d.pair.by_hand else f"{w['score']} {d.pair.score:.2f}"
        lines.append(f"{d.pair.a} <-> {d.pair.b}  ({how})")
        for category in CATEGORIES:
            side = getattr(d, category)
            if not (side.both or side.only_a or side.only_b):
                continue
            lines.append(f"  {w[category]}:")
            lines += [f"    = {x}  |  {y}" for x, y in side.both]
            lines += [f"    < {x}" for x in side.only_a]
            lines += [f"    > {y}" for y in side.only_b]
        lines.append("")
    for org, only in ((c.org_a, c.only_a), (c.org_b, c.only_b)):
        lines.append(f"{w['only'].format(org=org)}: " + (", ".join(i for i, _ in only) or "-"))
    return printable("\n".join(lines), newlines=True) + "\n"


def network_markdown(clusters: Sequence[Cluster], orgs: Sequence[str], lang: str) -> str:
    w = WORDS[lang]
    lines = [f"# {w['network']}", "", "| " + " | ".join([w["process"], *orgs]) + " |"]
    lines.append("|" + " --- |" * (len(orgs) + 1))
    for cluster in clusters:
        cells = [cluster.members.get(org, "—") for org in orgs]
        lines.append("| " + " | ".join([_cell(cluster.name), *cells]) + " |")
    return "\n".join(lines) + "\n"


def network_text(clusters: Sequence[Cluster], orgs: Sequence[str], lang: str) -> str:
    width = max([len(c.name) for c in clusters] + [10])
    lines = [" ".join([WORDS[lang]["process"].ljust(width), *orgs])]
    for cluster in clusters:
        marks = [("x" if org in cluster.members else "-").ljust(len(org)) for org in orgs]
        lines.append(" ".join([cluster.name.ljust(width), *marks]).rstrip())
    return printable("\n".join(lines), newlines=True) + "\n"


# --- the harmonised draft --------------------------------------------------------------------


def _dump(doc: Any) -> dict[str, Any]:
    return dict(doc.model_dump(mode="json", by_alias=True, exclude_defaults=True, warnings=False))


def _yaml(header: Sequence[str], data: dict[str, Any]) -> str:
    import yaml

    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return "".join(f"# {line}\n".replace("# \n", "#\n") for line in header) + body


def draft(ws: Workspace, c: Comparison, merged: str, lang: str) -> dict[str, str]:
    """The files of a harmonised draft for the merged organisation `merged`, by path.

    Each aligned pair becomes one process that starts from A's description, with what only B
    has listed in a comment at the top for the quality group to decide on; processes only one
    has are carried over. Roles and metrics are the union of both (A's wins on the same id).
    Everything is a draft (`status: draft`, no approval).
    """
    index = Index.build(ws)
    org_a = index.organisations[c.org_a]
    org_b = index.organisations[c.org_b]
    w = WORDS[lang]
    files: dict[str, str] = {}
    base = f"organisations/{merged}"

    roles = {r.id: r for r in org_b.roles} | {r.id: r for r in org_a.roles}
    organisation: dict[str, Any] = {
        "kind": "organisation",
        "id": merged,
        "name": f"{text(org_a.name, lang)} + {text(org_b.name, lang)}",
        "type": org_a.type,
        "roles": [_dump(r) for r in roles.values()],
    }
    marked = next((o for o in (org_a, org_b) if o.example is not None), None)
    if marked is not None:  # a draft made of example content is example content
        organisation["example"] = _dump(marked)["example"]
    files[f"{base}/organisation.yaml"] = _yaml(
        [f"qms compare --draft: {c.org_a} + {c.org_b}, harmonised draft"], organisation
    )
    metric_docs = [m for m in ws.metrics if m.organisation in (c.org_a, c.org_b)]
    merged_metrics: dict[str, Any] = {}
    for doc in sorted(metric_docs, key=lambda m: m.organisation != c.org_a):
        for metric in doc.metrics:
            merged_metrics.setdefault(metric.id, _dump(metric))
    if merged_metrics:
        files[f"{base}/metrics.yaml"] = _yaml(
            [f"qms compare --draft: the metrics of {c.org_a} and {c.org_b}"],
            {"kind": "metrics", "organisation": merged, "metrics": list(merged_metrics.values())},
        )

    renamed: dict[tuple[str, str], str] = {}
    for d in c.pairs:
        renamed[(c.org_a, d.pair.a)] = d.pair.a
        renamed[(c.org_b, d.pair.b)] = d.pair.a
    taken = set(renamed.values())
    for org, only in ((c.org_a, c.alignment.only_a), (c.org_b, c.alignment.only_b)):
        for pid in only:
            new_id = pid if pid not in taken else f"{pid}-{org}"[:64]
            renamed[(org, pid)] = new_id
            taken.add(new_id)

    def ref(org: str, value: Any) -> Any:
        """A reference to a process of A or B, pointed at its counterpart in the draft."""
        if not isinstance(value, str):
            return value
        owner, _, pid = value.rpartition("/")
        key = (owner or org, pid)
        return renamed.get(key, value) if key[0] in (c.org_a, c.org_b) else value

    def process_file(p: Process, new_id: str, header: list[str]) -> None:
        data = _dump(p)
        data.update({"id": new_id, "organisation": merged, "status": "draft"})
        for key, side in (("inputs", "from"), ("outputs", "to")):
            for item in data.get(key, []):
                item[side] = ref(p.organisation, item.get(side))
        if "parent" in data:
            data["parent"] = ref(p.organisation, data["parent"])
        for step in data.get("steps", []):
            if "call" in step:
                step["call"] = ref(p.organisation, step["call"])
        for key in ("approved", "version", "lint"):
            data.pop(key, None)
        data = {"kind": "process", **{k: v for k, v in data.items() if k != "kind"}}
        files[f"{base}/processes/{new_id}.yaml"] = _yaml(header, data)

    for d in c.pairs:
        pa = index.processes[(c.org_a, d.pair.a)]
        header = [f"qms compare --draft: {c.org_a}/{d.pair.a} + {c.org_b}/{d.pair.b}", ""]
        for category in CATEGORIES:
            side: Side = getattr(d, category)
            if side.only_b:
                header.append(f"{w[category]} – {w['only'].format(org=c.org_b)}:")
                header += [f"  - {name}" for name in side.only_b]
            if side.only_a:
                header.append(f"{w[category]} – {w['only'].format(org=c.org_a)}:")
                header += [f"  - {name}" for name in side.only_a]
        process_file(pa, d.pair.a, header)
    for org, only in ((c.org_a, c.alignment.only_a), (c.org_b, c.alignment.only_b)):
        for pid in only:
            proc = index.processes[(org, pid)]
            header = [f"qms compare --draft: {w['only'].format(org=org)}"]
            process_file(proc, renamed[(org, pid)], header)
    return files


# --- `qms compare` ---------------------------------------------------------------------------

UNKNOWN_ORG = Msg(
    en="unknown organisation '{name}'{hint} (known: {known})",
    fi="tuntematon organisaatio '{name}'{hint} (tunnetut: {known})",
)
TWO_ORGS = Msg(
    en="give two organisations (ORG_A ORG_B), or none for the whole network",
    fi="anna kaksi organisaatiota (ORG_A ORG_B) tai ei yhtään koko verkostolle",
)
NEEDS_PAIR = Msg(
    en="{option} needs two organisations (ORG_A ORG_B)",
    fi="{option} vaatii kaksi organisaatiota (ORG_A ORG_B)",
)
NEEDS_OUT = Msg(en="--draft needs -o DIR", fi="--draft vaatii valitsimen -o KANSIO")
BAD_ALIGNMENT = Msg(en="{file}: {reason}", fi="{file}: {reason}")
BAD_ID = Msg(
    en="--into '{value}' is not an id (a-z, 0-9, '-', '_')",
    fi="--into '{value}' ei ole tunnus (a-z, 0-9, '-', '_')",
)


@dataclass(frozen=True)
class Request:
    """What `qms compare` was asked for (its options)."""

    orgs: tuple[str, ...]
    fmt: str = "text"
    alignment: str | None = None
    save_alignment: str | None = None
    draft: bool = False
    out: str | None = None
    into: str | None = None
    force: bool = False


def _org_id(ws: Workspace, name: str, lang: str) -> str:
    """The organisation an id or short name names, or a refusal with a did-you-mean."""
    from qms import i18n
    from qms.files import refusal
    from qms.findings import did_you_mean

    for o in ws.organisations:
        if name.casefold() in (o.id.casefold(), (o.short or "").casefold()):
            return o.id
    known = [o.id for o in ws.organisations]
    guess = did_you_mean(name, known)
    hint = i18n.DID_YOU_MEAN.format(lang, word=guess) if guess else ""
    raise refusal(UNKNOWN_ORG.format(lang, name=name, hint=hint, known=", ".join(known)))


def _network(ws: Workspace, ask: Request, lang: str) -> str:
    """The coordinator's matrix over the network's members, in the asked format."""
    import json

    from qms.files import refusal

    for option, given in (
        ("--alignment", ask.alignment),
        ("--save-alignment", ask.save_alignment),
        ("--draft", ask.draft),
    ):
        if given:
            raise refusal(NEEDS_PAIR.format(lang, option=option))
    clusters = network(ws, lang)
    members = [o.id for o in ws.members]
    if ask.fmt == "json":
        payload = [{"name": c.name, "members": c.members} for c in clusters]
        return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if ask.fmt == "markdown":
        return network_markdown(clusters, members, lang)
    return network_text(clusters, members, lang)


def run_compare(workspace: str, ask: Request, lang: str | None, say: Callable[..., None]) -> int:
    """`qms compare`: print the comparison (or the network matrix), write the alignment and
    the draft when asked; refusals (exit 2) for bad usage, unknown names, bad files. Returns
    the exit code (1 when the model is partial: the notice is printed, the output is made)."""
    import json
    import re
    from pathlib import Path

    import yaml

    from qms.files import refusal, write_safely, write_tree
    from qms.i18n import pick_lang
    from qms.load import load
    from qms.model import ID_PATTERN
    from qms.partial import echo_notice

    loaded = load(workspace)
    language = pick_lang(lang, loaded.workspace.language if loaded.workspace else None)
    if loaded.fatal or loaded.workspace is None:
        raise refusal((loaded.fatal or {}).get(language, workspace))
    ws = loaded.workspace
    partial = echo_notice(loaded.findings, language)
    if len(ask.orgs) not in (0, 2):
        raise refusal(TWO_ORGS.format(language))
    if not ask.orgs:
        say(_network(ws, ask, language), nl=False)
        return 1 if partial else 0
    org_a, org_b = (_org_id(ws, name, language) for name in ask.orgs)
    fixed = None
    if ask.alignment:
        try:
            data = yaml.safe_load(Path(ask.alignment).read_text(encoding="utf-8"))
            fixed = read_alignment(data, ws, org_a, org_b)
        except (yaml.YAMLError, OSError, UnicodeDecodeError, AlignmentError) as error:
            reason = printable(str(error).replace("\n", " "))
            said = BAD_ALIGNMENT.format(language, file=ask.alignment, reason=reason)
            raise refusal(said) from None
    if ask.draft and not ask.out:
        raise refusal(NEEDS_OUT.format(language))
    merged = ask.into or f"{org_a}-{org_b}"[:64]
    if ask.draft and not re.match(ID_PATTERN, merged):
        raise refusal(BAD_ID.format(language, value=merged))
    result = compare(ws, org_a, org_b, language, fixed)
    if ask.save_alignment:
        write_safely(ask.save_alignment, result.alignment.as_yaml(), ask.force, language)
    if ask.draft and ask.out:
        write_tree(dict(draft(ws, result, merged, language)), Path(ask.out), ask.force, language)
    if ask.fmt == "json":
        shown = json.dumps(result.as_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    elif ask.fmt == "markdown":
        shown = as_markdown(result, language)
    else:
        shown = as_text(result, language)
    say(shown, nl=False)
    return 1 if partial else 0
