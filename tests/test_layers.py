"""The layers hold (issue #12, README "How it is built"), read from the source itself with ast.

The ground floor (recovery_network/ical) imports no framework and no domain; no domain imports another
inside a function to get round the order of the layers; no domain module imports a screen (a module that
makes a Blueprint).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "recovery_network"
GROUND_FLOOR = ("ical",)
FRAMEWORKS = ("flask", "flask_sqlalchemy", "flask_login", "flask_wtf", "flask_migrate", "sqlalchemy", "wtforms")


def _modules() -> list[Path]:
    """Every Python module in the app."""
    return sorted(PACKAGE.rglob("*.py"))


def _dotted(path: Path) -> str:
    """recovery_network/feeds/views.py -> recovery_network.feeds.views."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, ast.AST, bool]]:
    """(imported module, node, inside a function?) for every import in a module, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    here = _dotted(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found: list[tuple[str, ast.AST, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(here[: len(here) - child.level + 1] + ([base] if base else []))
                found.append((base, child, in_function))
                # "from recovery_network.x import views" imports the module views.
                found.extend((f"{base}.{alias.name}", child, in_function) for alias in child.names)
            visit(child, nested)

    visit(tree, False)
    return found


def _domain(module: str) -> str | None:
    """The domain package a dotted name belongs to (None for top-level modules like signals or config)."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "recovery_network":
        return None
    return parts[1] if (PACKAGE / parts[1]).is_dir() else None


ROUTES = re.compile(r"Blueprint\(|^@\w+\.(route|get|post|put|patch|delete)\(", re.M)


def _screens() -> set[str]:
    """The screen modules: every module that makes a Blueprint or adds routes to one."""
    return {_dotted(path) for path in _modules() if ROUTES.search(path.read_text())}


@pytest.mark.parametrize("package", GROUND_FLOOR)
def test_the_ground_floor_imports_no_framework_and_no_domain(package):
    """The pure calendar package: the standard library and calendar libraries only."""
    modules = sorted((PACKAGE / package).rglob("*.py"))
    assert modules, f"recovery_network/{package} has no modules"
    wrong = []
    for path in modules:
        for name, node, _ in _imports(path):
            top = name.split(".")[0]
            if top in FRAMEWORKS or (top == "recovery_network" and _domain(name) != package
                                     and name != "recovery_network"):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {name}")
    assert wrong == []


def test_the_walker_sees_a_forbidden_import(tmp_path):
    """The walk itself can fail: a module importing Flask and a domain inside a function is caught."""
    probe = PACKAGE / "ical" / "_probe_for_test.py"
    probe.write_text("def f():\n    from recovery_network.meetings import models\n    import flask\n")
    try:
        names = [(name, inside) for name, _, inside in _imports(probe)]
    finally:
        probe.unlink()
    assert ("recovery_network.meetings.models", True) in names
    assert ("flask", True) in names


def test_no_domain_imports_another_inside_a_function():
    """Cross-domain reactions go through signals.py, not an import hidden in a function body."""
    wrong = []
    for path in _modules():
        mine = _domain(_dotted(path))
        if mine is None:
            continue  # create_app and the CLI wire the domains together
        for name, node, inside in _imports(path):
            theirs = _domain(name)
            if inside and theirs is not None and theirs != mine:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {name}")
    assert sorted(set(wrong)) == []


def test_no_domain_module_imports_a_screen():
    """Screens sit on top: services, models, rules and feeds never import a view module."""
    screens = _screens()
    assert {"recovery_network.feeds.views", "recovery_network.pathways.plan_views"} <= screens  # the finder works
    assert "recovery_network.pathways.services" not in screens
    wrong = []
    for path in _modules():
        me = _dotted(path)
        if me in screens or _domain(me) is None:
            continue
        for name, node, _ in _imports(path):
            if name in screens:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {name}")
    assert sorted(set(wrong)) == []


def test_every_blueprint_is_named_after_its_package(app):
    """An endpoint says where its code is: meetings.edit is in meetings/, pathways.referrals.* in pathways/."""
    wrong = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        module = app.view_functions[rule.endpoint].__module__  # recovery_network.<package>.<module>
        if rule.endpoint.split(".")[0] != module.split(".")[1]:
            wrong.append(f"{rule.endpoint} ({rule.rule}) is in {module}")
    assert wrong == []


def test_nested_screens_keep_their_paths(app):
    """Renaming the blueprints moved no URL: the pack under /pathways, referrals under /referrals, v1 under /api."""
    paths = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert paths["pathways.index"] == "/pathways/"
    assert paths["pathways.pack.pack"] == "/pathways/<public_id>/pack"
    assert paths["pathways.referrals.index"] == "/referrals/"
    assert paths["api.v1.index"] == "/api/v1/meetings"
    assert paths["meetings.index"] == "/organise/"
