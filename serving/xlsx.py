"""A minimal, fast XLSX writer for the weekly lists.

openpyxl and XlsxWriter build a cell object (or a write call) per cell, which is slow for
a weekly list at scale; the lists need none of what they offer beyond text and numbers, a
frozen, filterable header row and column widths. This writes that directly as
SpreadsheetML (inline strings, no shared-string table), streamed into the zip a thousand
rows at a time. The workbook holds no
timestamps and its zip entries are dated 1980-01-01, so the same rows give the same
bytes. Tests read the files back with openpyxl.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = (1980, 1, 1, 0, 0, 0)
_ROWS_PER_WRITE = 1000
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row, then `count` rows of str / int / float / None cells
    (`rows` is read once, as the sheet is written)."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]
    count: int
    widths: Sequence[float] = ()
    filterable: bool = False
    formats: Sequence[str] = ()
    """Per column: "" (as it is), "wrap" (text wrapped, top-aligned), "yuan" (¥ with two
    decimals) or "percent" (0.00%): how Excel shows the cell; the value is unchanged."""


def write_workbook(file: BinaryIO, sheets: Sequence[Sheet]) -> None:
    """Write the XLSX file of these sheets (header frozen on each) to a seekable `file`,
    streaming each sheet's rows."""
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:

        def entry(name: str) -> zipfile.ZipInfo:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = 1  # type: ignore[attr-defined]  # fast; ZipInfo has no public knob
            return info

        for name, text in (
            ("[Content_Types].xml", _content_types(len(sheets))),
            ("_rels/.rels", _package_rels()),
            ("xl/workbook.xml", _workbook(sheets)),
            ("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets))),
            ("xl/styles.xml", _STYLES),
        ):
            archive.writestr(entry(name), text.encode("utf-8"))
        for number, sheet in enumerate(sheets, start=1):
            with archive.open(entry(f"xl/worksheets/sheet{number}.xml"), "w") as stream:
                for part in _worksheet(sheet):
                    stream.write(part.encode("utf-8"))


def _worksheet(sheet: Sheet) -> Iterator[str]:
    """The sheet's XML, a few rows at a time."""
    columns = len(sheet.header)
    last = f"{_column(columns)}{sheet.count + 1}"
    parts = [
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">',
        f'<dimension ref="A1:{last}"/>',
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>',
    ]
    if sheet.widths:
        parts.append("<cols>")
        parts.extend(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
            for i, w in enumerate(sheet.widths, start=1)
        )
        parts.append("</cols>")
    parts.append("<sheetData>")
    parts.append(_row(1, sheet.header, [_BOLD] * columns))
    yield "".join(parts)
    styles = [_FORMATS[name] for name in sheet.formats] or [""] * columns
    styles += [""] * (columns - len(styles))
    written = 0
    batch: list[str] = []
    for written, row in enumerate(sheet.rows, start=1):
        batch.append(_row(written + 1, row, styles))
        if len(batch) == _ROWS_PER_WRITE:
            yield "".join(batch)
            batch.clear()
    if written != sheet.count:
        raise ValueError(f"sheet {sheet.name!r} promised {sheet.count} rows, got {written}")
    tail = f'<autoFilter ref="A1:{last}"/>' if sheet.filterable else ""
    yield "".join(batch) + "</sheetData>" + tail + "</worksheet>"


def _row(number: int, values: Sequence[object], styles: Sequence[str]) -> str:
    cells = "".join([_cell(value, style) for value, style in zip(values, styles, strict=False)])
    return f'<row r="{number}">{cells}</row>'


def _cell(value: object, style: str = "") -> str:
    if isinstance(value, str):  # most cells: tested first
        return _text_cell(value, style) if value else "<c/>"
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"{style}><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c{style}><v>{value!r}</v></c>" if math.isfinite(value) else "<c/>"
    return _text_cell(str(value), style)


@lru_cache(maxsize=1 << 16)  # ids, titles, categories repeat from row to row
def _text_cell(text: str, style: str) -> str:
    escaped = escape(_ILLEGAL_XML.sub("", text))
    return f'<c t="inlineStr"{style}><is><t xml:space="preserve">{escaped}</t></is></c>'


def _column(number: int) -> str:
    """1 → A, 27 → AA."""
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _content_types(count: int) -> str:
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet_type}"/>'
        for n in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )


def _package_rels() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )


def _workbook(sheets: Sequence[Sheet]) -> str:
    entries = "".join(
        f'<sheet name={quoteattr(sheet.name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, sheet in enumerate(sheets, start=1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n - 1}" hidden="1">'
        f"{escape(_quoted(sheet.name))}!$A$1:${_column(len(sheet.header))}$"
        f"{sheet.count + 1}</definedName>"
        for n, sheet in enumerate(sheets, start=1)
        if sheet.filterable
    )
    defined = f"<definedNames>{names}</definedNames>" if names else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{entries}</sheets>'
        f"{defined}</workbook>"
    )


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook_rels(count: int) -> str:
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL}">{sheets}'
        f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


_BOLD = ' s="1"'
_FORMATS = {"": "", "wrap": ' s="2"', "yuan": ' s="3"', "percent": ' s="4"'}
"""Each column format's cell style (its index in `_STYLES`' cellXfs)."""
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="&quot;¥&quot;#,##0.00"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
