"""The package's layout is its architecture: imports run down the layers, no loops.

Every `sitekit` import in every module (at the top or inside a function) is read with
`ast`, so the map in the README cannot drift from the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import ROOT

PACKAGE = ROOT / "sitekit"
GROUND = "ground"  # sitekit/*.py: languages, settings, errors, release_manifest, …
# What each part may import besides itself. Nothing imports tools/ or dev/ but dev/;
# nothing a build runs imports publish/.
ALLOWED: dict[str, set[str]] = {
    GROUND: set(),
    "content": {GROUND},
    "fast": {GROUND},
    "visitors": {GROUND},
    "publish": {GROUND},
    "documents": {GROUND, "content", "visitors"},
    "builder": {GROUND, "content", "fast", "visitors"},
    "tools": {GROUND, "content", "builder"},
    "dev": {GROUND, "content", "builder", "fast", "publish", "tools"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part_of(module: str) -> str:
    """The layer of a module: its folder below sitekit/, or the ground floor."""
    parts = module.split(".")
    if len(parts) == 2 and (PACKAGE / f"{parts[1]}.py").is_file():
        return GROUND
    return parts[1] if len(parts) > 1 else GROUND


def imports_of(path: Path) -> set[str]:
    """Every sitekit module `path` imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sitekit"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sitekit"
        ):
            for alias in node.names:  # `from sitekit.builder import state`
                candidate = f"{node.module}.{alias.name}"
                is_module = (ROOT / candidate.replace(".", "/")).with_suffix(".py")
                found.add(candidate if is_module.is_file() else node.module)
    return found


def graph() -> dict[str, set[str]]:
    return {
        module_name(path): imports_of(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import loop between modules (a package imports its __init__ first)."""
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                found.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_no_import_loop():
    assert cycles(graph()) == []


def test_every_import_runs_down_the_layers():
    wrong = [
        f"{module} ({part_of(module)}) imports {target} ({part_of(target)})"
        for module, targets in graph().items()
        for target in sorted(targets)
        if part_of(target) != part_of(module)
        and part_of(target) not in ALLOWED[part_of(module)]
    ]
    assert wrong == []


def test_every_part_is_on_the_map():
    assert {part_of(module) for module in graph()} <= set(ALLOWED)


def test_the_checks_find_a_loop_and_a_wrong_direction():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert part_of("sitekit.errors") == GROUND
    assert part_of("sitekit.builder.runner") == "builder"
    assert "builder" not in ALLOWED["fast"]


def test_no_module_that_defines_errors_is_run_as_a_script():
    """`python -m` a module that defines classes would make a second copy of them."""
    scripts = [
        module_name(path)
        for path in PACKAGE.rglob("*.py")
        if 'if __name__ == "__main__"' in path.read_text(encoding="utf-8")
        and "class " in path.read_text(encoding="utf-8")
    ]
    assert scripts == []


def test_every_error_for_people_derives_from_one_base():
    from sitekit.errors import SiteError

    names = {
        "sitekit.builder.runner": "BuildError",
        "sitekit.errors": "ContentError",
        "sitekit.fast.parallel_writer": "PageWriteError",
        "sitekit.settings": "SettingsError",
        "sitekit.visitors.i18n": "CatalogError",
        "sitekit.visitors.search": "SearchIndexError",
        "sitekit.publish.plan": "RefusedError",
        "sitekit.publish.storage": "StorageError",
    }
    import importlib

    for module, name in names.items():
        assert issubclass(getattr(importlib.import_module(module), name), SiteError)
    defined = [
        f"{module_name(path)}.{node.name}"
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(
            isinstance(base, ast.Name) and base.id in ("Exception", "ValueError")
            for base in node.bases
        )
        and not any(
            isinstance(base, ast.Name) and base.id == "SiteError" for base in node.bases
        )
    ]
    assert defined == ["sitekit.errors.SiteError"]
