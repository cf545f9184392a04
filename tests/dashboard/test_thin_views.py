"""The views are thin: no view imports another (shared pieces live in the presenters and
the request helpers), and none queries the ORM or hands work to a worker itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import dashboard

DASHBOARD = Path(dashboard.__file__).parent
VIEWS = sorted((DASHBOARD / "views").glob("*.py"))
PRESENTERS = sorted((DASHBOARD / "presenters").glob("*.py"))
# What every view may use: the scope of a request, the read limit, the session keys.
REQUEST_HELPERS = {"scoping", "limits", "session"}
ENQUEUING = {"delay", "delay_on_commit", "apply_async"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _views_imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "dashboard.views":
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "dashboard.views."
        ):
            names.add(node.module.removeprefix("dashboard.views.").split(".")[0])
        elif isinstance(node, ast.Import):
            names |= {
                alias.name.removeprefix("dashboard.views.").split(".")[0]
                for alias in node.names
                if alias.name.startswith("dashboard.views.")
            }
    return names


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: path.stem)
def test_a_view_module_imports_no_other_view_module(path):
    assert _views_imported(_tree(path)) <= REQUEST_HELPERS


@pytest.mark.parametrize("path", PRESENTERS, ids=lambda path: path.stem)
def test_a_presenter_imports_no_view(path):
    assert _views_imported(_tree(path)) == set()


@pytest.mark.parametrize("path", VIEWS + PRESENTERS, ids=lambda path: path.stem)
def test_neither_views_nor_presenters_query_the_orm_or_enqueue_tasks(path):
    tree = _tree(path)
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    modules = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }

    assert "objects" not in attributes
    assert "refresh_from_db" not in attributes
    assert not attributes & ENQUEUING
    assert "willo_integration.tasks" not in modules


def test_the_sweep_sees_every_view_module():
    assert {"decisions", "interviews", "participants", "scoping"} <= {p.stem for p in VIEWS}
