"""The 填报 page, driven by AppTest through its real file uploader: check, preview, 确认导入, history, rollback, status."""
from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data import store
from data.importer import Upload
from data.schema import VILLAGE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = [c.header for c in VILLAGE.columns]
FULL = [5, 4, 1, 7, 5, 9, 4, 20, 2, 150, 30, 29, 6, 1]


@pytest.fixture
def db(tmp_path, monkeypatch) -> str:
    path = str(tmp_path / "fazhi.duckdb")
    monkeypatch.setenv("FAZHI_DB", path)
    return path


@pytest.fixture
def book(make_xlsx):
    """A village monthly report with a title row, as bytes: book(["东山村", "2025-03", ...], ...)."""
    return lambda *rows: make_xlsx({"月报": [["插甸镇2025年3月法治建设工作月报表"], HEADER, *[list(r) for r in rows]]})


def open_page(db) -> AppTest:
    at = AppTest.from_file("../dashboard.py", default_timeout=60).run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, XLSX) for name, data in files]).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def button_labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first dataframe on the page that has this column (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def current(db) -> list[tuple]:
    return store.rows("village_monthly", db=db)[["unit", "disputes_received", "disputes_resolved"]].values.tolist()


def test_the_page_has_the_four_sections_and_the_four_templates(db):
    at = open_page(db)
    assert [t.label for t in at.tabs] == ["上传报表", "下载模板", "上传记录", "填报情况"]
    assert [b.label for b in at.download_button] == ["村级法治工作月报", "镇直单位法治工作月报", "学法培训台账", "述职评议打分表"]
    assert at.file_uploader[0].accept_multiple_files and at.file_uploader[0].allowed_type == []


def test_a_bad_file_lists_every_problem_by_row_and_column_and_writes_nothing(db, book):
    at = upload(open_page(db), ("东山村3月.xlsx", book(["东山村", "2025-03", 5, 6, *FULL[2:]],
                                                     ["某某村", "2025-03", "五", *FULL[1:]])))
    assert texts(at, "error") == ["发现 3 处问题，本次没有导入任何数据。请按下表逐条修改后重新上传。"]
    table = at.table[0].value
    assert list(table.columns) == ["文件", "工作表", "行", "列", "填写的值", "问题", "怎么改"]
    assert table[["行", "列", "填写的值", "问题"]].values.tolist() == [
        ["3", "D「化解矛盾纠纷」", "6", "“化解矛盾纠纷”（6）大于“受理矛盾纠纷”（5）"],
        ["4", "A「村委会」", "某某村", "不是已配置的村"],
        ["4", "C「受理矛盾纠纷」", "五", "不是数字"],
    ]
    assert set(table["文件"]) == {"东山村3月.xlsx"} and set(table["工作表"]) == {"月报"}
    assert [b.label for b in at.download_button][0] == "下载标出错误的「东山村3月.xlsx」（错误单元格标红并附批注）"
    assert "确认导入" not in button_labels(at)
    assert store.history(db).empty


def test_a_file_of_the_wrong_format_gets_a_chinese_reason(db):
    at = upload(open_page(db), ("报表.txt", b"hello"))
    assert at.table[0].value[["文件", "问题"]].values.tolist() == [["报表.txt", "文件格式“.txt”不受支持"]]


def test_a_good_file_is_previewed_and_written_only_after_the_confirm_click(db, book):
    at = upload(open_page(db), ("3月.xlsx", book(["东山村", "2025-03", *FULL], ["西河村", "2025-03", *FULL])))
    assert texts(at, "success") == ["检查通过，尚未导入。请核对下面的内容，无误后点击“确认导入”。"]
    markdown = texts(at, "markdown")
    assert "**3月.xlsx** · 工作表「月报」 → **村级法治工作月报**" in markdown
    assert "单位：东山村、西河村　　月份：2025-03" in markdown
    assert ":green-badge[新增 2 行] :orange-badge[替换 0 行] :gray-badge[与已有相同 0 行]" in markdown
    assert store.history(db).empty and current(db) == []

    at.button(key="confirm_import").click().run()
    assert texts(at, "success") == ["导入成功（第 1 次上传）：新增 2 行，替换 0 行。"]
    assert current(db) == [["V01", 5, 4], ["V02", 5, 4]]
    assert store.history(db)[["id", "user_name", "files", "rows_added"]].values.tolist() == [[1, "本机用户", "3月.xlsx", 2]]
    assert at.file_uploader[0].value == []  # a fresh uploader for the next file


def test_a_corrected_month_shows_old_and_new_values_and_replaces_without_duplicates(db, book):
    store.import_files([Upload("3月.xlsx", book(["东山村", "2025-03", *FULL], ["西河村", "2025-03", *FULL]))], db)
    at = upload(open_page(db), ("3月更正.xlsx", book(["东山村", "2025-03", 7, 6, *FULL[2:]], ["西河村", "2025-03", *FULL])))
    assert ":green-badge[新增 0 行] :orange-badge[替换 1 行] :gray-badge[与已有相同 1 行]" in texts(at, "markdown")
    assert at.dataframe[0].value.values.tolist() == [["东山村", "2025年3月", "受理矛盾纠纷", "5", "7"],
                                                     ["东山村", "2025年3月", "化解矛盾纠纷", "4", "6"]]
    at.button(key="confirm_import").click().run()
    assert current(db) == [["V01", 7, 6], ["V02", 5, 4]]


def test_uploading_the_same_file_again_offers_nothing_to_import(db, book):
    data = book(["东山村", "2025-03", *FULL])
    store.import_files([Upload("3月.xlsx", data)], db)
    at = upload(open_page(db), ("3月.xlsx", data))
    assert texts(at, "info") == ["这些数据与系统中已有的完全相同，无需再次导入。"]
    assert "确认导入" not in button_labels(at)


def test_history_lists_uploads_and_the_rollback_dialog_restores_what_was_replaced(db, book):
    store.import_files([Upload("3月.xlsx", book(["东山村", "2025-03", *FULL]))], db, user="网页")
    store.import_files([Upload("3月更正.xlsx", book(["东山村", "2025-03", 7, 6, *FULL[2:]], ["西河村", "2025-03", *FULL]))],
                       db, user="网页")
    at = open_page(db)
    history = frame_with(at, "hash")
    assert history[["id", "user_name", "files", "rows_added", "rows_replaced", "state"]].values.tolist() == [
        [2, "网页", "3月更正.xlsx", 1, 1, "有效"], [1, "网页", "3月.xlsx", 1, 0, "有效"]]
    assert history["hash"].str.len().tolist() == [12, 12]
    assert [b.label for b in at.download_button][-1] == "下载原始文件「3月更正.xlsx」"

    at.button(key="rollback_open").click().run()
    assert "确定撤销 **第 2 次上传**（3月更正.xlsx）吗？" in texts(at, "markdown")[-1]
    assert current(db) == [["V01", 7, 6], ["V02", 5, 4]]  # the dialog alone changes nothing
    at.button(key="rollback_confirm").click().run()
    assert texts(at, "success")[0] == "已撤销第 2 次上传：它新增的 1 行已删除，它替换的 1 行已恢复为原来的数值。"
    assert current(db) == [["V01", 5, 4]]
    assert frame_with(at, "hash")["state"].str.startswith("已撤销").tolist() == [True, False]


def test_the_status_matrix_marks_a_village_that_has_not_reported(db, book):
    store.import_files([Upload("3月.xlsx", book(["东山村", "2025-03", *FULL]))], db)
    at = open_page(db)
    matrix = frame_with(at, "12月").set_index("单位")
    assert list(matrix.columns) == [f"{m}月" for m in range(1, 13)]
    assert matrix.loc["东山村", "3月"] == "逾期补报"  # uploaded today, long after 10 April 2025
    assert matrix.loc["西河村", "3月"] == "未报"
    assert matrix.loc["东山村", "2月"] == "未报"
    assert texts(at, "warning")[-1].startswith("需要催报：东山村（1月、2月、4月")
