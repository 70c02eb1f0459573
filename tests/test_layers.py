"""The floor plan (docs/architecture.md, "Layers"), checked against the code.

Every import under ``src/wenku`` is read from the source — including imports inside
functions and under ``TYPE_CHECKING``, which hide circles from Python but not from a
reader — and each module is placed on its package's floor. A module may import from
its own floor or below, never from above, and no group of modules may import each
other in a circle (not even inside one package).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# Lowest first. A package not listed here fails the test: a new app must take a floor.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("config", "core", "worker"),  # settings, storage, rate limits; the generic job loop
    ("ingest",),  # bytes → PDF, pages, text, images
    ("library", "notifications"),  # documents, categories, tags; messages to users
    ("search", "economy", "community", "accounts", "moderation"),  # readers; trust and safety
    ("publishing",),  # the conductor: intake, the job, and what follows a publish
    ("api", "cli", "web", "demo", "settings", "urls", "wsgi", "__main__"),  # the doors
)
FLOOR_OF = {package: level for level, names in enumerate(FLOORS) for package in names}


def modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "wenku").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(SRC).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(module imported, line) for every import of a ``wenku`` module in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            # `from wenku.library import access` imports the module wenku.library.access;
            # `from wenku.library.models import Document`, a name of wenku.library.models.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for target in dict.fromkeys(targets):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("wenku") and target != name:
                yield target, node.lineno


def graph() -> dict[str, dict[str, int]]:
    known = modules()
    edges: dict[str, dict[str, int]] = defaultdict(dict)
    for name, path in known.items():
        for target, line in imports(name, path, known):
            edges[name].setdefault(target, line)
    return edges


def floor(module: str) -> int:
    name = package(module)
    assert name in FLOOR_OF, f"{module}: package {name!r} has no floor in FLOORS"
    return FLOOR_OF[name]


def circles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_every_package_has_a_floor() -> None:
    for module in modules():
        floor(module)


def test_no_module_imports_from_a_higher_floor() -> None:
    upward = [
        f"{module} (floor {floor(module)}) imports {target} (floor {floor(target)}) at line {line}"
        for module, targets in sorted(graph().items())
        for target, line in sorted(targets.items())
        if floor(target) > floor(module)
    ]
    assert upward == [], "upward imports:\n" + "\n".join(upward)


def test_no_import_circles() -> None:
    found = circles(graph())
    assert found == [], "import circles:\n" + "\n".join(" ⇄ ".join(c) for c in found)


def package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "core"


def test_packages_on_one_floor_use_each_other_one_way() -> None:
    """Sideways imports are allowed (search uses economy's co-downloads), but two packages
    never use each other: that would be a circle of packages, even without one of modules."""
    edges: dict[str, dict[str, int]] = defaultdict(dict)
    for module, targets in graph().items():
        for target, line in targets.items():
            if package(module) != package(target):
                edges[package(module)][package(target)] = line
    found = circles(edges)
    assert found == [], "package circles:\n" + "\n".join(" ⇄ ".join(c) for c in found)


def test_the_checker_sees_what_python_hides(tmp_path: Path) -> None:
    """Given imports inside functions, When the graph is read, Then they count, and a
    circle they close is found (the checker itself can fail)."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from wenku.library import access\n", encoding="utf-8")
    known = dict.fromkeys(["wenku.library", "wenku.library.access"], probe)
    assert list(imports("wenku.core.probe", probe, known)) == [("wenku.library.access", 2)]
    assert floor("wenku.core.probe") < floor("wenku.library.access")
    edges = {"wenku.a.x": {"wenku.a.y": 1}, "wenku.a.y": {"wenku.a.x": 9}}
    assert circles(edges) == [["wenku.a.x", "wenku.a.y"]]
