"""A visual diff: one process's swimlane diagram with what a change did highlighted.

The diagram shows the new version of the process, plus the steps and flows the change
removed (dashed, red); added steps and flows are green, changed steps (renamed, moved to
another lane, another kind, ...) amber. It is drawn by the same layout and DOT builder as the
published diagrams (qms/render), so a reviewer sees the diagram the manual will show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from qms.index import Index
from qms.model import Process, Step, Workspace
from qms.views import flow_view

ADDED = {"color": "#1a7f37", "fillcolor": "#dafbe1", "penwidth": "2.5"}
REMOVED = {"color": "#cf222e", "fillcolor": "#ffebe9", "penwidth": "2", "style": "dashed,filled"}
CHANGED = {"color": "#9a6700", "fillcolor": "#fff8c5", "penwidth": "2.5"}
EDGE = {
    "added": {"color": "#1a7f37", "penwidth": "2.5"},
    "removed": {"color": "#cf222e", "penwidth": "2", "style": "dashed"},
    "changed": {"color": "#9a6700", "penwidth": "2.5"},
}
LEGEND = {
    "fi": "muutokset: vihreä lisätty · punainen katkoviiva poistettu · keltainen muutettu",
    "en": "changes: green added · red dashed removed · amber changed",
}


def _content(step: Step) -> dict[str, object]:
    return step.model_dump(mode="json", exclude={"next", "lint"}, warnings=False)


def merged(old: Process | None, new: Process) -> tuple[Process, dict[str, str]]:
    """The new process with the removed steps and flows put back, and what each mark is.

    Marks are by step id and by `source->target` for flows: added, removed or changed.
    """
    before = {s.id: s for s in old.steps} if old else {}
    after = {s.id: s for s in new.steps}
    marks: dict[str, str] = {}
    steps: list[Step] = []
    for step in new.steps:
        was = before.get(step.id)
        if was is None:
            marks[step.id] = "added"
        elif _content(was) != _content(step):
            marks[step.id] = "changed"
        branches = list(step.next)
        new_targets = {b.to: b for b in step.next}
        for branch in step.next:
            old_branch = next((b for b in was.next if b.to == branch.to), None) if was else None
            key = f"{step.id}->{branch.to}"
            if old_branch is None:
                marks[key] = "added"
            elif old_branch.label != branch.label:
                marks[key] = "changed"
        for branch in was.next if was else []:
            if branch.to not in new_targets:
                branches.append(branch)
                marks[f"{step.id}->{branch.to}"] = "removed"
        steps.append(step.model_copy(update={"next": branches}))
    for step in old.steps if old else []:
        if step.id in after:
            continue
        marks[step.id] = "removed"
        for branch in step.next:
            marks[f"{step.id}->{branch.to}"] = "removed"
        steps.append(step)
    known = {s.id for s in steps}
    steps = [s.model_copy(update={"next": [b for b in s.next if b.to in known]}) for s in steps]
    return new.model_copy(update={"steps": steps}), marks


def attributes(marks: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Graphviz attributes for each marked step and flow."""
    styles = {"added": ADDED, "removed": REMOVED, "changed": CHANGED}
    return {key: (EDGE[mark] if "->" in key else styles[mark]) for key, mark in marks.items()}


def diff_dot(index: Index, old: Process | None, new: Process, lang: str) -> str:
    """The pinned DOT text of the highlighted diagram (for `neato -n2`)."""
    from qms.render.dot import order_source, process_flow
    from qms.render.layout import compute, ranks_from_json, run_dot_json

    process, marks = merged(old, new)
    view = flow_view(index, process, lang)
    view = dataclasses.replace(view, title=f"{view.title} ({LEGEND.get(lang, LEGEND['en'])})")
    ranks = ranks_from_json(run_dot_json(order_source(view)))
    return process_flow(view, compute(view, ranks), attributes(marks))


def changed_processes(old: Workspace, new: Workspace) -> list[tuple[Process | None, Process]]:
    """(old, new) of every process added or changed from `old` to `new`, in file order."""
    before = {(p.organisation, p.id): p for p in old.processes}
    pairs: list[tuple[Process | None, Process]] = []
    for process in new.processes:
        was = before.get((process.organisation, process.id))
        if was is None or was.model_dump(warnings=False) != process.model_dump(warnings=False):
            pairs.append((was, process))
    return pairs


def diff_svg(index: Index, old: Process | None, new: Process, lang: str) -> bytes:
    """The highlighted diagram as SVG, drawn where every diagram is (qms.render.graphviz:
    timeout, typed errors: GraphvizError with Graphviz's message when it fails)."""
    from qms.render import PINNED
    from qms.render.graphviz import run

    return run(PINNED, diff_dot(index, old, new, lang), "svg")


def draw_changes(old: Workspace, new: Workspace, lang: str) -> dict[str, bytes]:
    """One highlighted SVG per added or changed process, by path `ORG/PROCESS.svg`."""
    index = Index.build(new)
    return {
        f"{process.organisation}/{process.id}.svg": diff_svg(index, was, process, lang)
        for was, process in changed_processes(old, new)
    }
