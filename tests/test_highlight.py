"""The clerk's workbook with the bad cells marked: fill and comment on exactly the cells the problems name."""
from __future__ import annotations

import hashlib
import io
import zipfile

import openpyxl
import pytest

from pathlib import Path

from data.highlight import FILL, highlight_errors, highlighted_name
from data.importer import Problem, Upload, read_uploads
from data.schema import VILLAGE

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RED = FILL.fgColor.rgb


def marked_cells(data: bytes, sheet: str) -> dict[str, str]:
    """coordinate -> comment text of every commented cell of the sheet."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    return {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}


def filled_cells(data: bytes, sheet: str) -> set[str]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    return {c.coordinate for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == RED}


@pytest.fixture
def bad_book(make_xlsx) -> Upload:
    return Upload("东山村3月.xlsx", make_xlsx({"月报": [
        ["插甸镇2025年3月法治建设工作月报表"],
        [c.header for c in VILLAGE.columns],
        ["东山村", "2025-03", 5, 6, 1, 10, 5, 3, 4, 6, 2, 100, 10, 9, 1, 0],
        ["东山村", "2025-02", "五", 2, 0, 10, 5, 3, 4, 6, 2, 100, 10, 9, 1, 0],
    ]}, merged={"月报": ["A1:P1"]}))


def test_every_problem_cell_of_an_xlsx_gets_a_red_fill_and_a_comment_with_reason_and_fix(bad_book, units, today):
    problems = read_uploads([bad_book], units, today).problems
    marked = highlight_errors(bad_book, problems)
    assert marked_cells(marked, "月报") == {
        "D3": "填写的值：6\n问题：“化解矛盾纠纷”（6）大于“受理矛盾纠纷”（5）\n"
              "怎么改：“化解矛盾纠纷”是“受理矛盾纠纷”的一部分，不能超过它，请核对两个数",
        "C4": "填写的值：五\n问题：不是数字\n怎么改：请填写阿拉伯数字；不适用或未统计请留空，不要填“/”“无”或文字",
    }
    assert filled_cells(marked, "月报") == {"D3", "C4"}


def test_the_marked_copy_keeps_the_values_and_merged_title_and_the_upload_is_untouched(bad_book, units, today):
    before = hashlib.sha256(bad_book.data).hexdigest()
    marked = highlight_errors(bad_book, read_uploads([bad_book], units, today).problems)
    assert hashlib.sha256(bad_book.data).hexdigest() == before
    original = openpyxl.load_workbook(io.BytesIO(bad_book.data))["月报"]
    copy = openpyxl.load_workbook(io.BytesIO(marked))["月报"]
    assert [[c.value for c in r] for r in copy.iter_rows()] == [[c.value for c in r] for r in original.iter_rows()]
    assert [str(r) for r in copy.merged_cells.ranges] == ["A1:P1"]


def test_a_problem_without_a_column_marks_the_whole_row_and_comments_on_its_first_cell(make_xlsx):
    upload = Upload("a.xlsx", make_xlsx({"S": [["a", "b", "c"], [1, 2, 3]]}))
    marked = highlight_errors(upload, [Problem("a.xlsx", "这一行有数据，但没有填写村委会、月份", "请补填", "S", 2)])
    assert marked_cells(marked, "S") == {"A2": "问题：这一行有数据，但没有填写村委会、月份\n怎么改：请补填"}
    assert filled_cells(marked, "S") == {"A2", "B2", "C2"}


def test_two_problems_in_one_cell_share_one_comment(make_xlsx):
    upload = Upload("a.xlsx", make_xlsx({"S": [["a", "b"], [1, 2]]}))
    problems = [Problem("a.xlsx", "原因一", "", "S", 2, "B「b」", "2"), Problem("a.xlsx", "原因二", "改法二", "S", 2, "B「b」", "2")]
    assert marked_cells(highlight_errors(upload, problems), "S") == {"B2": "填写的值：2\n问题：原因一\n\n填写的值：2\n问题：原因二\n怎么改：改法二"}


def test_an_xlsm_stays_an_xlsm_with_its_macros(make_xlsx):
    plain = make_xlsx({"S": [["a"], [1]]})
    src, out = zipfile.ZipFile(io.BytesIO(plain)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            z.writestr(info, data)
        z.writestr("xl/vbaProject.bin", b"MACROS")
    upload = Upload("宏.xlsm", out.getvalue())
    marked = highlight_errors(upload, [Problem("宏.xlsm", "不是数字", "", "S", 2, "A「a」", "1")])
    assert zipfile.ZipFile(io.BytesIO(marked)).read("xl/vbaProject.bin") == b"MACROS"
    assert highlighted_name(upload) == "宏（已标注错误）.xlsm"


@pytest.mark.parametrize("name", ["office.xls", "office.ods"])
def test_an_xls_or_ods_comes_back_as_an_xlsx_of_its_values_with_the_cell_marked(name):
    upload = Upload(name, (FIXTURES / name).read_bytes())
    marked = highlight_errors(upload, [Problem(name, "不是数字", "请填写数字", "东山村", 4, "C「受理矛盾 纠纷（件）」", "１２")])
    ws = openpyxl.load_workbook(io.BytesIO(marked))["东山村"]
    assert (ws["A1"].value, ws["C4"].value) == ("插甸镇2025年3月法治建设工作月报表", "１２")
    assert marked_cells(marked, "东山村") == {"C4": "填写的值：１２\n问题：不是数字\n怎么改：请填写数字"}
    assert highlighted_name(upload) == "office（已标注错误）.xlsx"


def test_a_gbk_csv_comes_back_as_an_xlsx_sheet_named_after_the_file():
    upload = Upload("西河村.csv", "村委会,月份,受理矛盾纠纷\n西河村,2025-03,x\n".encode("gbk"))
    marked = highlight_errors(upload, [Problem("西河村.csv", "不是数字", "", "西河村", 2, "C「受理矛盾纠纷」", "x")])
    ws = openpyxl.load_workbook(io.BytesIO(marked))["西河村"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [["村委会", "月份", "受理矛盾纠纷"], ["西河村", "2025-03", "x"]]
    assert marked_cells(marked, "西河村") == {"C2": "填写的值：x\n问题：不是数字"}


def test_nothing_to_mark_gives_none(make_xlsx):
    upload = Upload("a.xlsx", make_xlsx({"S": [["a"]]}))
    whole_file = Problem("a.xlsx", "没有找到任何填报模板的表头", "请使用系统下载的模板")
    other_file = Problem("b.xlsx", "不是数字", "", "S", 2, "A「a」", "x")
    unknown_sheet = Problem("a.xlsx", "不是数字", "", "没有这张表", 2, "A「a」", "x")
    assert [highlight_errors(upload, [p]) for p in (whole_file, other_file, unknown_sheet)] == [None, None, None]
    assert highlight_errors(Upload("坏.xlsx", b"not a workbook"), [Problem("坏.xlsx", "已损坏", "", "S", 1, "A", "")]) is None
