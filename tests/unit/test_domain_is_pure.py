"""The domain is pure: it imports only the standard library, attrs and itself.

Anything that talks to Redis, the network or the rest of kueport (adapters, ports, the service)
belongs outside `kueport/domain`, so the rules can be tested without any of it.
"""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest

import kueport.domain

DOMAIN_DIR = Path(kueport.domain.__file__).resolve().parent
DOMAIN_PACKAGE = "kueport.domain"
THIRD_PARTY_ALLOWED = frozenset({"attrs"})


def _module_name(path: Path, root: Path = DOMAIN_DIR) -> str:
    relative = path.relative_to(root).with_suffix("")
    parts = [p for p in relative.parts if p != "__init__"]
    return ".".join([DOMAIN_PACKAGE, *parts])


def is_allowed(module: str) -> bool:
    """Stdlib (including __future__), attrs, or kueport.domain and its submodules."""
    top = module.partition(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return True
    if top in THIRD_PARTY_ALLOWED:
        return True
    return module == DOMAIN_PACKAGE or module.startswith(DOMAIN_PACKAGE + ".")


def forbidden_imports(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """Every import in `source` (at any depth, even under TYPE_CHECKING) that is not allowed."""
    package = module if is_package else module.rpartition(".")[0]
    bad: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            bad += [alias.name for alias in node.names if not is_allowed(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts)
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            # `from kueport import domain` names a submodule: judge each imported name.
            if is_allowed(target):
                continue
            candidates = [f"{target}.{alias.name}" for alias in node.names]
            bad += [c for c in candidates if not is_allowed(c)]
    return bad


def scan(root: Path) -> dict[str, list[str]]:
    """Forbidden imports per module of a package laid out like `kueport/domain` under `root`."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        source = path.read_text(encoding="utf-8")
        bad = forbidden_imports(source, module, is_package=path.name == "__init__.py")
        if bad:
            found[module] = bad
    return found


def _domain_files() -> list[Path]:
    return sorted(DOMAIN_DIR.rglob("*.py"))


def test_the_domain_has_modules_to_check() -> None:
    names = {p.name for p in _domain_files()}
    assert {"__init__.py", "state.py", "backoff.py", "retry.py"} <= names


@pytest.mark.parametrize("path", _domain_files(), ids=lambda p: p.name)
def test_domain_module_imports_only_stdlib_attrs_and_domain(path: Path) -> None:
    module = _module_name(path)
    bad = forbidden_imports(
        path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"
    )
    assert bad == [], f"{module} imports {bad}: the domain must stay pure"


def test_the_whole_domain_package_is_clean() -> None:
    assert scan(DOMAIN_DIR) == {}


def test_scan_catches_an_impure_import_added_to_a_copy_of_the_domain(tmp_path: Path) -> None:
    copy = tmp_path / "domain"
    shutil.copytree(DOMAIN_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "state.py").open("a", encoding="utf-8") as f:
        f.write("\nimport redis\n")
    with (copy / "ordering.py").open("a", encoding="utf-8") as f:
        f.write("\n\ndef _late():\n    from kueport.adapters import memory\n")

    assert scan(copy) == {
        "kueport.domain.ordering": ["kueport.adapters.memory"],
        "kueport.domain.state": ["redis"],
    }


# The checker itself: it must catch what we mean to forbid, and let through what we allow.


@pytest.mark.parametrize(
    "source",
    [
        "import redis",
        "import redis.asyncio as aioredis",
        "from redis import Redis",
        "import kueport",
        "import kueport.adapters.memory",
        "from kueport.adapters import memory",
        "from kueport import adapters",
        "from kueport.ports.storage import Storage",
        "from .. import adapters",
        "from ..adapters.memory import MemoryStorage",
        "import hypothesis",
        "def f():\n    import werkzeug\n",
        "if TYPE_CHECKING:\n    from kueport.service import Queue\n",
    ],
)
def test_checker_rejects_impure_imports(source: str) -> None:
    assert forbidden_imports(source, "kueport.domain.example") != []


@pytest.mark.parametrize(
    "source",
    [
        "from __future__ import annotations",
        "import math",
        "import json, enum",
        "from collections.abc import Mapping",
        "from datetime import UTC, datetime",
        "import attrs",
        "from attrs import frozen",
        "import kueport.domain.state",
        "from kueport.domain.errors import InvalidState",
        "from kueport.domain import state",
        "from kueport import domain",
        "from . import state",
        "from .errors import InvalidState",
    ],
)
def test_checker_accepts_pure_imports(source: str) -> None:
    assert forbidden_imports(source, "kueport.domain.example") == []


def test_checker_resolves_relative_imports_from_the_package_init() -> None:
    assert forbidden_imports("from . import state", DOMAIN_PACKAGE, is_package=True) == []
    assert forbidden_imports("from .. import adapters", DOMAIN_PACKAGE, is_package=True) == [
        "kueport.adapters"
    ]
