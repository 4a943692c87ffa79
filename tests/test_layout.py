"""The pipeline's folders import one way only (docs/architecture.md):

    source → check → package → walks / workbench, with the hub (model, diagnostics) below all,
    translate beside package (over source and check), build written out over source, check,
    translate and package, and the CLI on top.

Read from the code with `ast`, so a lazy import inside a function counts as much as one at the top.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

GENERATOR = Path(__file__).resolve().parents[1] / "generator"

# What each stage may import, besides itself. The hub's `model`, `diagnostics` and `rules` are open to all.
ALLOWED = {
    "hub": set(),
    "source": set(),
    "check": {"source"},
    "package": {"source", "check"},
    "translate": {"source", "check"},
    "build": {"source", "check", "translate", "package"},
    "walks": {"build", "source", "check", "translate", "package"},
    "workbench": {"build", "source", "check", "translate", "package", "walks"},
    "cli": {"build", "source", "check", "translate", "package", "walks", "workbench"},
}
HUB = {"generator.model", "generator.diagnostics", "generator.rules", "generator"}


def stage_of(module: str) -> str:
    if module in HUB:
        return "hub"
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in ("source", "check", "translate", "package", "walks", "workbench"):
        return parts[1]
    if module == "generator.build":
        return "build"
    if module in ("generator.cli", "generator.__main__"):
        return "cli"
    raise AssertionError(f"{module} belongs to no stage: add it to tests/test_layout.py's map")


def module_name(path: Path, root: Path = GENERATOR) -> str:
    relative = path.relative_to(root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path = GENERATOR) -> list[tuple[int, str]]:
    """(line, imported module) for every import of a generator module in the file."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("generator")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("generator"):
                continue
            if node.module is None or _is_package(target, root):
                # `from . import x` / `from ..check import analysis`: each name is a module of that package.
                found += [(node.lineno, f"{target}.{alias.name}") if _is_module(f"{target}.{alias.name}", root)
                          else (node.lineno, target) for alias in node.names]
            else:
                found.append((node.lineno, target))
    return found


def _is_package(module: str, root: Path) -> bool:
    return (root.parent / module.replace(".", "/") / "__init__.py").is_file()


def _is_module(module: str, root: Path) -> bool:
    path = root.parent / module.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def crossings(root: Path = GENERATOR) -> list[str]:
    wrong = []
    for path in sorted(root.rglob("*.py")):
        here = stage_of(module_name(path, root))
        for line, target in imports_of(path, root):
            there = stage_of(target)
            if there == here or there == "hub" or there in ALLOWED[here]:
                continue
            wrong.append(f"{path.relative_to(root.parent)}:{line}: {here} imports {target} ({there})")
    return wrong


def test_imports_run_one_way():
    assert crossings() == []


def test_no_import_circle_between_modules():
    graph = {module_name(p): {t for _, t in imports_of(p)} for p in GENERATOR.rglob("*.py")}
    # Package __init__ files hold only docstrings, so an edge to a package is not a cycle through it.
    seen, stack, circles = set(), [], []

    def visit(node):
        if node in stack:
            circles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            visit(target)
        stack.pop()

    for module in sorted(graph):
        visit(module)
    assert circles == []


def test_the_check_catches_a_package_module_importing_walks(tmp_path):
    """Plant `from ..walks import runner` in a copy of package/render.py: the check must name it."""
    import shutil

    copy = tmp_path / "generator"
    shutil.copytree(GENERATOR, copy, ignore=shutil.ignore_patterns("__pycache__", "runtime", "schemas"))
    render = copy / "package" / "render.py"
    render.write_text(render.read_text(encoding="utf-8") + "\nfrom ..walks import runner  # planted\n",
                      encoding="utf-8")
    found = crossings(copy)
    assert len(found) == 1 and found[0].startswith("generator/package/render.py:")
    assert found[0].endswith("package imports generator.walks.runner (walks)")


@pytest.mark.parametrize("folder", ["source", "check", "translate", "package", "walks", "workbench"])
def test_each_stage_says_what_it_holds_and_may_import(folder):
    doc = ast.get_docstring(ast.parse((GENERATOR / folder / "__init__.py").read_text(encoding="utf-8")))
    assert doc and "import" in doc
