"""The blank report templates (SPEC §4) as .xlsx: header row, hints, drop-down lists and numeric validation."""
from __future__ import annotations

import io
import math
import unicodedata
from datetime import datetime

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from data.config import TZ, Units, load_units
from data.schema import GUIDE_SHEET, OPTIONS_SHEET, TEMPLATES, Column, Template

LAST_ROW = 1000  # validations and prompts cover rows 2..LAST_ROW
YEAR_MIN, YEAR_MAX = 2000, 2100

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")  # columns that must be filled in every row
_HEADER_FONT = Font(bold=True)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_ERROR_TITLE = "输入有误"


def write_template(name: str, out) -> None:
    """Write the blank template `name` (a key of data.schema.TEMPLATES) to `out` (a path or a binary file object)."""
    if name not in TEMPLATES:
        raise ValueError(f"未知的模板：{name}（可选：{'、'.join(TEMPLATES)}）")
    _build(TEMPLATES[name], load_units(), datetime.now(TZ).year).save(out)


def template_bytes(name: str) -> bytes:
    """The blank template `name` as .xlsx bytes, for a download button."""
    buffer = io.BytesIO()
    write_template(name, buffer)
    return buffer.getvalue()


def _header_text(column: Column) -> str:
    """The header as written in the template: 受理矛盾纠纷(件); the importer drops the unit suffix."""
    return f"{column.header}({column.unit})" if column.unit else column.header


def _build(template: Template, units: Units, year: int) -> Workbook:
    wb = Workbook()
    sheet = wb.active
    sheet.title = template.title
    guide = wb.create_sheet(GUIDE_SHEET)
    options = wb.create_sheet(OPTIONS_SHEET)
    # Hidden so clerks do not edit the lists; it carries no template header, so the importer skips it.
    options.sheet_state = "hidden"

    lists = _Lists(options)
    unit_names = [u.name for u in units.of_kind(template.unit_kind)]
    months = [f"{y}-{m:02d}" for y in (year - 1, year) for m in range(1, 13)]
    for index, column in enumerate(template.columns, start=1):
        allowed = _allowed(column, unit_names)
        _write_header(sheet, index, column, allowed)
        validation = _validation(column, index, unit_names, months, lists)
        if validation is not None:
            validation.add(f"{get_column_letter(index)}2:{get_column_letter(index)}{LAST_ROW}")
            sheet.add_data_validation(validation)
    _layout(sheet, template, unit_names)
    _write_guide(guide, template, unit_names)
    return wb


def _write_header(sheet: Worksheet, index: int, column: Column, allowed: str) -> None:
    cell = sheet.cell(row=1, column=index, value=_header_text(column))
    cell.font = _HEADER_FONT
    cell.fill = _REQUIRED_FILL if column.value_required else _HEADER_FILL
    cell.alignment = _HEADER_ALIGN
    cell.border = _BORDER
    note = "\n".join(part for part in (column.hint, f"填写要求：{allowed}") if part)
    comment = Comment(note, "填报说明")
    comment.width, comment.height = 240, 110
    cell.comment = comment


