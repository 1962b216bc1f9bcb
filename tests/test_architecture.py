"""The structure docs/ARCHITECTURE.md describes, held against the code on every run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
MAX_VIEW_LINES = 25


# Upward imports that stay, each with its reason (see docs/ARCHITECTURE.md).
ALLOWED_UPWARD_IMPORTS = {
    # The people pages list the programmes (Programme: a role in each, and the people list naming
    # them) and their open workstreams (Workstream: a lead's editor rights). Only this one file.
    ("tracker/auth/queries.py", "tracker.programme.models"),
}


def _imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """Return (line, module) for every import outside `if TYPE_CHECKING:` blocks."""
    type_only = {
        sub.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in ast.walk(node)
        if isinstance(sub, (ast.Import, ast.ImportFrom))
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or node.lineno in type_only:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif node.module == "tracker":
            found += [(node.lineno, f"tracker.{alias.name}") for alias in node.names]
        elif node.module:
            found.append((node.lineno, node.module))
    return found


def test_no_domain_imports_a_domain_above_it():
    """core < people < auth < audit < history < programme < kpis < demo, as create_app walks them."""
    from tracker import DOMAINS, PROJECT_ROOT

    rank = {domain.__name__: position for position, domain in enumerate(DOMAINS)}
    upward = []
    for path in sorted((PROJECT_ROOT / "tracker").glob("*/**/*.py")):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        own = "tracker." + relative.split("/")[1]
        if own not in rank:
            continue
        for line, module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
            above = rank.get(".".join(module.split(".")[:2]), -1) > rank[own]
            if above and (relative, ".".join(module.split(".")[:3])) not in ALLOWED_UPWARD_IMPORTS:
                upward.append(f"{relative}:{line} imports {module}")
    assert not upward, "Imports from a layer above:\n" + "\n".join(upward)


def _view_functions() -> list[tuple[str, ast.FunctionDef]]:
    """Return every function in a views module that Flask routes to (it carries a route decorator)."""
    found = []
    for path in sorted(TRACKER.glob("**/*views.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                "route" in ast.unparse(d) or ".get(" in ast.unparse(d) or ".post(" in ast.unparse(d)
                for d in node.decorator_list
            ):
                found.append((path.relative_to(TRACKER.parent).as_posix(), node))
    return found


def test_the_view_finder_finds_the_views():
    names = {node.name for _path, node in _view_functions()}
    assert {"overview", "update_action", "sign_in", "audit_log", "scorecard"} <= names


@pytest.mark.parametrize("path,view", _view_functions(), ids=lambda v: getattr(v, "name", v))
def test_views_stay_short(path, view):
    """Load, authorise, validate, call a service, then commit, flash, redirect: it fits in 25 lines."""
    length = view.end_lineno - view.lineno + 1
    assert length <= MAX_VIEW_LINES, f"{path}:{view.lineno} {view.name} is {length} lines"


def test_queries_never_abort():
    """Queries raise tracker.core.errors.NotFound, so the CLI and the API can reuse them."""
    offenders = [
        f"{path.relative_to(TRACKER.parent)}:{number}"
        for path in sorted(TRACKER.glob("**/queries*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "abort" in line
    ]
    assert not offenders
