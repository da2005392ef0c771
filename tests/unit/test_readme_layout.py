"""The README's layout table ("Where things live") matches the tree: every module it names
exists, and every module of a folder it lists is named in that folder's row."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| *\d* *\| `(?P<folder>[\w/*.]+)` \| (?P<what>.*)\|$")


def layout_rows() -> dict[Path, str]:
    """Folder → the text of its row."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = ROW.match(line)
        if match:
            folder = match["folder"].removesuffix("*.py").rstrip("/")
            rows[ROOT / folder] = match["what"]
    return rows


def named(what: str) -> set[str]:
    """The names in backticks of a row, as module stems (`x.py` → x, `sub/` → sub)."""
    return {
        token.removesuffix(".py").rstrip("/")
        for token in re.findall(r"`([^`]+)`", what)
        if re.fullmatch(r"[\w/]+(\.py)?", token)
    }


def test_the_layout_table_names_every_module_and_only_modules_that_exist() -> None:
    rows = layout_rows()
    assert ROOT / "radar/matching" in rows and ROOT / "cli" in rows, "layout table not found"
    missing, unknown = [], []
    for folder, what in rows.items():
        if not folder.is_dir() or folder.name in {"notebooks", "benchmarks", "tests"}:
            continue
        names = named(what)
        modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
        packages = {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
        missing += [f"{folder.relative_to(ROOT)}/{m}" for m in sorted(modules - names)]
        for token in re.findall(r"`([\w/]+\.py)`", what):
            if not (folder / token).is_file():
                unknown.append(f"{folder.relative_to(ROOT)}/{token}")
        covered = {p for p in packages if (folder / p).relative_to(ROOT) in _row_paths(rows)}
        missing += [f"{folder.relative_to(ROOT)}/{p}/" for p in sorted(packages - names - covered)]
    assert not missing, f"modules the README's layout table does not name: {missing}"
    assert not unknown, f"modules the README's layout table names that do not exist: {unknown}"


def _row_paths(rows: dict[Path, str]) -> set[Path]:
    return {folder.relative_to(ROOT) for folder in rows}