def _layout(sheet: Worksheet, template: Template, unit_names: list[str]) -> None:
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    lines = 1
    for index, column in enumerate(template.columns, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        header_width = _display_width(_header_text(column))
        if column.kind == "unit":
            width = max([header_width, *map(_display_width, unit_names)]) + 4
        elif column.kind == "text" and column.field == "title":
            width = 30
        else:
            width = min(max(header_width + 2, 10), 16)
        dimension.width = width
        lines = max(lines, math.ceil(header_width / (width - 1)))
        # A column style, not 999 styled cells: Excel applies it to what the clerk types, and
        # the sheet stays one row long for readers that count styled blank cells as rows.
        if column.kind in ("month", "text"):
            dimension.number_format = "@"  # keeps 2025-03 and R01 as typed, not a date or a number
        elif column.kind == "date":
            dimension.number_format = "yyyy-mm-dd"
        elif column.kind == "year":
            dimension.number_format = "0"
    sheet.row_dimensions[1].height = 16 * lines + 6


class _Lists:
    """Drop-down sources on the hidden options sheet: Excel caps an inline list at 255 characters."""

    def __init__(self, sheet: Worksheet):
        self.sheet = sheet
        self.count = 0

    def add(self, label: str, values: list[str]) -> str:
        self.count += 1
        letter = get_column_letter(self.count)
        self.sheet.cell(row=1, column=self.count, value=label)
        for row, value in enumerate(values, start=2):
            self.sheet.cell(row=row, column=self.count, value=value)
        self.sheet.column_dimensions[letter].width = max(map(_display_width, [label, *values])) + 2
        return f"{quote_sheetname(self.sheet.title)}!${letter}$2:${letter}${len(values) + 1}"


def _validation(column: Column, index: int, unit_names: list[str], months: list[str], lists: _Lists) -> DataValidation | None:
    prompt = dict(showInputMessage=True, promptTitle=column.header[:32], prompt=(column.hint or column.header)[:255])
    if column.kind == "unit":
        if not unit_names:
            return None
        return DataValidation(
            type="list", formula1=lists.add("单位名单", unit_names), allow_blank=True,
            showErrorMessage=True, errorTitle=_ERROR_TITLE, error="请从下拉列表中选择已配置的单位名称", **prompt,
        )
    if column.kind == "month":
        # A warning, not a stop: the importer also takes 2025年3月 and older months, and decides.
        return DataValidation(
            type="list", formula1=lists.add("月份名单", months), allow_blank=True,
            showErrorMessage=True, errorStyle="warning", errorTitle=_ERROR_TITLE,
            error="月份请写成 2025-03 的形式，建议从下拉列表中选择", **prompt,
        )
    if column.kind == "choice":
        return DataValidation(
            type="list", formula1=lists.add(f"{column.header}选项", list(column.choices)), allow_blank=True,
            showErrorMessage=True, errorTitle=_ERROR_TITLE, error=f"请从下拉列表中选择：{'、'.join(column.choices)}", **prompt,
        )
    if column.kind == "date":
        return DataValidation(
            type="date", operator="between", formula1=f"DATE({YEAR_MIN},1,1)", formula2="TODAY()", allow_blank=True,
            showErrorMessage=True, errorTitle=_ERROR_TITLE, error="请输入日期，如 2025-03-05，且不晚于今天", **prompt,
        )
    if column.kind == "year":
        return DataValidation(
            type="whole", operator="between", formula1=str(YEAR_MIN), formula2=str(YEAR_MAX), allow_blank=True,
            showErrorMessage=True, errorTitle=_ERROR_TITLE, error=f"请输入 {YEAR_MIN} 到 {YEAR_MAX} 之间的年份，如 2025", **prompt,
        )
    if column.kind in ("int", "number") and column.min is not None:
        return _numeric(column, index, prompt)
    return DataValidation(allow_blank=True, **prompt)  # free text: only the input hint


def _numeric(column: Column, index: int, prompt: dict) -> DataValidation:
    kind = "whole" if column.kind == "int" else "decimal"
    lo, hi = _fmt(column.min), None if column.max is None else _fmt(column.max)
    common = dict(allow_blank=True, showErrorMessage=True, errorTitle=_ERROR_TITLE, error=_range_error(column), **prompt)
    if column.min_exclusive and hi is not None:
        # Excel's "between" is inclusive at both ends; an open lower bound needs a formula.
        cell = f"{get_column_letter(index)}2"
        return DataValidation(type="custom", formula1=f"AND(ISNUMBER({cell}),{cell}>{lo},{cell}<={hi})", **common)
    if hi is not None:
        return DataValidation(type=kind, operator="between", formula1=lo, formula2=hi, **common)
    operator = "greaterThan" if column.min_exclusive else "greaterThanOrEqual"
    return DataValidation(type=kind, operator=operator, formula1=lo, **common)


def _range_error(column: Column) -> str:
    noun = "整数" if column.kind == "int" else "数字"
    lo, hi = _fmt(column.min), None if column.max is None else _fmt(column.max)
    if hi is None:
        return f"请输入{'大于' if column.min_exclusive else '不小于'} {lo} 的{noun}"
    if column.min_exclusive:
        return f"请输入大于 {lo} 且不超过 {hi} 的{noun}"
    return f"请输入 {lo} 到 {hi} 之间的{noun}"


def _allowed(column: Column, unit_names: list[str]) -> str:
    """What a cell of this column may hold, in the words of the instructions sheet."""
    if column.kind == "unit":
        return f"从下拉列表中选择：{'、'.join(unit_names)}"
    if column.kind == "month":
        return "月份，写成 2025-03 的形式（从下拉列表中选择），不能晚于当前月份"
    if column.kind == "date":
        return "日期，写成 2025-03-05 的形式，不能晚于今天"
    if column.kind == "year":
        return f"年份，{YEAR_MIN} 到 {YEAR_MAX} 之间的整数，如 2025"
    if column.kind == "choice":
        return f"从下拉列表中选择：{'、'.join(column.choices)}"
    if column.kind in ("int", "number") and column.min is not None:
        return _range_error(column).removeprefix("请输入").strip()
    return "文字"


def _write_guide(sheet: Worksheet, template: Template, unit_names: list[str]) -> None:
    headers = {c.field: c.header for c in template.columns}
    identity = "、".join(headers[f] for f in template.identity)
    must_fill = "、".join(c.header for c in template.columns if c.value_required)
    notes = [
        f"本表为“{template.title}”，在第一个工作表“{template.title}”中填写。",
        "第 1 行是表头，请不要修改、删除或调换表头；从第 2 行起每行填写一条记录，不要插入标题行、示例行或空行。",
        f"{must_fill}每行都必须填写；表头为橙色的列即必填列。",
        "空白表示“未填报/不适用”，不要用 0 代替空白；只有实际数量为零时才填 0。",
        "数字直接填写阿拉伯数字，不要带单位（单位已写在表头括号内）。",
    ]
    if any(not c.required for c in template.columns):
        notes.append("与本单位职责无关的列留空即可。")
    if template.monthly:
        notes.append("月份写成 2025-03 的形式，建议从下拉列表中选择；不能填报未来的月份。")
    notes.append(f"{identity}都相同的记录视为同一条：再次上传时，新数据替换原有数据，不会重复计算。")
    for rule in template.rules:
        notes.append(f"{headers[rule.lhs]}不能大于{headers[rule.rhs]}；填写了{headers[rule.lhs]}时，必须同时填写{headers[rule.rhs]}。")
    for a, b in template.requires:
        notes.append(f"填写了{headers[a]}时，必须同时填写{headers[b]}。")
    notes.append("填好后保存为 .xlsx 文件，在系统“填报”页面上传；如有错误，系统会指出所在的行、列和原因。")

    sheet.cell(row=1, column=1, value=f"{template.title} 填写说明").font = Font(bold=True, size=14)
    row = 3
    for number, note in enumerate(notes, start=1):
        sheet.cell(row=row, column=1, value=f"{number}. {note}")
        row += 1

    # One column per row of this table, so no row repeats the template's header row.
    row += 1
    for col, label in enumerate(("列名", "计量单位", "含义", "填写要求", "是否必填"), start=1):
        cell = sheet.cell(row=row, column=col, value=label)
        cell.font, cell.fill, cell.border, cell.alignment = _HEADER_FONT, _HEADER_FILL, _BORDER, _HEADER_ALIGN
    for column in template.columns:
        row += 1
        values = (column.header, column.unit, column.hint, _allowed(column, unit_names), "必填" if column.value_required else "可空")
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col, value=value or None)
            cell.border, cell.alignment = _BORDER, _WRAP
    for letter, width in zip("ABCDE", (20, 10, 40, 50, 10)):
        sheet.column_dimensions[letter].width = width


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _display_width(text: str) -> int:
    """Columns a string takes in Excel: a Chinese character is about two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
