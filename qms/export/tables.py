"""The manual's tables as (header, rows) of plain text, shared by the DOCX and Markdown
exporters so that both documents show the same columns; each exporter only lays them out."""

from __future__ import annotations

from collections.abc import Sequence

from qms.export.assessment import AssessmentReport, Trend
from qms.export.manual import ActionRow, History, Manual, ProcessPage, RoleRow
from qms.l10n import plural

Table = tuple[list[str], list[list[str]]]


def sipoc(p: ProcessPage, L: dict[str, str], sep: str) -> Table:
    """Suppliers, inputs, process, outputs, customers: one row, items joined with `sep`."""
    suppliers = dict.fromkeys([*p.suppliers, *(i.party for i in p.inputs if i.party)])
    customers = dict.fromkeys([*p.customers, *(o.party for o in p.outputs if o.party)])
    head = [L["suppliers"], L["inputs"], L["process"], L["outputs"], L["customers"]]
    row = [
        sep.join(suppliers),
        sep.join(i.name for i in p.inputs),
        p.name,
        sep.join(o.name for o in p.outputs),
        sep.join(customers),
    ]
    return head, [row]


def steps(p: ProcessPage, L: dict[str, str]) -> Table:
    """The steps of a flow: name (with BPMN detail, description, outputs), role, next, documents."""
    head = ["#", L["step"], L["role"], L["next"], L["documents"]]
    rows = [
        [
            str(i),
            "\n".join(
                [
                    s.name,
                    *([s.detail] if s.detail else []),
                    *([s.description] if s.description else []),
                    *([f"{L['outputs']}: {', '.join(s.outputs)}"] if s.outputs else []),
                ]
            ),
            s.role,
            "\n".join(s.next),
            "\n".join(s.documents),
        ]
        for i, s in enumerate(p.steps, 1)
    ]
    return head, rows


def process_metrics(p: ProcessPage, L: dict[str, str]) -> Table:
    """The metrics of one process, with targets and the latest value."""
    head = [L["metric"], L["baseline"], L["target"], L["target_date"], L["latest"], L["owner"]]
    rows = [
        [x.name, x.baseline, f"{x.target} {x.unit}".strip(), x.target_date, x.latest, x.owner]
        for x in p.metrics
    ]
    return head, rows


def documents(p: ProcessPage, L: dict[str, str]) -> Table:
    """The documents and operating instructions of one process."""
    head = [L["document"], L["version"], L["owner"], L["link"]]
    return head, [[d.name, d.version, d.owner, d.link] for d in p.documents]


def risks(p: ProcessPage, L: dict[str, str]) -> Table:
    """The risks of one process and how they are handled."""
    head = [L["risk"], L["likelihood"], L["impact"], L["mitigation"]]
    rows = [[r.name, L.get(r.likelihood, ""), L.get(r.impact, ""), r.mitigation] for r in p.risks]
    return head, rows


def approvals(m: Manual, L: dict[str, str]) -> Table:
    """The version and approval table of the manual."""
    head = [L["document"], L["version"], L["status"], L["approved_by"], L["approved_on"]]
    rows = [[a.document, a.version, L[a.status], a.approved_by, a.approved_on] for a in m.approvals]
    return head, rows


def approval(by: str, on: str, state: str, L: dict[str, str]) -> str:
    """`yhtymahallitus 15.1.2013 (muutoksia hyväksynnän jälkeen)`: who, when, still valid?"""
    shown = f"{by} {on}".strip()
    return f"{shown} ({L['approval_' + state]})" if state and shown else shown


def history(h: History, L: dict[str, str]) -> tuple[str, Table]:
    """The change history as a note and a table (version, date, author, changes), newest first.

    With rows, the note says where they come from: the model file's git commits, whose date and
    author are the commit's, not the document's approval (a model drawn up in 2026 from a 2012
    report shows 2026)."""
    head = [L["version"], L["history_date"], L["history_author"], L["history_summary"]]
    rows = [
        [
            r.version + (f" ({L['version_kept']})" if r.version_kept else ""),
            r.date,
            r.author,
            r.summary,
        ]
        for r in h.rows
    ]
    note = L["history_git"]
    if h.state == "no-git":
        note = L["history_no_git"]
    elif not rows:
        note = L["history_none"]
    return note, (head, rows)


def actions(rows: Sequence[ActionRow], L: dict[str, str]) -> Table:
    """Plan actions of one quality-cycle phase; overdue ones marked."""
    head = [L["action"], L["who"], L["due"], L["status"], L["evaluated_by"]]
    body = [
        [
            a.what,
            a.who,
            a.due + (f" ({L['overdue']})" if a.overdue else ""),
            L[a.status],
            ", ".join(a.evaluated_by),
        ]
        for a in rows
    ]
    return head, body


