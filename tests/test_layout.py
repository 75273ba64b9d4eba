"""The package's parts import only downward (the parts table of docs/architecture.md), and the
renderers and profile stay torch-free."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ATTRIB = Path(__file__).resolve().parent.parent / "attrib"

# module -> part
PARTS: dict[str, str] = {
    "labels": "schema",
    "result": "schema",
    "errors": "schema",
    "records": "schema",
    "version": "schema",
    "reader": "text",
    "splitter": "text",
    "predictor": "protocol",
    "baseline": "baseline",
    "model": "model",
    "card": "model",
    "export": "model",
    "decode": "decoding",
    "quotes": "decoding",
    "interviews": "decoding",
    "continuations": "decoding",
    "runtime": "runtime",
    "analysis": "facade",
    "profile": "profile",
    "sources": "profile",
    "render": "renderers",
    "evalreport": "renderers",
    "markup": "renderers",
    "metrics": "evaluation",
    "labelling": "evaluation",
    "evaluate": "evaluation",
    "bench": "evaluation",
    "output": "output",
    "scale": "scale",
    "compare": "corpus",
    "comparepage": "corpus",
    "webapp": "web",
    "cli": "cli",
    "__init__": "api",
}
# part -> the parts it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "schema": set(),
    "text": {"schema"},
    "protocol": {"schema"},
    "baseline": {"schema", "profile", "protocol", "renderers"},  # profile: sources; renderers: markup
    "model": {"schema", "profile", "protocol", "renderers", "decoding", "runtime"},
    "decoding": {"schema", "profile"},  # profile: sources (a source's kind)
    "runtime": {"schema", "protocol", "decoding"},
    "facade": {"schema", "text", "protocol", "decoding", "baseline", "model", "runtime", "profile"},
    "profile": {"schema"},
    "renderers": {"schema", "profile"},
    "evaluation": {"schema", "protocol", "decoding", "output"},  # decoding: continuations
    "output": {"schema"},
    "scale": {"schema", "facade", "evaluation", "output"},  # labelling's record rules, on Ray
    # labelling: the chunked, context-keeping prediction; renderers: markup's Jinja factory.
    "corpus": {"schema", "text", "protocol", "profile", "renderers", "evaluation", "output"},
    "web": {"schema", "text", "protocol", "facade", "renderers", "corpus"},
    "cli": set(PARTS.values()),
    "api": set(PARTS.values()),
}
# Only the markup module of the renderers may be imported by the predictors (and the corpus part,
# which needs its Jinja factory, not the article report).
MARKUP_ONLY = {"baseline", "model", "decoding"}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:` (annotations only, never run)."""
    nodes: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        nodes.append(node)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return nodes


def attrib_imports(path: Path) -> set[str]:
    """Every attrib module a file imports at run time, at the top or inside a function."""
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("attrib"):
            parts = node.module.split(".")
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("attrib."))
    return found


def test_every_module_has_a_part() -> None:
    assert {p.stem for p in ATTRIB.glob("*.py")} == set(PARTS)


@pytest.mark.parametrize("module", sorted(PARTS))
def test_imports_go_downward(module: str) -> None:
    part = PARTS[module]
    for target in attrib_imports(ATTRIB / f"{module}.py"):
        assert target in PARTS, f"{module} imports unknown attrib.{target}"
        other = PARTS[target]
        assert other == part or other in ALLOWED[part], f"{module} ({part}) imports {target} ({other})"
        if part in {*MARKUP_ONLY, "corpus"} and other == "renderers":
            assert target == "markup", f"{module} imports the renderer {target}"
        if part == "corpus" and other == "evaluation":
            assert target == "labelling", f"{module} imports {target}"
        if part in MARKUP_ONLY and other == "profile":
            assert target == "sources", f"{module} imports {target}"


def test_no_import_circle() -> None:
    graph = {m: attrib_imports(ATTRIB / f"{m}.py") - {m} for m in PARTS if m != "__init__"}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in graph.get(m, ()):
            assert state.get(n) != 1, "import circle: " + " -> ".join([*path, m, n])
            if n not in state:
                visit(n, [*path, m])
        state[m] = 2

    for m in graph:
        if m not in state:
            visit(m, [])


TORCH_FREE = [
    "attrib",
    "attrib.render",
    "attrib.evalreport",
    "attrib.profile",
    "attrib.runtime",
    "attrib.decode",
    "attrib.compare",
    "attrib.comparepage",
    "attrib.webapp",
]


@pytest.mark.parametrize("module", TORCH_FREE)
def test_torch_free_imports(module: str) -> None:
    code = f"import sys, {module}; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
