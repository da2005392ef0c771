"""The xdist groups of `make test` (`-n 2 --dist loadgroup`: a group's tests run on one
worker): tests sharing a module-scoped fixture grouped by their module, and the groups
shown to xdist's scheduler under pytest 9.2 too."""

from __future__ import annotations

import pytest


def group_by_module_fixture(items: list[pytest.Item]) -> None:
    """Put the tests that use a module-scoped fixture, and are in no xdist group yet, in
    one group named after their module: one worker builds the fixture (a trained model, a
    real-data scenario) once, instead of each worker building its own."""
    for item in items:
        if not isinstance(item, pytest.Function) or item.get_closest_marker("xdist_group"):
            continue
        definitions = item._fixtureinfo.name2fixturedefs.values()
        if any(defs and defs[-1].scope == "module" for defs in definitions):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))


def show_groups_to_xdist(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker of `--dist loadgroup`, end each grouped test's node id with
    `@<group>`, which is how the scheduler learns its group. xdist 3.8 does this itself
    only up to pytest 9.1: from 9.2 its change is lost (pytest-xdist issue 1386) and every
    test is scheduled alone. Run after xdist's own hook; changes nothing where it worked."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        suffix = f"@{'_'.join(names)}"
        if names and not item.nodeid.endswith(suffix):
            _rename(item, item.nodeid + suffix)


def _rename(item: pytest.Item, nodeid: str) -> None:
    """Give `item` this node id (pytest 9.2 keeps it structured in `_id`, before as text)."""
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest before 9.2
        item._nodeid = nodeid
    else:
        item._id = NodeId.parse(nodeid)
