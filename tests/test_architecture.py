"""The architecture we agreed on (DESIGN.md section 2), read from the code with `ast`.

Data flows one way: loaders → graph → shapes / analysis → server, with the CLI on top. A module may
import only the rooms below it; the graph reaches the loaders only through their public API (the
names `policykg.loaders` exports), never a loaders submodule. No function grows past 150 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROOMS = ("loaders", "graph", "shapes", "analysis", "server", "cli")
# room -> the rooms of ours it may import (besides itself)
ALLOWED = {
    "loaders": set(),
    "graph": {"loaders"},
    "shapes": {"graph"},
    "analysis": {"graph"},
    "server": {"graph", "shapes", "analysis"},
    "cli": {"loaders", "graph", "shapes", "analysis", "server"},
}
LONGEST_FUNCTION = 150


def _modules(room: str) -> list[Path]:
    return sorted((ROOT / room).rglob("*.py"))


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _ours(module: str) -> list[str]:
    parts = module.split(".")
    return parts[1:] if parts[0] == "policykg" and len(parts) > 1 else []


@pytest.mark.parametrize("room", ROOMS)
def test_imports_follow_the_flow(room):
    assert _modules(room), f"no Python modules in {room}/"
    wrong = []
    for path in _modules(room):
        for line, module in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            ours = _ours(module)
            if not ours or ours[0] == room or ours[0] in ("ontology",):
                continue
            if ours[0] not in ALLOWED[room]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
            elif room == "graph" and ours[0] == "loaders" and len(ours) > 1:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module} (graph may use only the loaders' public API)")
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_the_checker_sees_a_wrong_import(tmp_path):
    """The rule above can fail: a server module importing the loaders is caught."""
    tree = ast.parse("from policykg.loaders.extract import extract_file\nimport policykg.graph.store\n")
    rooms = [_ours(module)[0] for _, module in _imports(tree)]
    assert rooms == ["loaders", "graph"]
    assert "loaders" not in ALLOWED["server"]


def test_no_function_over_150_lines():
    long = []
    for room in ROOMS:
        for path in _modules(room):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    length = node.end_lineno - node.lineno + 1
                    if length > LONGEST_FUNCTION:
                        long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} is {length} lines")
    assert not long, "\n".join(long)
