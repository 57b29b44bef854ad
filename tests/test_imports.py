"""The module graph of qms has no cycles, and the library below the CLI does not use click."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

QMS = Path(__file__).resolve().parents[1] / "qms"


def module_name(path: Path) -> str:
    parts = path.relative_to(QMS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path, modules: set[str]) -> set[str]:
    """The qms modules a file imports when it runs (at the top or inside functions);
    `from package import submodule` counts as importing the submodule."""
    found: set[str] = set()
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_only(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name in modules)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(
                        [*package.split(".")[: len(package.split(".")) - child.level + 1], base]
                    ).strip(".")
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    if sub in modules:
                        found.add(sub)
                    elif base in modules:
                        found.add(base)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(here)
    return found


def graph() -> nx.DiGraph:
    files = {module_name(p): p for p in QMS.rglob("*.py")}
    g = nx.DiGraph()
    for name, path in files.items():
        g.add_node(name)
        g.add_edges_from((name, other) for other in imports(path, set(files)))
    return g


def test_no_import_cycles() -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph()) if len(c) > 1]
    assert cycles == []


def test_the_checker_sees_a_cycle() -> None:
    """The graph has the edges the check relies on (so the test above can fail)."""
    g = graph()
    assert g.has_edge("qms.lint", "qms.rules")
    assert g.has_edge("qms.render.engine", "qms.render.graphviz")
    g.add_edge("qms.rules", "qms.lint")
    assert any(len(c) > 1 for c in nx.strongly_connected_components(g))


def test_only_the_cli_imports_click() -> None:
    """The library returns values and raises `Refused`; only the CLI and two terminal helpers
    the commands call (the text report, which colours findings; the partial-model notice)
    use click."""
    users = {
        name
        for name, path in ((module_name(p), p) for p in QMS.rglob("*.py"))
        if any(
            (isinstance(n, ast.Import) and any(a.name == "click" for a in n.names))
            or (isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == "click")
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    }
    cli = {u for u in users if u == "qms.cli" or u.startswith("qms.commands.")}
    assert users - cli == {"qms.report", "qms.partial"}
