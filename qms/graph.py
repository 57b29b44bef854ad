"""Process -> its step graph, which the flow rules walk.

The network between processes (hand-offs, goals, metrics) is read from the index
(qms/index.py) by the rules that need it; a whole-workspace graph was built by no rule and
went (issue 16). Dangling references are left out: they are findings of QMS004.

The step graph is a plain adjacency map (`Flow`), not a networkx graph: the flow rules only
ask for a step's neighbours and in-degree (their walks are in qms/rules/_flow.py), and
importing networkx cost every `qms validate` that checks a process a sixth of a second,
more than checking the process itself (issue 23).
"""

from __future__ import annotations

from collections.abc import Iterator

from qms.model import Process, Step

BORDER_HOSTS = ("task", "subprocess")
"""Steps that carry their boundary events on their border (a gateway or an event is too small
for a name beside them: such an event keeps a column of its own and a dotted link)."""


def border_hosts(process: Process) -> dict[str, Step]:
    """The step on whose border each boundary event sits, by the event's id: an event whose
    `attached_to` names a task or subprocess of the process (the first step of that id).

    Such an event belongs to its host: it is drawn on the host's border, in the host's lane
    (qms.views), and needs no role of its own (QMS111).

    >>> p = Process(kind="process", id="p", organisation="o", name="P", steps=[
    ...     {"id": "t", "name": "T", "role": "r"},
    ...     {"id": "e", "name": "E", "kind": "event", "attached_to": "t"},
    ...     {"id": "d", "name": "D", "kind": "decision"},
    ...     {"id": "f", "name": "F", "kind": "event", "attached_to": "d"}])
    >>> {event: host.id for event, host in border_hosts(p).items()}
    {'e': 't'}
    """
    first: dict[str, Step] = {}
    for step in process.steps:
        first.setdefault(step.id, step)
    hosts: dict[str, Step] = {}
    for step in process.steps:
        host = first.get(step.attached_to) if step.attached_to else None
        if (
            host is not None
            and host is not step
            and host.kind in BORDER_HOSTS
            and step.kind == "event"
        ):
            hosts.setdefault(step.id, host)
    return hosts


class Flow:
    """A directed graph of step ids: at most one edge per ordered pair, insertion order kept.

    >>> g = Flow()
    >>> g.add_edge("a", "b"); g.add_edge("a", "b"); g.add_node("c")
    >>> sorted(g.edges), list(g.successors("a")), list(g.predecessors("b")), len(g)
    ([('a', 'b')], ['b'], ['a'], 3)
    >>> g.in_degree("b"), g.has_edge("b", "a"), g.has_node("c")
    (1, False, True)
    """

    def __init__(self, edges: list[tuple[str, str]] | None = None) -> None:
        self._out: dict[str, dict[str, None]] = {}
        self._in: dict[str, dict[str, None]] = {}
        for u, v in edges or ():
            self.add_edge(u, v)

    def add_node(self, node: str) -> None:
        self._out.setdefault(node, {})
        self._in.setdefault(node, {})

    def add_edge(self, u: str, v: str) -> None:
        self.add_node(u)
        self.add_node(v)
        self._out[u][v] = None
        self._in[v][u] = None

    def has_node(self, node: str) -> bool:
        return node in self._out

    def has_edge(self, u: str, v: str) -> bool:
        return v in self._out.get(u, {})

    def successors(self, node: str) -> Iterator[str]:
        return iter(self._out[node])

    def predecessors(self, node: str) -> Iterator[str]:
        return iter(self._in[node])

    def in_degree(self, node: str) -> int:
        return len(self._in[node])

    def isolated(self, node: str) -> bool:
        """No flow joins `node` to another node (a flow to itself does not count)."""
        out, into = self._out[node], self._in[node]
        return (not out or (len(out) == 1 and node in out)) and (
            not into or (len(into) == 1 and node in into)
        )

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(u, v) for u, out in self._out.items() for v in out]

    def __len__(self) -> int:
        return len(self._out)

    def __contains__(self, node: object) -> bool:
        return node in self._out


def flow(process: Process) -> Flow:
    """The step graph of one process: nodes are step ids, an edge per flow between two steps.

    Flows to unknown steps are left out (QMS004 reports them). The first of two parallel flows
    between the same steps is kept; QMS108 reports duplicates from the model itself.

    >>> from qms.model import Process
    >>> p = Process.model_validate({"kind": "process", "id": "p", "organisation": "o",
    ...     "name": "P", "steps": [{"id": "a", "name": "A", "next": ["b"]},
    ...                            {"id": "b", "name": "B"}]})
    >>> sorted(flow(p).edges)
    [('a', 'b')]
    """
    graph = Flow()
    out, into = graph._out, graph._in  # filled directly: every cold validate builds them all
    for step in process.steps:
        if step.id not in out:
            out[step.id], into[step.id] = {}, {}
    for step in process.steps:
        here = out[step.id]
        for branch in step.next:
            if branch.to in out and branch.to not in here:
                here[branch.to] = None
                into[branch.to][step.id] = None
        # A boundary event is reached through the step it sits on.
        host = step.attached_to
        if host in out and step.id not in out[host]:
            graph.add_edge(host, step.id)
    # A link event that throws goes on at the catching link event of the same name.
    links = [s for s in process.steps if s.kind == "event" and s.trigger == "link"]
    for throw in links:
        if throw.catch is False:
            for catch in links:
                if catch.catch is not False and (catch.link or catch.name) == (
                    throw.link or throw.name
                ):
                    graph.add_edge(throw.id, catch.id)
    return graph
