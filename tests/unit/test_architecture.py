"""The import graph keeps the architecture: packages in layers that point down only,
other packages reached through their facade, rooms inside the larger packages in layers
of their own, no cycles, a domain core without I/O, facades that list only what others
use, and one concept per module rather than a line cap."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import PACKAGE, ROOT

#: Lowest first. A module may import its own package and any package of a lower layer.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "regions", "deadlines", "compiled"}),
    frozenset({"events"}),
    frozenset({"accounting", "units"}),
    frozenset({"alerting"}),
    frozenset({"config", "web", "kafka", "logs", "client", "native"}),
    frozenset({"ingest", "aggregator"}),
    frozenset({"demo"}),
    frozenset({"cli"}),
    frozenset({"__main__"}),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}

#: The rooms of the larger packages, lowest first: a room imports only rooms below it
#: (and its own modules).
ROOMS: dict[str, tuple[frozenset[str], ...]] = {
    "aggregator": (
        frozenset({"clock", "pipeline"}),
        frozenset({"state"}),
        frozenset({"follow"}),
        frozenset({"alerts"}),
        frozenset({"metrics"}),
        frozenset({"service"}),
        frozenset({"api"}),
        frozenset({"app"}),
        frozenset({"__init__"}),
    ),
    "ingest": (
        frozenset({"limits", "metrics", "aggregator_client"}),
        frozenset({"admission"}),
        frozenset({"gateway"}),
        frozenset({"dependencies"}),
        frozenset({"api"}),
        frozenset({"app"}),
        frozenset({"__init__"}),
    ),
}
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
#: One concept per module: past this a module is probably two (a soft limit, not a cap
#: that decides where files split).
MAX_MODULE_LINES = 600
#: Functions read at once.
MAX_FUNCTION_LINES = 60


def _imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, at any depth (TYPE_CHECKING and functions included)."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "safetywatch":
            yield from (f"safetywatch.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _lazy_imports(path: Path) -> Iterator[str]:
    """Modules a facade imports by name on first use (``importlib.import_module``)."""
    if path.name != "__init__.py":
        return
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        value = node.value if isinstance(node, ast.Constant) else None
        if isinstance(value, str) and value.startswith("safetywatch."):
            yield value


def _package_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _is_facade(name: str) -> bool:
    """``safetywatch.events`` (a package's facade) or ``safetywatch.logs`` (a module)."""
    return len(name.split(".")) == 2


def test_every_package_has_a_layer():
    assert {_package_of(p) for p in _sources()} - {"__init__"} <= set(RANK)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_and_reach_other_packages_through_their_facade(path: Path):
    own = _package_of(path)
    for name in [*_imports(path), *_lazy_imports(path)]:
        parts = name.split(".")
        if parts[0] != "safetywatch" or len(parts) < 2 or parts[1] == own:
            continue
        target = parts[1]
        assert RANK[target] < RANK.get(own, len(LAYERS)), (
            f"{own} (layer {RANK[own]}) imports {name}"
        )
        assert _is_facade(name), f"{own} imports {name}: import safetywatch.{target} instead"


def _room_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[1].removesuffix(".py")


@pytest.mark.parametrize(
    "path",
    [p for p in _sources() if _package_of(p) in ROOMS and len(p.relative_to(PACKAGE).parts) > 1],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_rooms_inside_a_package_point_down(path: Path):
    package = _package_of(path)
    rank = {room: n for n, rooms in enumerate(ROOMS[package]) for room in rooms}
    own = _room_of(path)
    assert own in rank, f"{package}/{own} has no place in ROOMS[{package!r}]"
    for name in [*_imports(path), *_lazy_imports(path)]:
        parts = name.split(".")
        if parts[:2] != ["safetywatch", package] or len(parts) < 3 or parts[2] == own:
            continue
        assert rank[parts[2]] < rank[own], f"{package}.{own} imports {name}"


@pytest.mark.parametrize(
    "path", [p for p in _sources() if _package_of(p) in DOMAIN_CORE], ids=lambda p: p.name
)
def test_the_domain_core_does_no_io(path: Path):
    used = {name.split(".")[0] for name in _imports(path)}
    assert not used & IO_PACKAGES, f"{path.relative_to(PACKAGE)} imports {used & IO_PACKAGES}"


def _tooling_sources() -> list[Path]:
    """The development tooling (dev/): the local stack, benchmarks, generators."""
    return sorted((ROOT / "dev").rglob("*.py"))


@pytest.mark.parametrize("path", _tooling_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_development_tooling_uses_the_facades(path: Path):
    for name in _imports(path):
        if name.split(".")[0] == "safetywatch":
            assert _is_facade(name), f"{path.name} imports {name}"


def _facades() -> list[Path]:
    return sorted(PACKAGE.glob("*/__init__.py"))


def _exported(facade: Path) -> list[str]:
    for node in ast.parse(facade.read_text("utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            assert isinstance(node.value, ast.List | ast.Tuple)
            return [element.value for element in node.value.elts]  # type: ignore[attr-defined]
    return []


def _names_used_from(package: str) -> set[str]:
    """Names other packages, the benchmarks and the tooling import from the facade."""
    used: set[str] = set()
    for path in [*_sources(), *_tooling_sources()]:
        if path.is_relative_to(PACKAGE) and _package_of(path) == package:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == f"safetywatch.{package}":
                used.update(alias.name for alias in node.names)
    return used


@pytest.mark.parametrize("facade", _facades(), ids=lambda p: p.parent.name)
def test_a_facade_lists_only_what_other_packages_use(facade: Path):
    exported = _exported(facade)
    unused = set(exported) - _names_used_from(facade.parent.name)
    assert not unused, f"{facade.parent.name} exports {sorted(unused)}, which no other package uses"


@pytest.mark.parametrize("facade", _facades(), ids=lambda p: p.parent.name)
def test_a_facade_defines_nothing(facade: Path):
    """Code lives in the modules; a facade only names what it hands on."""
    for node in ast.parse(facade.read_text("utf-8")).body:
        assert not isinstance(node, ast.ClassDef), f"{facade}: class {node.name}"
        if isinstance(node, ast.FunctionDef):
            assert node.name == "__getattr__", f"{facade}: def {node.name}"


def test_benchmarks_and_services_never_import_the_tests():
    for path in [*_sources(), *_tooling_sources()]:
        assert not any(name.split(".")[0] == "tests" for name in _imports(path)), path


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_one_concept_per_module_and_functions_read_at_once(path: Path):
    text = path.read_text("utf-8")
    if "Do not edit; change the declaration" in (ast.get_docstring(ast.parse(text)) or ""):
        return  # generated: its length follows the declaration it is generated from
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines: two concepts?"
    for function in _functions(ast.parse(text)):
        assert function.end_lineno is not None
        length = function.end_lineno - function.lineno + 1
        assert length <= MAX_FUNCTION_LINES, f"{path.name}:{function.name} has {length} lines"


@pytest.mark.parametrize(
    "path",
    [*_sources(), *_tooling_sources(), *sorted((ROOT / "tests").rglob("*.py"))],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_formatter_formats_everything(path: Path):
    """No ``fmt: skip`` or ``fmt: off``: code is kept readable, not dense."""
    text = path.read_text("utf-8")
    for marker in ("# fmt: " + "skip", "# fmt: " + "off"):
        assert marker not in text, f"{path.name} holds {marker!r}"


def _exception_classes() -> list[tuple[str, str]]:
    """(module, class) of every class of the package defined as an exception."""
    found = []
    for path in _sources():
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.ClassDef) and any(
                (isinstance(base, ast.Name) and base.id.endswith(("Error", "Exception")))
                or (isinstance(base, ast.Name) and base.id in _ERRORS_OF_OURS)
                for base in node.bases
            ):
                parts = path.relative_to(PACKAGE).with_suffix("").parts
                module = ".".join(("safetywatch", *parts)).removesuffix(".__init__")
                found.append((module, node.name))
    return found


#: Our error classes other classes derive from (so a subclass of one is found too).
_ERRORS_OF_OURS = {
    "SafetywatchError",
    "ConfigError",
    "Refusal",
    "Unreadable",
    "CheckpointIgnored",
    "StateDirectoryBusy",
    "ReaderFailed",
    "BadCursor",
    "ReportFileError",
}


@pytest.mark.parametrize(("module", "name"), _exception_classes(), ids=lambda v: str(v))
def test_every_error_of_ours_is_under_the_one_root(module: str, name: str):
    from safetywatch.errors import SafetywatchError

    error = getattr(importlib.import_module(module), name)
    assert issubclass(error, SafetywatchError), f"{module}.{name} is outside SafetywatchError"


def test_the_errors_are_found():
    assert len(_exception_classes()) >= len(_ERRORS_OF_OURS)
