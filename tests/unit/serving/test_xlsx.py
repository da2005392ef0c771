"""The hand-written XLSX: openpyxl reads back every value, the header is frozen and
filterable, and the same rows give the same bytes."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from serving.xlsx import Sheet, write_workbook

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
)


def workbook_bytes(sheets: list[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return buffer.getvalue()


def sheet(name: str, header: list[str], rows: list[list[object]], **options: object) -> Sheet:
    return Sheet(name, header, rows, len(rows), **options)  # type: ignore[arg-type]


def read(data: bytes) -> list[list[list[object]]]:
    workbook = load_workbook(io.BytesIO(data))
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook]


def test_values_layout_and_repeatability() -> None:
    rows = [["h0001", 1, 0.8734, '推荐理由：<粉底液> & "控油"', None], ["h0002", 2, 12.5, "", 3]]
    sheets = [
        sheet(
            "推荐清单 2026-W48",
            ["主播ID", "排名", "匹配度", "推荐理由", "x"],
            rows,
            widths=(12, 6, 8, 80, 4),
            filterable=True,
        ),
        sheet("data", ["streamer_id", "rank", "fit", "reasons", "x"], rows),
    ]
    data = workbook_bytes(sheets)
    assert data == workbook_bytes(sheets)
    people, machine = read(data)
    assert people[0] == ["主播ID", "排名", "匹配度", "推荐理由", "x"]
    assert people[1:] == [
        ["h0001", 1, 0.8734, '推荐理由：<粉底液> & "控油"', None],
        ["h0002", 2, 12.5, None, 3],
    ]
    assert machine[1:] == people[1:]
    workbook = load_workbook(io.BytesIO(data))
    first = workbook.worksheets[0]
    assert first.title == "推荐清单 2026-W48" and first.freeze_panes == "A2"
    assert first.auto_filter.ref == "A1:E3"
    assert first.column_dimensions["D"].width == 80
    assert first["A1"].font.b and not first["A2"].font.b


def test_control_characters_are_dropped() -> None:
    data = workbook_bytes([sheet("s", ["a"], [["好\x00评\x1f！"]])])
    assert read(data)[0][1] == ["好评！"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(-(10**9), 10**9),
                st.floats(allow_nan=False, allow_infinity=False, width=32),
                st.text(
                    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                    min_size=1,
                    max_size=20,
                ),
            ),
            min_size=3,
            max_size=3,
        ),
        max_size=15,
    )
)
def test_any_rows_read_back(rows: list[list[object]]) -> None:
    back = read(workbook_bytes([sheet("s", ["a", "b", "c"], rows)]))[0][1:]
    expected = [[None if v == "" else v for v in row] for row in rows]
    assert back == expected or (not rows and back == [])


def test_a_sheet_must_hold_the_rows_it_promised() -> None:
    with pytest.raises(ValueError, match="promised 3 rows, got 1"):
        workbook_bytes([Sheet("s", ["a"], iter([["x"]]), 3)])


def test_columns_show_yuan_percent_and_wrapped_text() -> None:
    """What operations read in Excel: prices as ¥, fits as %, long reasons wrapped; the
    values stay numbers (sortable, filterable)."""
    rows = [["h0001", 129.5, 0.8734, "共同主题：美妆(41%)；粉丝原话：「这个色号显白吗」"]]
    data = workbook_bytes(
        [
            sheet(
                "推荐清单",
                ["主播ID", "价格", "匹配度", "推荐理由"],
                rows,
                formats=("", "yuan", "percent", "wrap"),
            )
        ]
    )
    first = load_workbook(io.BytesIO(data)).worksheets[0]
    assert first["B2"].value == 129.5 and "¥" in first["B2"].number_format
    assert first["C2"].value == 0.8734 and first["C2"].number_format == "0.00%"
    assert first["D2"].alignment.wrap_text and not first["A2"].alignment.wrap_text
    assert first["B1"].font.b and first["B1"].number_format == "General"  # the header
