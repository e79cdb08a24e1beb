"""The package's layers, read from every import statement (module level, inside functions, under TYPE_CHECKING).

Layers, top to bottom: ui → session → pipeline → source → (action, export) → analysis → inference → core.
A module may import its own layer's package and any lower layer; ``action`` and ``export`` are peers that do not
import each other. ``waifuc_ui.model`` is waifuc's name for the item, kept for scripts: only it may import it.
Import cycles between modules are refused as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "waifuc_ui"
LAYERS: dict[str, int] = {
    "core": 0, "inference": 1, "analysis": 2, "action": 3, "export": 3, "source": 4, "pipeline": 5,
    "session": 6, "batch": 6, "ui": 7, "cli": 8, "model": 7,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").exists() or (PACKAGE.parent / rel / "__init__.py").exists()


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import of this package in ``path``."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("waifuc_ui"):
                continue
            subs = [f"{target}.{a.name}" for a in node.names if _is_module(f"{target}.{a.name}")]
            found += [(t, id(node) in top_level) for t in (subs or [target])]
        elif isinstance(node, ast.Import):
            found += [(a.name, id(node) in top_level) for a in node.names if a.name.startswith("waifuc_ui")]
    return found


def _graph() -> dict[str, list[tuple[str, bool]]]:
    return {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _wrong_way(source: str, target: str) -> bool:
    a, b = _layer(source), _layer(target)
    if a is None or b is None or a == b:
        return False
    if b == "model":
        return True
    return LAYERS[b] >= LAYERS[a]


def test_every_top_level_package_has_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(LAYERS), f"give these packages a layer: {sorted(packages - set(LAYERS))}"
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert not loose, f"modules outside any layer: {loose}"


def test_no_import_goes_up_or_sideways():
    bad = sorted(f"{src} -> {dst}" for src, imps in _graph().items() for dst, _ in imps if _wrong_way(src, dst))
    assert bad == [], "\n".join(bad)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def _is_package_init(module: str) -> bool:
    return (PACKAGE.parent / Path(*module.split(".")) / "__init__.py").exists()


def test_no_import_cycles_between_modules():
    # Lazy imports count: a cycle hidden in a function is still a cycle. A package's __init__ re-exporting
    # its submodules is not one; a submodule importing its own package is.
    edges = {
        src: {dst for dst, _ in imps if dst != src and not (_is_package_init(src) and dst.startswith(src + "."))}
        for src, imps in _graph().items()
    }
    assert _cycles(edges) == []


@pytest.mark.parametrize(
    ("source", "target", "wrong"),
    [
        ("waifuc_ui.action.lpips", "waifuc_ui.analysis.cache", False),
        ("waifuc_ui.analysis.review", "waifuc_ui.action.lpips", True),
        ("waifuc_ui.action.dedup", "waifuc_ui.export.imagefile", True),
        ("waifuc_ui.source.base", "waifuc_ui.action.select", False),
        ("waifuc_ui.session.session", "waifuc_ui.model", True),
    ],
)
def test_the_rule_itself(source, target, wrong):
    assert _wrong_way(source, target) is wrong
