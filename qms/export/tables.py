"""The manual's tables as (header, rows) of plain text, shared by the DOCX and Markdown
exporters so that both documents show the same columns; each exporter only lays them out."""

from __future__ import annotations

from collections.abc import Sequence

from qms.export.manual import ActionRow, Manual, ProcessPage

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


def process_metrics(p: ProcessPage, L: dict[str, str]) -> Table:
    """The metrics of one process, with targets."""
    head = [L["metric"], L["baseline"], L["target"], L["target_date"], L["owner"]]
    rows = [
        [x.name, x.baseline, f"{x.target} {x.unit}".strip(), x.target_date, x.owner]
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


def actions(rows: Sequence[ActionRow], L: dict[str, str]) -> Table:
    """Plan actions of one quality-cycle phase; overdue ones marked."""
    head = [L["action"], L["who"], L["due"], L["status"]]
    body = [
        [a.what, a.who, a.due + (f" ({L['overdue']})" if a.overdue else ""), L[a.status]]
        for a in rows
    ]
    return head, body


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
    head = [L["goal"], L["committed"], L["state"], L["realized_by"]]
    rows = [
        [
            f"{g.id} {g.name}",
            L["yes"] if g.committed else L["no"],
            L.get(g.state, "—") if g.state != "none" else "—",
            ", ".join(g.realized_by),
        ]
        for g in m.goals
    ]
    return head, rows
