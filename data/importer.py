"""Read uploaded report files, recognise the template of each sheet, validate every cell.

The one place where messy spreadsheet cells become typed fields (STYLE 5, 6). It never
writes: it returns the parsed batches and every problem found, each naming file, sheet,
row, column and value in Chinese.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from zlib import error as zlib_error
from dataclasses import dataclass, field
from pathlib import PurePath

import numpy as np
import pandas as pd
import python_calamine

from data.config import Unit, Units, fold
from data.schema import GUIDE_SHEET, OPTIONS_SHEET, TEMPLATES, Column, Template

ACCEPTED = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
ACCEPTED_TEXT = "、".join(ACCEPTED)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 30
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # an .xlsx inflating past this is a zip bomb
MAX_ZIP_RATIO = 200
MAX_CELLS = 5_000_000
HEADER_SCAN_ROWS = 30
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "合计:", "总计:", "小计:"})
FOOTER_PREFIXES = ("填报人", "审核人", "填报日期", "制表人", "制表", "负责人", "单位负责人", "联系电话", "注:", "说明:", "备注:")
# First characters of total and footer words: rows whose unit cell starts otherwise skip the slower checks.
_MARKER_CHARS = frozenset(w[0] for w in (*TOTAL_WORDS, *FOOTER_PREFIXES)) | {"合", "总", "小"}
MAX_VALUE = 1e9  # no monthly count comes near this; above it is a typo or a pasted ID
_UNIT_SUFFIX = re.compile(r"[(][^()]*[)]$")
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Problem:
    """One reason an upload is rejected, addressed like a clerk would look for it."""

    file: str
    reason: str
    fix: str = ""
    sheet: str | None = None
    row: int | None = None  # as Excel shows it (1-based)
    column: str | None = None  # letter and header as the file wrote it
    value: str | None = None

    def line(self) -> str:
        where = [f"文件「{self.file}」"]
        if self.sheet is not None:
            where.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            where.append(f"第{self.row}行")
        if self.column is not None:
            where.append(f"{self.column}列")
        text = "，".join(where) + "："
        if self.value is not None:
            text += f"值“{self.value}”"
        text += self.reason
        if self.fix:
            text += f"。{self.fix}"
        return text + ("" if text.endswith("。") else "。")


@dataclass
class Batch:
    """The validated rows of one template found on one sheet."""

    file: str
    sheet: str
    template: Template
    frame: pd.DataFrame  # one column per template field, NULL for blanks and absent columns
    rows: list[int]  # Excel row number of each frame row
    columns: dict[str, str] = field(default_factory=dict)  # field -> column label in the file


@dataclass
class Upload:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def suffix(self) -> str:
        return PurePath(self.name).suffix.lower()


@dataclass
class Parsed:
    batches: list[Batch]
    problems: list[Problem]
    notes: list[str]  # sheets skipped because they hold no template, and the like

    @property
    def ok(self) -> bool:
        return not self.problems


class Bad(Exception):
    """A cell value that does not fit its column."""

    def __init__(self, reason: str, fix: str = ""):
        super().__init__(reason)
        self.reason, self.fix = reason, fix


def norm_header(text: object) -> str:
    """A header cell as compared: white space and line breaks removed, full-width folded, unit suffix dropped."""
    if not isinstance(text, str):
        return ""
    key = fold(text)
    return _UNIT_SUFFIX.sub("", key)


_HEADERS = {t.name: {norm_header(c.header): c for c in t.columns} for t in TEMPLATES.values()}


def col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    text = str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:40] + "…"


# --- cell parsers: one per Column.kind; each returns the typed value or raises Bad -------------


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise Bad("不是数字", "请填写阿拉伯数字")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = fold(value)
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            return float(text)
        except ValueError:
            pass
    if isinstance(value, str) and value.strip().startswith("#"):
        raise Bad("是公式错误值", "请修正公式或直接填写数字")
    raise Bad("不是数字", "请填写阿拉伯数字；不适用或未统计请留空，不要填“/”“无”或文字")


def _check_range(number: float, col: Column) -> None:
    if abs(number) > MAX_VALUE:
        raise Bad("数值过大", "请检查是否多输了数字或误填了编号")
    low, high = col.min, col.max
    too_low = low is not None and (number <= low if col.min_exclusive else number < low)
    if too_low or (high is not None and number > high):
        lo = "" if low is None else f"{low:g}"
        if high is None:
            rng = f"大于{lo}" if col.min_exclusive else f"不小于{lo}"
        else:
            rng = f"大于{lo}且不超过{high:g}" if col.min_exclusive else f"在{lo}到{high:g}之间"
        raise Bad(f"超出允许范围（应{rng}）", f"请填写{rng}的数")


def parse_int(value: object, col: Column) -> int:
    number = _number(value)
    if number != number or not number.is_integer():
        raise Bad("不是整数", f"“{col.header}”应填写整数")
    _check_range(number, col)
    return int(number)


def parse_number(value: object, col: Column) -> float:
    number = _number(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise Bad("不是有效数字", "请填写阿拉伯数字")
    _check_range(number, col)
    return number


def _as_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise Bad("不是有效日期", "请按 2025-03-05 的格式填写") from None


def _match(patterns, text: str):
    for pattern in patterns:
        m = pattern.match(text)
        if m:
            return tuple(int(g) for g in m.groups())
    return None


def parse_month(value: object, col: Column, today: dt.date) -> dt.date:
    fix = "请按 2025-03 的格式填写月份（也可写 2025/3、2025年3月、202503）"
    if isinstance(value, (dt.datetime, dt.date)):
        month = dt.date(value.year, value.month, 1)
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = fold(value) if isinstance(value, str) else str(value) if isinstance(value, int) and not isinstance(value, bool) else None
        parts = _match(_MONTH_PATTERNS, text) if text else None
        if parts is None and text:
            date = _match(_DATE_PATTERNS, text)
            parts = date[:2] if date else None
        if parts is None:
            raise Bad("不是可识别的月份", fix)
        year, mon = parts
        if not 1 <= mon <= 12:
            raise Bad("月份不在1到12之间", fix)
        month = dt.date(year, mon, 1)
    if month.year < 2000:
        raise Bad("年份早于2000年", fix)
    if month > dt.date(today.year, today.month, 1):
        raise Bad("是未来的月份", "只能填报本月及以前的月份，请检查年份和月份")
    return month


def parse_date(value: object, col: Column, today: dt.date) -> dt.date:
    fix = "请按 2025-03-05 的格式填写日期（也可写 2025/3/5、2025年3月5日、20250305）"
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = fold(value) if isinstance(value, str) else str(value) if isinstance(value, int) and not isinstance(value, bool) else None
        parts = _match(_DATE_PATTERNS, text) if text else None
        if parts is None:
            raise Bad("不是可识别的日期", fix)
        date = _as_date(*parts)
    if date.year < 2000:
        raise Bad("年份早于2000年", fix)
    if date > today:
        raise Bad("是未来的日期", "只能登记今天及以前的培训")
    return date


def parse_year(value: object, col: Column, today: dt.date) -> int:
    text = fold(value).removesuffix("年") if isinstance(value, str) else value
    try:
        year = parse_int(text, col)
    except Bad:
        raise Bad("不是有效年度", "请填写四位年度，如 2025") from None
    if not 2000 <= year <= today.year:
        raise Bad("年度不在2000年到今年之间", "请填写四位年度，如 2025")
    return year


def parse_text(value: object, col: Column) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise Bad("应为文字", f"请在“{col.header}”中填写文字")
    text = " ".join(str(value).split())
    if len(text) > 200:
        raise Bad("文字过长（超过200字）", "请精简后再填写")
    return text


def parse_choice(value: object, col: Column) -> str:
    key = fold(str(value))
    for choice in col.choices:
        if fold(choice) == key:
            return choice
    raise Bad("不是允许的选项", "请从下拉列表中选择：" + "、".join(col.choices))


def parse_unit(value: object, col: Column, template: Template, units: Units) -> Unit:
    name = str(value)
    found = units.match(name, template.unit_kind)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        towns = "、".join(units.townships[u.township] + u.name for u in found)
        raise Bad(f"与多个单位同名（{towns}）", "请联系管理员在单位配置中区分")
    other = units.match(name, None)
    if other and template.unit_kind == "village":
        raise Bad("是镇直单位，不是村", "镇直单位请使用“镇直单位法治工作月报”模板填报")
    if other and template.unit_kind == "department":
        raise Bad("是村，不是镇直单位", "村请使用“村级法治工作月报”模板填报")
    kind = {"village": "村", "department": "镇直单位"}.get(template.unit_kind or "", "单位")
    names = "、".join(u.name for u in units.of_kind(template.unit_kind))
    raise Bad(f"不是已配置的{kind}", f"请填写已配置的名称之一：{names}；如确为新单位，请联系管理员添加")


# --- reading files into sheets of cells -----------------------------------------------------


class Unreadable(Exception):
    def __init__(self, reason: str, fix: str = ""):
        super().__init__(reason)
        self.reason, self.fix = reason, fix


_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fazhi-scan")
EXCEL_ERRORS = frozenset({"#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A", "#SPILL!", "#CALC!"})
_OLE_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _check_zip(data: bytes) -> None:
    """Refuse zip bombs and encrypted ODS before any parser inflates the file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            packed = max(1, sum(i.compress_size for i in infos))
            if len(infos) > 10_000 or total > MAX_UNZIPPED_BYTES or total / packed > MAX_ZIP_RATIO:
                raise Unreadable("文件解压后异常庞大，疑似恶意文件，已拒绝", "请上传正常导出的报表文件")
            if "META-INF/manifest.xml" in z.namelist() and b"encryption-data" in z.read("META-INF/manifest.xml"):
                raise Unreadable("文件设有打开密码，无法读取", "请取消密码保护后另存再上传")
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, EOFError, zlib_error):
        raise Unreadable("文件已损坏，无法打开", "请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传") from None


