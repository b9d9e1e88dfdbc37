"""The clerk's own workbook with every bad cell marked: a light red fill and a comment saying why and how to fix it.

.xlsx and .xlsm are marked in a copy of the file itself; .xls, .ods and .csv, which openpyxl
cannot edit, come back as an .xlsx holding the same cell values. The uploaded bytes are never touched.
"""
from __future__ import annotations

import io
import re
from collections import defaultdict
from pathlib import PurePath

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

from data.importer import Problem, Unreadable, Upload, read_sheets

FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "light red fill with dark red text"
FONT = Font(color="9C0006", bold=True)
AUTHOR = "法治指标看板"
_LETTER = re.compile(r"^([A-Z]{1,3})(?=「|$)")
_BAD_TITLE = re.compile(r"[\\/*?:\[\]]")

Marks = dict[tuple[int, int | None], list[Problem]]  # (Excel row, column number or None for the row) -> problems


def highlighted_name(upload: Upload) -> str:
    """东山村3月.xls -> 东山村3月（已标注错误）.xlsx; an .xlsm stays .xlsm so its macros survive."""
    suffix = ".xlsm" if upload.suffix == ".xlsm" else ".xlsx"
    return f"{PurePath(upload.name).stem}（已标注错误）{suffix}"


def _marks(problems: list[Problem]) -> dict[str, Marks]:
    by_sheet: dict[str, Marks] = defaultdict(lambda: defaultdict(list))
    for p in problems:
        if p.sheet is None or p.row is None:
            continue  # a problem with the whole file has no cell to mark
        m = _LETTER.match(p.column or "")
        by_sheet[p.sheet][(p.row, column_index_from_string(m[1]) if m else None)].append(p)
    return by_sheet


def _note(problems: list[Problem]) -> str:
    return "\n\n".join("\n".join(line for line in (f"填写的值：{p.value}" if p.value else "", f"问题：{p.reason}",
                                                   f"怎么改：{p.fix}" if p.fix else "") if line)
                       for p in problems)


def _anchor(ws: Worksheet, row: int, column: int):
    """The cell that carries a comment: a merged range's top-left cell."""
    cell = ws.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if cell.coordinate in merged:
                return ws.cell(row=merged.min_row, column=merged.min_col)
    return cell


def _mark(ws: Worksheet, marks: Marks) -> None:
    for (row, column), problems in marks.items():
        if column is None:  # a row-level problem: colour the row, comment on its first cell
            for c in range(1, max(ws.max_column, 1) + 1):
                ws.cell(row=row, column=c).fill = FILL
            column = 1
        ws.cell(row=row, column=column).fill = FILL
        cell = _anchor(ws, row, column)
        cell.fill, cell.font = FILL, FONT
        text = _note(problems)
        if cell.comment is not None:
            text = f"{cell.comment.text}\n{text}" if cell.comment.author == AUTHOR else f"{text}\n（原批注：{cell.comment.text}）"
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, 30 + 20 * (text.count("\n") + 1 + len(text) // 22)
        cell.comment = comment


def _own_workbook(upload: Upload) -> dict[str, Worksheet] | None:
    try:
        wb = load_workbook(io.BytesIO(upload.data), keep_vba=upload.suffix == ".xlsm")
    except Exception:  # not really an .xlsx (a renamed .xls, say): fall back to its values
        return None
    return {ws.title: ws for ws in wb.worksheets}


def _rendered_workbook(upload: Upload) -> dict[str, Worksheet] | None:
    """The cell values of a file openpyxl cannot edit, one sheet per sheet, in a new workbook."""
    try:
        sheets = read_sheets(upload)
    except Unreadable:
        return None
    wb = Workbook()
    wb.remove(wb.active)
    found = {}
    for name, rows in sheets:
        ws = wb.create_sheet(_BAD_TITLE.sub("_", name)[:31] or f"Sheet{len(found) + 1}")
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula stays text
        found[name] = ws
    return found


def highlight_errors(upload: Upload, problems: list[Problem]) -> bytes | None:
    """A copy of the uploaded workbook with each problem cell of this file marked.

    problems may cover several files; only those naming upload.name with a sheet and row are used.
    None when none of them points at a cell, or the file cannot be read.
    """
    marks = _marks([p for p in problems if p.file == upload.name])
    if not marks:
        return None
    sheets = _own_workbook(upload) if upload.suffix in (".xlsx", ".xlsm") else None
    sheets = sheets or _rendered_workbook(upload)
    if not sheets or not any(name in sheets for name in marks):
        return None
    for name, sheet_marks in marks.items():
        if name in sheets:
            _mark(sheets[name], sheet_marks)
    out = io.BytesIO()
    next(iter(sheets.values())).parent.save(out)
    return out.getvalue()
