"""The dependency rule of README: Architecture, checked on every import in the source.

Each module of ``dashboard/`` and ``willo_integration/`` is put in a layer; a module imports
only its own layer and those below it. Imports inside functions count too; the one
exception is a service importing ``willo_integration.tasks`` inside a function, to enqueue.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dashboard", "willo_integration")

# Lowest first. A module sits in the layer of the longest prefix naming it; everything else
# in the two packages is the interface (views, forms, admin, templatetags, management
# commands, the webhook receiver, signal receivers, URLs and the project's configuration).
LAYERS = ("client", "tenancy", "cache", "services", "tasks", "interface")
SANDBOX = "sandbox"
PREFIXES = {
    "willo_integration.client": "client",
    "willo_integration.schemas": "client",
    "dashboard.models": "tenancy",
    "dashboard.email_records": "tenancy",
    "dashboard.fields": "tenancy",
    "dashboard.crypto": "tenancy",
    "dashboard.validators": "tenancy",
    "willo_integration.models": "cache",
    "willo_integration.indexes": "cache",
    "willo_integration.text": "cache",
    "willo_integration.webhook_body": "cache",
    "willo_integration.services": "services",
    "willo_integration.tasks": "tasks",
    "willo_integration.sandbox": SANDBOX,
}


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    statement: str
    target: str  # the module of ours imported, resolved
    in_function: bool


def layer_of(module: str) -> str:
    for prefix in sorted(PREFIXES, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return PREFIXES[prefix]
    return "interface"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def source_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def imports_of(path: Path) -> list[Import]:
    text = path.read_text()
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                # ``from pkg import sub`` imports the submodule when there is one.
                targets = [
                    f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}") else base
                    for alias in child.names
                ]
            else:
                visit(child, nested)
                continue
            statement = ast.get_source_segment(text, child) or ""
            for target in dict.fromkeys(targets):
                found.append(Import(path, child.lineno, statement, target, in_function))

    visit(ast.parse(text, str(path)), in_function=False)
    return found


def problem(source: str, imported: Import) -> str | None:
    """Why this import breaks the rule, or None."""
    target = imported.target
    if source == "client" and target.split(".")[0] == "django":
        return "the client imports Django"
    if target.split(".")[0] not in PACKAGES:
        return None
    wanted = layer_of(target)
    if source == SANDBOX or wanted == SANDBOX:
        if source == wanted or source == "interface":
            return None
        return f"{source} layer imports {wanted} layer: the sandbox stands apart"
    if LAYERS.index(wanted) <= LAYERS.index(source):
        return None
    if (source, wanted) == ("services", "tasks") and imported.in_function:
        return None  # a service enqueues its task
    return f"{source} layer imports {wanted} layer"


def violations() -> list[str]:
    found = []
    for path in source_files():
        source = layer_of(module_name(path))
        for imported in imports_of(path):
            why = problem(source, imported)
            if why:
                where = f"{imported.path.relative_to(ROOT)}:{imported.line}"
                found.append(f"{where}: {why}: {imported.statement}")
    return found


def test_every_import_follows_the_dependency_rule():
    found = violations()

    assert not found, "imports against README: Architecture:\n" + "\n".join(found)


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_every_module_the_rule_names_exists(prefix):
    assert is_module(prefix), f"{prefix} is named in the layers but is not a module"