def bands(m: Manual, L: dict[str, str]) -> Table:
    """The process map as text: a column per band (management, core, support)."""
    shown = [b for b in m.bands if b.processes]
    depth = max((len(b.processes) for b in shown), default=0)
    head = [L[b.band] for b in shown]
    rows = [
        [b.processes[i][1] if i < len(b.processes) else " " for b in shown] for i in range(depth)
    ]
    return head, rows


def metrics(m: Manual, L: dict[str, str]) -> Table:
    """The organisation's metric set with the latest values."""
    head = [L["metric"], L["baseline"], L["target"], L["target_date"], L["latest"], L["owner"]]
    rows = [
        [x.name, x.baseline, f"{x.target} {x.unit}".strip(), x.target_date, x.latest, x.owner]
        for x in m.metrics
    ]
    return head, rows


def coverage(m: Manual, L: dict[str, str]) -> Table:
    """The organisation's goal coverage."""
    head = [L["goal"], L["committed"], L["state"], L["realized_by"], L["reported"]]
    rows = [
        [
            f"{g.id} {g.name}",
            L["yes"] if g.committed else L["no"],
            L.get(g.state, "—") if g.state != "none" else "—",
            "\n".join(
                f"{L[kind]}: {', '.join(x.name for x in items)}"
                for kind, items in (
                    ("processes", g.processes),
                    ("actions", g.actions),
                    ("metrics", g.metrics),
                )
                if items
            ),
            "\n".join(
                f"{r.period}: {L[r.status]}" + (f" – {r.text}" if r.text else "") for r in g.results
            ),
        ]
        for g in m.goals
    ]
    return head, rows


def role_matrix(m: Manual, L: dict[str, str]) -> Table:
    """Roles x processes: owner, and how many of the flow's steps are in the role's lane."""
    head = [L["role"], *(p.name for p in m.processes)]
    rows = []
    for r in m.roles:
        cells = []
        for p in m.processes:
            owns, count = r.in_process(p.id)
            parts = ([L["role_owner"]] if owns else []) + (
                [plural(count, m.lang, one=L["role_step"], other=L["role_steps"])] if count else []
            )
            cells.append(", ".join(parts))
        rows.append([r.name, *cells])
    return head, rows


def role_tasks(r: RoleRow, L: dict[str, str]) -> list[tuple[str, str]]:
    """What one role does, as (label, text) lines: owned processes, steps per process,
    actions, metrics; empty when the role does nothing in the manual."""
    lines = []
    if r.owns:
        lines.append((L["owns"], ", ".join(x.name for x in r.owns)))
    lines += [(proc.name, ", ".join(x.name for x in found)) for proc, found in r.steps]
    if r.actions:
        lines.append((L["actions"], ", ".join(x.name for x in r.actions)))
    if r.metrics:
        lines.append((L["metrics"], ", ".join(x.name for x in r.metrics)))
    return lines


def register(m: Manual, L: dict[str, str]) -> Table:
    """The document register with where each document is used."""
    head = [L["document"], L["version"], L["owner"], L["link"], L["where_used"]]
    rows = [
        [
            d.name + (f"\n({L['organisation_level']})" if d.organisation_level else ""),
            d.version,
            d.owner,
            d.link,
            "\n".join(x.name for x in d.used_in) or L["not_used"],
        ]
        for d in m.documents
    ]
    return head, rows


def assessment_facts(r: AssessmentReport, L: dict[str, str]) -> list[tuple[str, str]]:
    """A self-assessment's facts as (label, text): set, period, date, method, threshold, ..."""
    return [
        (L["criteria_set"], r.criteria_name),
        (L["period"], r.period),
        (L["assessed_on"], r.date),
        (L["method"], r.method),
        (L["threshold"], f"{r.threshold} {r.threshold_name}"),
        (L["functioning"], L["functioning_" + r.functioning]),
        (L["unassessed"], ", ".join(r.unassessed)),
    ]


def ratings(r: AssessmentReport, L: dict[str, str]) -> Table:
    """A self-assessment's ratings: an area row, an item row (with its mean), then each
    statement's level; `*` marks a rating that is example content."""
    rows = []
    for area in r.areas:
        rows.append([f"{area.id} {area.name}", area.result, "", ""])
        for item in area.items:
            rows.append([f"{item.id} {item.name}", item.result, L["item_result"], ""])
            for x in item.ratings:
                star = "*" if x.example is not None else ""
                rating = f"{x.level} {x.level_name}{star}" if x.level is not None else L["unrated"]
                evidence = ", ".join(e.name for e in x.evidence)
                rows.append([f"{x.statement} {x.text}", rating, x.rationale, evidence])
    return [L["statement"], L["rating"], L["rationale"], L["evidence"]], rows


def trend_values(t: Trend, L: dict[str, str]) -> Table:
    """A metric's value per period, with its unit where there is a value."""
    unit = f" {t.unit}" if t.unit else ""
    rows = [
        [period, shown + (unit if value is not None else "")]
        for period, shown, value in zip(t.periods, t.shown, t.values, strict=True)
    ]
    return [L["period"], L["value"]], rows
