"""Every test asserts something: an `assert`, `pytest.raises`/`fail`/`warns`, numpy's
`assert_*`, or a call of a helper of the tests that does (a test that only runs code
passes whatever the code returns)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
CHECKS = {"raises", "fail", "warns", "deprecated_call"}
"""pytest's own checks."""

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _called(node: ast.Call) -> str:
    function = node.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def _asserts(function: Function, helpers: set[str]) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = _called(node)
            if name.startswith("assert_") or name in CHECKS or name in helpers:
                return True
    return False


def _functions() -> list[tuple[Path, Function]]:
    return [
        (path, node)
        for path in sorted(TESTS.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_every_test_function_asserts_something() -> None:
    functions = _functions()
    helpers: set[str] = set()  # functions of the tests that assert, directly or through others
    while True:
        found = {
            function.name
            for _, function in functions
            if not function.name.startswith("test_") and _asserts(function, helpers)
        }
        if found <= helpers:
            break
        helpers |= found
    silent = [
        f"{path.relative_to(TESTS.parent)}:{function.lineno} {function.name}"
        for path, function in functions
        if function.name.startswith("test_") and not _asserts(function, helpers)
    ]
    assert silent == [], "these tests assert nothing: " + ", ".join(silent)
