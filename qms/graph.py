"""Process -> its step graph (networkx), which the flow rules walk.

The network between processes (hand-offs, goals, metrics) is read from the index
(qms/index.py) by the rules that need it; a whole-workspace graph was built by no rule and
went (issue 16). Dangling references are left out: they are findings of QMS004.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qms.model import Process

if TYPE_CHECKING:
    import networkx as nx


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
    import networkx as nx  # imported here: a sixth of a second that only flow rules need

    graph = nx.DiGraph()
    ids = {step.id for step in process.steps}
    for step in process.steps:
        if not graph.has_node(step.id):
            graph.add_node(step.id, kind=step.kind, role=step.role)
    for step in process.steps:
        for branch in step.next:
            if branch.to in ids and not graph.has_edge(step.id, branch.to):
                graph.add_edge(step.id, branch.to, label=branch.label)
        # A boundary event is reached through the step it sits on.
        if step.attached_to in ids and not graph.has_edge(step.attached_to, step.id):
            graph.add_edge(step.attached_to, step.id, label=None, boundary=True)
    # A link event that throws goes on at the catching link event of the same name.
    links = [s for s in process.steps if s.kind == "event" and s.trigger == "link"]
    for throw in links:
        if throw.catch is False:
            for catch in links:
                if catch.catch is not False and (catch.link or catch.name) == (
                    throw.link or throw.name
                ):
                    graph.add_edge(throw.id, catch.id, label=None, link=True)
    return graph
