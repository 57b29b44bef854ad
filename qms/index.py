"""Look-up tables over a workspace: ids -> elements, and reference resolution.

Built once per workspace in linear time; the rules, the graph and the exports all resolve
references through it, so that "what does `talous` mean inside REDU" has one answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, TypeVar

from qms.model import (
    Action,
    DocumentRef,
    Goal,
    Metric,
    Metrics,
    Organisation,
    Period,
    Plan,
    Process,
    Project,
    Role,
    Workspace,
)

T = TypeVar("T")
Key = tuple[str, str]
"""An element id qualified by its organisation: (org, id)."""


INDEX_FIELDS = frozenset(
    {
        *("Project.id", "Project.goals", "Goal.id", "Project.periods", "Period.id"),
        *("Organisation.id", "Organisation.roles", "Role.id"),
        *("Organisation.documents", "DocumentRef.id"),
        *("Process.id", "Process.organisation", "Plan.id", "Plan.organisation"),
        *("Metrics.organisation", "Metrics.metrics", "Metric.id"),
    }
)
"""`INDEX_READS` by class (`Rule.shared`): what `build` reads of each document, and nothing
of the same names elsewhere (a process's own document references and metrics). A rule
whose findings in one document read the others only through the index declares it, and
after an edit it runs with stand-ins of the others that keep no more (qms/incremental.py:
nationally 16,700 objects instead of 25,700); change it with `build`."""

INDEX_READS = tuple(sorted({f.partition(".")[2] for f in INDEX_FIELDS}))
"""The same fields by name alone: part of what every rule that resolves references reads
(`Rule.reads`, qms/incremental.py)."""


@dataclass(frozen=True)
class Located(Generic[T]):
    """An element together with the document that holds it and its key path there."""

    item: T
    source: str
    path: tuple[str | int, ...]


@dataclass
class Index:
    """Every id of a workspace, by scope."""

    workspace: Workspace
    organisations: dict[str, Organisation] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    goals: dict[str, Located[Goal]] = field(default_factory=dict)
    periods: dict[str, Located[Period]] = field(default_factory=dict)
    processes: dict[Key, Process] = field(default_factory=dict)
    plans: dict[Key, Plan] = field(default_factory=dict)
    roles: dict[Key, Located[Role]] = field(default_factory=dict)
    metrics: dict[Key, Located[Metric]] = field(default_factory=dict)
    register: dict[Key, Located[DocumentRef]] = field(default_factory=dict)
    """The organisations' registers of operating instructions."""

    @classmethod
    def build(cls, ws: Workspace) -> Index:
        """Index a workspace; on duplicates the first definition wins (QMS003 reports them)."""
        index = cls(ws)
        for project in ws.projects:
            index.projects.setdefault(project.id, project)
            for i, goal in enumerate(project.goals):
                located = Located(goal, project.source, ("goals", i))
                index.goals.setdefault(goal.id, located)
                index.goals.setdefault(f"{project.id}/{goal.id}", located)
            for i, period in enumerate(project.periods):
                index.periods.setdefault(period.id, Located(period, project.source, ("periods", i)))
        for org in ws.organisations:
            index.organisations.setdefault(org.id, org)
            for i, role in enumerate(org.roles):
                index.roles.setdefault((org.id, role.id), Located(role, org.source, ("roles", i)))
            for i, doc in enumerate(org.documents):
                index.register.setdefault(
                    (org.id, doc.id), Located(doc, org.source, ("documents", i))
                )
        for process in ws.processes:
            index.processes.setdefault((process.organisation, process.id), process)
        for plan in ws.plans:
            index.plans.setdefault((plan.organisation, plan.id), plan)
        for mdoc in ws.metrics:
            for i, metric in enumerate(mdoc.metrics):
                index.metrics.setdefault(
                    (mdoc.organisation, metric.id), Located(metric, mdoc.source, ("metrics", i))
                )
        return index

    # --- resolution --------------------------------------------------------------------------

    def process_key(self, ref: str, org: str) -> Key | None:
        """Resolve a process reference made inside `org`: 'talous' or 'redu/talous'."""
        key = split_ref(ref, org)
        return key if key in self.processes else None

    def process(self, ref: str, org: str) -> Process | None:
        """The process a reference names, or None."""
        key = self.process_key(ref, org)
        return self.processes[key] if key else None

    def goal(self, ref: str) -> Goal | None:
        """The goal a reference names ('G3' or 'lamppu/G3'), or None."""
        found = self.goals.get(ref)
        return found.item if found else None

    def goal_id(self, ref: str) -> str | None:
        """The canonical (unqualified) id of the goal a reference names, or None."""
        found = self.goals.get(ref)
        return found.item.id if found else None

    def metric(self, ref: str, org: str) -> Metric | None:
        """The metric a reference names inside `org`, or None."""
        found = self.metrics.get(split_ref(ref, org))
        return found.item if found else None

    # --- candidates for "did you mean" -------------------------------------------------------

    def process_ids(self, org: str) -> list[str]:
        """Process ids visible from `org`: its own plain, the others qualified."""
        return sorted(pid if o == org else f"{o}/{pid}" for o, pid in self.processes)

    def role_ids(self, org: str) -> list[str]:
        """Role ids of `org`."""
        return sorted(rid for o, rid in self.roles if o == org)

    def metric_ids(self, org: str) -> list[str]:
        """Metric ids visible from `org`."""
        return sorted(mid if o == org else f"{o}/{mid}" for o, mid in self.metrics)

    @cached_property
    def own_processes(self) -> dict[str, list[str]]:
        """Process ids per organisation, sorted: one organisation's list without scanning the
        whole network's (a process map per organisation would otherwise be quadratic)."""
        out: dict[str, list[str]] = {}
        for org, pid in self.processes:
            out.setdefault(org, []).append(pid)
        return {org: sorted(pids) for org, pids in out.items()}

    def actions(self) -> Iterator[tuple[Plan, int, Action]]:
        """Every plan action with its plan and index, in file order."""
        for plan in self.workspace.plans:
            for i, action in enumerate(plan.actions):
                yield plan, i, action

    def metrics_docs(self) -> Iterator[tuple[Metrics, int, Metric]]:
        """Every metric with its document and index, in file order."""
        for doc in self.workspace.metrics:
            for i, metric in enumerate(doc.metrics):
                yield doc, i, metric


def split_ref(ref: str, org: str) -> Key:
    """'redu/talous' -> ('redu', 'talous'); 'talous' inside kao -> ('kao', 'talous').

    >>> split_ref("redu/talous", "kao")
    ('redu', 'talous')
    >>> split_ref("talous", "kao")
    ('kao', 'talous')
    """
    if "/" in ref:
        first, _, rest = ref.partition("/")
        return first, rest
    return org, ref
