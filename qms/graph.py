"""Workspace -> networkx graphs: one typed MultiDiGraph of everything, and per-process flows.

Node keys are strings `kind:qualified-id` (e.g. `process:redu/talous`, `step:redu/talous#alku`),
so that graph queries read plainly and sort deterministically. Dangling references are left
out of the graph: they are findings of QMS004, not edges to nowhere.
"""

from __future__ import annotations

import networkx as nx

from qms.index import Index, split_ref
from qms.model import Process, Workspace


def goal_node(goal_id: str) -> str:
    """Graph key of a goal."""
    return f"goal:{goal_id}"


def org_node(org: str) -> str:
    """Graph key of an organisation."""
    return f"organisation:{org}"


def process_node(org: str, pid: str) -> str:
    """Graph key of a process."""
    return f"process:{org}/{pid}"


def step_node(org: str, pid: str, sid: str) -> str:
    """Graph key of a process step."""
    return f"step:{org}/{pid}#{sid}"


def flow(process: Process) -> nx.DiGraph:
    """The step graph of one process: nodes are step ids, edges carry the branch `label`.

    Flows to unknown steps are left out (QMS004 reports them). The first of two parallel flows
    between the same steps is kept; QMS108 reports duplicates from the model itself.

    >>> from qms.model import Process
    >>> p = Process.model_validate({"kind": "process", "id": "p", "organisation": "o",
    ...     "name": "P", "steps": [{"id": "a", "name": "A", "next": ["b"]},
    ...                            {"id": "b", "name": "B"}]})
    >>> sorted(flow(p).edges)
    [('a', 'b')]
    """
    graph = nx.DiGraph()
    ids = {step.id for step in process.steps}
    for step in process.steps:
        if not graph.has_node(step.id):
            graph.add_node(step.id, kind=step.kind, role=step.role)
    for step in process.steps:
        for branch in step.next:
            if branch.to in ids and not graph.has_edge(step.id, branch.to):
                graph.add_edge(step.id, branch.to, label=branch.label)
    return graph


def build_graph(ws: Workspace, index: Index | None = None) -> nx.MultiDiGraph:
    """One typed graph of the whole workspace (edge attribute `kind`), in linear time."""
    index = index or Index.build(ws)
    G = nx.MultiDiGraph()
    for gid, located in index.goals.items():
        if "/" not in gid:
            G.add_node(goal_node(gid), type="goal", id=gid)
            if located.item.parent and located.item.parent in index.goals:
                G.add_edge(goal_node(gid), goal_node(located.item.parent), kind="part_of")
    for period in index.periods:
        G.add_node(f"period:{period}", type="period", id=period)
    for org in ws.organisations:
        on = org_node(org.id)
        G.add_node(on, type="organisation", id=org.id)
        for goal in org.commits_to:
            if goal in index.goals:
                G.add_edge(on, goal_node(index.goals[goal].item.id), kind="commits")
        for role in org.roles:
            G.add_node(f"role:{org.id}/{role.id}", type="role", id=role.id, organisation=org.id)
    for p in ws.processes:
        pn = process_node(p.organisation, p.id)
        G.add_node(pn, type="process", id=p.id, organisation=p.organisation)
        if p.organisation in index.organisations:
            G.add_edge(org_node(p.organisation), pn, kind="owns")
        for kind, refs in (("realizes", p.realizes), ("influences", p.influences)):
            for ref in refs:
                if ref in index.goals:
                    G.add_edge(pn, goal_node(index.goals[ref].item.id), kind=kind)
        if p.parent and (key := index.process_key(p.parent, p.organisation)):
            G.add_edge(pn, process_node(*key), kind="parent")
        for ref in p.metrics:
            if index.metric(ref, p.organisation):
                mkey = split_ref(ref, p.organisation)
                G.add_edge(f"metric:{mkey[0]}/{mkey[1]}", pn, kind="measures")
        for out in p.outputs:
            if out.to and (key := index.process_key(out.to, p.organisation)):
                G.add_edge(pn, process_node(*key), kind="feeds")
        for inp in p.inputs:
            if inp.from_ and (key := index.process_key(inp.from_, p.organisation)):
                G.add_edge(process_node(*key), pn, kind="feeds")
        for step in p.steps:
            sn = step_node(p.organisation, p.id, step.id)
            G.add_node(sn, type="step", id=step.id, kind=step.kind)
            G.add_edge(pn, sn, kind="part_of")
            if step.role and (p.organisation, step.role) in index.roles:
                G.add_edge(f"role:{p.organisation}/{step.role}", sn, kind="performs")
            if step.call and (key := index.process_key(step.call, p.organisation)):
                G.add_edge(sn, process_node(*key), kind="calls")
            for branch in step.next:
                G.add_edge(
                    sn,
                    step_node(p.organisation, p.id, branch.to),
                    kind="flows",
                    label=branch.label,
                )
    for plan, _, action in index.actions():
        an = f"action:{plan.organisation}/{plan.id}#{action.id}"
        G.add_node(an, type="action", id=action.id, organisation=plan.organisation)
        for ref in action.realizes:
            if ref in index.goals:
                G.add_edge(an, goal_node(index.goals[ref].item.id), kind="realizes")
        for ref in action.processes:
            if key := index.process_key(ref, plan.organisation):
                G.add_edge(an, process_node(*key), kind="changes")
    for doc, _, metric in index.metrics_docs():
        mn = f"metric:{doc.organisation}/{metric.id}"
        G.add_node(mn, type="metric", id=metric.id, organisation=doc.organisation)
        for ref in metric.realizes:
            if ref in index.goals:
                G.add_edge(mn, goal_node(index.goals[ref].item.id), kind="realizes")
    for res in ws.results:
        for i, result in enumerate(res.results):
            rn = f"result:{res.organisation}/{result.period}/{i}"
            G.add_node(rn, type="result", organisation=res.organisation, status=result.status)
            if result.goal in index.goals:
                G.add_edge(rn, goal_node(index.goals[result.goal].item.id), kind="reports")
            if result.period in index.periods:
                G.add_edge(rn, f"period:{result.period}", kind="reports")
    # Flow edges to unknown steps would have created bare nodes: drop them.
    G.remove_nodes_from([n for n, d in G.nodes(data=True) if "type" not in d])
    return G
