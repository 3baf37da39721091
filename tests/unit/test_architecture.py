"""The import graph keeps the architecture: layers point down only, no cycles, the domain
core does no I/O, and no module reaches into another package's private modules."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "services" / "safetywatch"

#: Lowest first. A module may import its own package and any package of a lower layer.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "regions"}),
    frozenset({"events"}),
    frozenset({"accounting", "units"}),
    frozenset({"alerting"}),
    frozenset({"config", "web", "kafka", "logs", "client", "native"}),
    frozenset({"artifacts"}),
    frozenset({"ingest", "aggregator"}),
    frozenset({"demo"}),
    frozenset({"cli"}),
    frozenset({"__main__"}),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
DOMAIN_CORE = {"errors", "regions", "events", "accounting", "alerting", "units"}
IO_PACKAGES = {
    "aiokafka",
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "prometheus_client",
    "apscheduler",
}


def _imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, at any depth (TYPE_CHECKING and functions included)."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _package_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_package_has_a_layer():
    assert {_package_of(p) for p in _sources()} - {"__init__"} <= set(RANK)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_and_never_into_private_modules(path: Path):
    own = _package_of(path)
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] != "safetywatch" or len(parts) < 2:
            continue
        target = parts[1]
        if target == own:
            continue
        assert RANK[target] < RANK.get(own, len(LAYERS)), (
            f"{own} (layer {RANK[own]}) imports {name}"
        )
        assert not any(part.startswith("_") for part in parts[2:]), f"{own} imports {name}"


@pytest.mark.parametrize(
    "path", [p for p in _sources() if _package_of(p) in DOMAIN_CORE], ids=lambda p: p.name
)
def test_the_domain_core_does_no_io(path: Path):
    used = {name.split(".")[0] for name in _imports(path)}
    assert not used & IO_PACKAGES, f"{path.relative_to(PACKAGE)} imports {used & IO_PACKAGES}"


def _outside_sources() -> list[Path]:
    return sorted(
        p for folder in ("tests", "benchmarks", "devtools") for p in (ROOT / folder).rglob("*.py")
    )


@pytest.mark.parametrize("path", _outside_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_tests_benchmarks_and_tooling_use_public_names_only(path: Path):
    own = path.relative_to(ROOT).parts[0]
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] == own or parts[0] not in {"safetywatch", "devtools", "benchmarks"}:
            continue
        assert not any(part.startswith("_") for part in parts[1:]), f"{path.name} imports {name}"


def test_benchmarks_and_services_never_import_the_tests():
    for path in [
        *_sources(),
        *(ROOT / "benchmarks").rglob("*.py"),
        *(ROOT / "devtools").rglob("*.py"),
    ]:
        assert not any(name.split(".")[0] == "tests" for name in _imports(path)), path


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


#: Functions read at once, modules that hold one concept.
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 300


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_functions_and_modules_stay_short(path: Path):
    text = path.read_text("utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, (
        f"{path.name} has {len(text.splitlines())} lines"
    )
    for function in _functions(ast.parse(text)):
        assert function.end_lineno is not None
        length = function.end_lineno - function.lineno + 1
        assert length <= MAX_FUNCTION_LINES, f"{path.name}:{function.name} has {length} lines"