def _has_error_cells(data: bytes) -> bool:
    """Whether an .xlsx worksheet holds formula error cells, which calamine reads as blanks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return any(b't="e"' in z.read(n) for n in z.namelist()
                       if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, EOFError, zlib_error):
        return False  # calamine reports the broken file


def _error_cells(data: bytes) -> dict[str, dict[tuple[int, int], str]]:
    """Formula error cells (#DIV/0! …) per sheet, read with openpyxl only for files that have any."""
    import openpyxl

    found: dict[str, dict[tuple[int, int], str]] = {}
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # calamine opened it; if openpyxl cannot, the errors stay blanks
        return found
    for ws in book.worksheets:
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            for c, value in enumerate(row):
                if isinstance(value, str) and value in EXCEL_ERRORS:
                    found.setdefault(ws.title, {})[(r, c)] = value
    book.close()
    return found


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("文本编码无法识别", "请另存为 UTF-8 或 GBK 编码的 CSV，或直接上传 .xlsx")


def read_sheets(upload: Upload) -> list[tuple[str, list[list]]]:
    """Every sheet of the file as rows of raw cell values, Excel-addressed from A1."""
    suffix = upload.suffix
    if suffix in (".et", ".ett"):
        raise Unreadable("是 WPS 表格专用格式（.et），无法直接读取", "请在 WPS 中“另存为” Excel 文件（.xlsx）后再上传")
    if suffix not in ACCEPTED:
        shown = suffix or "（无扩展名）"
        raise Unreadable(f"文件格式“{shown}”不受支持", f"请上传以下格式之一：{ACCEPTED_TEXT}")
    if not upload.data:
        raise Unreadable("文件是空的（0 字节）", "请检查是否选错了文件")
    if len(upload.data) > MAX_FILE_BYTES:
        raise Unreadable(f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限", "请删除无关工作表或拆分后上传")
    if suffix == ".csv":
        text = _decode_csv(upload.data)
        try:
            rows = [list(r) for r in csv.reader(io.StringIO(text))]
        except csv.Error:
            raise Unreadable("CSV 文件格式有误（可能有不成对的引号）", "请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传") from None
        width = max((len(r) for r in rows), default=0)
        return [(PurePath(upload.name).stem, [r + [""] * (width - len(r)) for r in rows])]
    scan = None
    if upload.data[:4] == b"PK\x03\x04":
        _check_zip(upload.data)
        # Inflating every worksheet to look for error cells costs ~10% of a large import; it runs
        # beside calamine's parse (both release the GIL), so it costs nothing in wall time.
        scan = _POOL.submit(_has_error_cells, upload.data)
    if upload.data[:4] == b"\xd0\xcf\x11\xe0" and _OLE_ENCRYPTED in upload.data:
        raise Unreadable("文件设有打开密码，无法读取", "请取消密码保护后另存再上传")
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(upload.data))
    except python_calamine.PasswordError:
        raise Unreadable("文件设有打开密码，无法读取", "请取消密码保护后另存再上传") from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # calamine raises its own errors and, on broken files, Rust panics
        raise Unreadable("文件已损坏或不是有效的表格文件，无法打开", "请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传") from None
    sheets = []
    with book:
        for meta in book.sheets_metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue  # chart, dialog and macro sheets hold no report cells
            try:
                sheet = book.get_sheet_by_name(meta.name)
                if sheet.total_height * max(1, sheet.total_width) > MAX_CELLS:
                    raise Unreadable(f"工作表「{meta.name}」过大（超过 {MAX_CELLS:,} 个单元格）", "请只保留报表区域后再上传")
                sheets.append((meta.name, sheet.to_python(skip_empty_area=False)))
            except Unreadable:
                raise
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:
                raise Unreadable(f"工作表「{meta.name}」已损坏，无法读取", "请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传") from None
    if scan is not None and scan.result():
        errors = _error_cells(upload.data)
        for name, rows in sheets:
            for (r, c), value in errors.get(name, {}).items():
                if r < len(rows) and c < len(rows[r]):
                    rows[r][c] = value
    return sheets


# --- recognising and validating one sheet ---------------------------------------------------


def find_header(rows: list[list]) -> tuple[Template, int, dict[int, Column]] | None:
    """The template whose headers best match one of the first rows, with the row and column map."""
    best = None
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = [norm_header(v) for v in row]
        for name, headers in _HEADERS.items():
            hits = {j: headers[k] for j, k in enumerate(keys) if k in headers}
            distinct = len({c.field for c in hits.values()})
            unit_hit = any(c.kind == "unit" for c in hits.values())
            score = (unit_hit, distinct)
            if distinct >= 2 and (best is None or score > best[0]):
                best = (score, TEMPLATES[name], r, hits)
    return None if best is None else best[1:]


def _first_text(row: list) -> str:
    for v in row:
        if not is_blank(v):
            return fold(v) if isinstance(v, str) else ""
    return ""


def parse_sheet(file: str, sheet: str, rows: list[list], units: Units, today: dt.date) -> tuple[Batch | None, list[Problem]]:
    """Recognise the template on one sheet and validate it column by column (fast on large sheets)."""
    found = find_header(rows)
    if found is None:
        return None, []
    template, header_row, hits = found
    problems: list[Problem] = []

    def problem(reason, fix="", row=None, column=None, value=None):
        problems.append(Problem(file, reason, fix, sheet, row, column, value))

    header_cells = rows[header_row]
    labels = {j: f"{col_letter(j)}「{' '.join(str(header_cells[j]).split())}」" for j in hits}
    by_field: dict[str, int] = {}
    for j, col in hits.items():
        if col.field in by_field:
            problem(f"表头“{col.header}”出现了两次", "请删除重复的列", header_row + 1, labels[j])
        by_field.setdefault(col.field, j)
    missing = [c.header for c in template.columns if c.required and c.field not in by_field]
    if missing:
        problem(f"识别为“{template.title}”，但缺少必需的列：{'、'.join(missing)}",
                "请使用系统下载的模板，不要删除或改名表头", header_row + 1)
    for rule in template.rules:
        if rule.lhs in by_field and rule.rhs not in by_field:
            lhs, rhs = template.column(rule.lhs).header, template.column(rule.rhs).header
            problem(f"有“{lhs}”列但没有“{rhs}”列", f"请补上“{rhs}”列", header_row + 1, labels[by_field[rule.lhs]])
    if problems:
        return None, problems

    present = [(template.column(f), j) for f, j in by_field.items()]
    unit_j = next(j for c, j in present if c.kind == "unit")
    id_js = [j for c, j in present if c.field in template.identity]
    data_rows, totals = _classify_rows(template, rows, header_row, unit_j, id_js, present, problem)

    columns: dict[str, object] = {}
    row_bad = np.zeros(len(data_rows), dtype=bool)
    by_index = list(zip(*[rows[r] for r in data_rows])) if data_rows else []
    for col, j in present:
        values = by_index[j] if data_rows else []
        parsed, errors = _parse_column(values, col, template, units, today)
        for i, reason, fix in errors:
            problem(reason, fix, data_rows[i] + 1, labels[j], "" if is_blank(values[i]) else show(values[i]))
            row_bad[i] = True
        columns[col.field] = parsed
    for col in template.columns:
        if col.field not in columns:
            columns[col.field] = np.full(len(data_rows), np.nan) if col.kind in _NUMERIC else [None] * len(data_rows)

    def rule_problem(mask, reason_of, fix, field_):
        for i in np.flatnonzero(mask & ~row_bad):
            reason, value = reason_of(i)
            problem(reason, fix, data_rows[i] + 1, labels.get(by_field.get(field_)), value)
        row_bad[mask] = True

    for rule in template.rules:
        lhs, rhs = columns[rule.lhs], columns[rule.rhs]
        lcol, rcol = template.column(rule.lhs), template.column(rule.rhs)
        rule_problem(~np.isnan(lhs) & np.isnan(rhs), lambda i: (f"填写了“{lcol.header}”，但“{rcol.header}”为空", ""),
                     f"请补填“{rcol.header}”", rule.rhs)
        with np.errstate(invalid="ignore"):
            over = lhs > rhs
        rule_problem(over, lambda i: (f"“{lcol.header}”（{show(lhs[i])}）大于“{rcol.header}”（{show(rhs[i])}）", show(lhs[i])),
                     f"“{lcol.header}”是“{rcol.header}”的一部分，不能超过它，请核对两个数", rule.lhs)
    for a, b in template.requires:
        acol, bcol = template.column(a), template.column(b)
        rule_problem(~np.isnan(columns[a]) & np.isnan(columns[b]),
                     lambda i: (f"填写了“{acol.header}”，但“{bcol.header}”为空", ""),
                     f"请补填“{bcol.header}”，或把两项都留空", b)
    for r, upto, start in totals:
        _check_total(present, rows[r], r, columns, start, upto, labels, problem)
    if problems:
        return None, problems
    frame = _frame(template, columns)
    return Batch(file, sheet, template, frame, [r + 1 for r in data_rows], {c.field: labels[j] for c, j in present}), []


def _classify_rows(template, rows, header_row, unit_j, id_js, present, problem):
    """Data rows, and 合计 rows with the span of data rows they total; blank and footer rows are skipped.

    A 小计 totals the rows since the previous total of any kind; a 合计/总计 totals every row
    since the previous 合计/总计, so a grand total below subtotals checks against all of them.
    """
    data_rows: list[int] = []
    totals: list[tuple[int, int, int]] = []  # (row, data rows before it, first data row of its span)
    since_any = since_grand = 0

    def total(r: int, word: str) -> None:
        nonlocal since_any, since_grand
        start = since_any if word.startswith("小计") else since_grand
        totals.append((r, len(data_rows), start))
        since_any = len(data_rows)
        if not word.startswith("小计"):
            since_grand = len(data_rows)

    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        unit = row[unit_j]
        filled = True
        for j in id_js:  # inlined: this loop runs once per row of the largest uploads
            v = row[j]
            if v is None or (type(v) is str and not v.strip()):
                filled = False
                break
        if filled and not (type(unit) is str and unit.lstrip()[:1] in _MARKER_CHARS):
            data_rows.append(r)
            continue
        if all(is_blank(v) for v in row):
            continue
        first = _first_text(row)
        unit_text = fold(unit) if isinstance(unit, str) else ""
        if unit_text in TOTAL_WORDS or first in TOTAL_WORDS:
            total(r, unit_text if unit_text in TOTAL_WORDS else first)
        elif first.startswith(FOOTER_PREFIXES) or unit_text.startswith(FOOTER_PREFIXES):
            continue
        elif all(is_blank(row[j]) for j in id_js):
            if any(not is_blank(row[j]) for _, j in present):
                ids = "、".join(template.column(f).header for f in template.identity)
                problem(f"这一行有数据，但没有填写{ids}", f"请补填{ids}，或删除这一行", r + 1)
        else:
            data_rows.append(r)  # some identity cell is blank: the column pass reports which
    return data_rows, totals


_NUMERIC = ("int", "number", "year")
_NUMBER_TYPES = (int, float)
_NUMBER_SET = frozenset(_NUMBER_TYPES)


def _parse_column(values: list, col: Column, template: Template, units: Units, today: dt.date):
    """Typed values of one column and its (index, reason, fix) errors.

    Numbers take a vectorised path; other kinds parse each distinct value once. Either way the
    per-cell parsers above decide every value and word every message.
    """
    errors: list[tuple[int, str, str]] = []
    n = len(values)
    if col.kind in ("int", "number"):
        if set(map(type, values)) <= _NUMBER_SET:  # the common case: every cell a real number
            out, odd = np.array(values, dtype=float), []
        else:
            out = np.array([v if type(v) in _NUMBER_TYPES else np.nan for v in values], dtype=float)
            odd = [i for i, v in enumerate(values) if type(v) not in _NUMBER_TYPES]
        if len(odd) < n:
            low_ok = (out > col.min if col.min_exclusive else out >= col.min) if col.min is not None else True
            high_ok = out <= (col.max if col.max is not None else MAX_VALUE)
            ok = np.isnan(out) | (low_ok & high_ok & (np.floor(out) == out if col.kind == "int" else True))
            odd += np.flatnonzero(~ok).tolist()
        parse = parse_int if col.kind == "int" else parse_number
        for i in odd:
            v = values[i]
            if is_blank(v):
                out[i] = np.nan
                if col.value_required:
                    errors.append((i, f"“{col.header}”不能为空", f"请填写{col.header}"))
                continue
            try:
                out[i] = parse(v, col)
            except Bad as bad:
                out[i] = np.nan
                errors.append((i, bad.reason, bad.fix))
        return out, errors
    memo: dict = {}
    out = [None] * n
    for i, v in enumerate(values):
        if is_blank(v):
            if col.value_required:
                errors.append((i, f"“{col.header}”不能为空", f"请填写{col.header}"))
            continue
        key = (type(v), v)
        if key not in memo:
            try:
                memo[key] = _parse(v, col, template, units, today)
            except Bad as bad:
                memo[key] = bad
        got = memo[key]
        if isinstance(got, Bad):
            errors.append((i, got.reason, got.fix))
        else:
            out[i] = got
    if col.kind == "year":
        return np.array([np.nan if v is None else v for v in out], dtype=float), errors
    return out, errors


def _parse(raw: object, col: Column, template: Template, units: Units, today: dt.date):
    kind = col.kind
    if kind == "int":
        return parse_int(raw, col)
    if kind == "number":
        return parse_number(raw, col)
    if kind == "unit":
        return parse_unit(raw, col, template, units).code
    if kind == "month":
        return parse_month(raw, col, today)
    if kind == "date":
        return parse_date(raw, col, today)
    if kind == "year":
        return parse_year(raw, col, today)
    if kind == "choice":
        return parse_choice(raw, col)
    return parse_text(raw, col)


def _check_total(present, row, r, columns, start, upto, labels, problem) -> None:
    """A 合计 row is not data; where it gives a figure, that figure must equal the sum of its span."""
    for col, j in present:
        if not col.summable or col.kind not in ("int", "number") or is_blank(row[j]):
            continue
        try:
            total = _number(row[j])
        except Bad:
            problem("合计行的值不是数字", "请修正合计行或删除合计行", r + 1, labels[j], show(row[j]))
            continue
        expected = float(np.nansum(columns[col.field][start:upto]))
        if abs(total - expected) > 1e-6:
            problem(f"合计行与上方各行之和（{show(expected)}）不一致",
                    "请核对上方各行和合计行的数字（合计行不会被导入，仅用于核对）", r + 1, labels[j], show(row[j]))


def _frame(template: Template, columns: dict[str, object]) -> pd.DataFrame:
    out = {}
    for col in template.columns:
        values = columns[col.field]
        if col.kind in ("int", "year"):
            mask = np.isnan(values)
            out[col.field] = pd.arrays.IntegerArray(np.where(mask, 0, values).astype("int64"), mask)
        elif col.kind == "number":
            out[col.field] = pd.arrays.FloatingArray(np.where(np.isnan(values), 0.0, values), np.isnan(values))
        elif col.kind in ("month", "date"):
            out[col.field] = pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[s]")
        else:
            out[col.field] = pd.Series(values, dtype="object")
    return pd.DataFrame(out)


def read_uploads(uploads: list[Upload], units: Units, today: dt.date | None = None) -> Parsed:
    """Parse and validate every file; all problems of all files are collected, nothing is written."""
    from data.config import TZ

    today = today or dt.datetime.now(TZ).date()
    batches: list[Batch] = []
    problems: list[Problem] = []
    notes: list[str] = []
    if len(uploads) > MAX_FILES:
        problems.append(Problem("（全部文件）", f"一次最多上传 {MAX_FILES} 个文件，本次选择了 {len(uploads)} 个", "请分批上传"))
        return Parsed([], problems, notes)
    seen_hashes: dict[str, str] = {}
    for upload in uploads:
        if upload.sha256 in seen_hashes and upload.data:
            problems.append(Problem(upload.name, f"与文件「{seen_hashes[upload.sha256]}」内容完全相同", "请只上传其中一个"))
            continue
        seen_hashes[upload.sha256] = upload.name
        try:
            sheets = read_sheets(upload)
        except Unreadable as e:
            problems.append(Problem(upload.name, e.reason, e.fix))
            continue
        found = False
        for sheet_name, rows in sheets:
            batch, sheet_problems = parse_sheet(upload.name, sheet_name, rows, units, today)
            problems.extend(sheet_problems)
            if batch is not None or sheet_problems:
                found = True
            if batch is not None:
                batches.append(batch)
            elif (not sheet_problems and sheet_name not in (GUIDE_SHEET, OPTIONS_SHEET)
                  and any(any(not is_blank(v) for v in row) for row in rows)):
                notes.append(f"文件「{upload.name}」工作表「{sheet_name}」不是填报模板，已跳过")
        if not found:
            names = "、".join(t.title for t in TEMPLATES.values())
            problems.append(Problem(upload.name, "没有找到任何填报模板的表头",
                                    f"请使用系统下载的模板（{names}），表头行需包含模板中的列名"))
    problems.extend(_duplicates(batches))
    return Parsed(batches, problems if problems else [], notes)


def _duplicates(batches: list[Batch]) -> list[Problem]:
    """The same identity twice in one upload is ambiguous: which row should win?"""
    problems = []
    for name in dict.fromkeys(b.template.name for b in batches):
        group = [b for b in batches if b.template.name == name]
        ids = list(group[0].template.identity)
        keys = pd.concat([b.frame[ids].assign(_b=i, _r=b.rows) for i, b in enumerate(group)], ignore_index=True)
        dup = keys.duplicated(ids, keep=False)
        if not dup.any():
            continue
        first: dict[tuple, tuple[Batch, int]] = {}
        for rec in keys[dup].itertuples(index=False):
            key, batch, row = tuple(rec[:len(ids)]), group[rec[-2]], rec[-1]
            if key not in first:
                first[key] = (batch, row)
                continue
            other, other_row = first[key]
            what = "月份" if batch.template.monthly else "记录"
            problems.append(Problem(
                batch.file, f"与文件「{other.file}」工作表「{other.sheet}」第{other_row}行重复（同一单位、同一{what}）",
                "同一次上传中每条记录只能出现一次，请删除其中一行", batch.sheet, row, batch.columns.get("unit")))
    return problems
