"""The generated blank templates: headers, hints, drop-down lists and numeric validation."""
from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest
import python_calamine

from data.config import TZ
from data.schema import TEMPLATES
from data.template_xlsx import template_bytes, write_template

HEADERS = {
    "village_monthly": [
        "村委会", "月份", "受理矛盾纠纷(件)", "化解矛盾纠纷(件)", "其中线上受理(件)", "调解员(人)",
        "法律明白人(人)", "法律明白人服务(次)", "法律顾问驻村(天)", "法律咨询(次)", "普法活动(场)",
        "普法受众(人次)", "满意度调查人数(人)", "其中满意(人)", "帮办代办上门服务(次)", "法治文化阵地(个)",
    ],
    "department_monthly": [
        "单位", "月份", "党委会议专题研究法治(次)", "班子会议审议法治事项(项)", "重大行政决策(项)",
        "其中经合法性审查(项)", "执法人员(人)", "其中持证(人)", "行政执法案件(件)", "案卷评查(卷)",
        "首违不罚及柔性执法(件)", "执法满意度调查人数(人)", "其中满意(人)", "法律援助初审(件)",
        "社区矫正对象(人)", "脱管漏管(人)", "安置帮教对象(人)", "其中已安置帮教(人)", "政务服务办件(件)",
        "其中限时办结(件)",
    ],
    "training_ledger": ["日期", "主办单位", "培训名称", "类别", "学时", "参训人数(人)", "考试人数(人)", "考试平均分(分)"],
    "appraisal_scores": ["年度", "被评议单位", "评议人类别", "评议人编号", "得分(分)"],
}


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {name: template_bytes(name) for name in TEMPLATES}


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def validation_of(wb: openpyxl.Workbook, column_letter: str):
    (dv,) = [dv for dv in wb.worksheets[0].data_validations.dataValidation if str(dv.sqref) == f"{column_letter}2:{column_letter}1000"]
    return dv


def list_values(wb: openpyxl.Workbook, dv) -> list[str]:
    """The drop-down entries a list validation points at on the options sheet."""
    sheet, cells = dv.formula1.split("!")
    return [c.value for row in wb[sheet.strip("'")][cells.replace("$", "")] for c in row]


def test_every_template_is_covered_by_these_tests():
    assert sorted(HEADERS) == sorted(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_header_row_is_the_schema_headers_with_their_units(files, name):
    ws = load(files[name]).worksheets[0]
    assert ws.title == TEMPLATES[name].title
    assert [c.value for c in ws[1]] == HEADERS[name]
    assert [c.header + (f"({c.unit})" if c.unit else "") for c in TEMPLATES[name].columns] == HEADERS[name]


@pytest.mark.parametrize("name", TEMPLATES)
def test_header_is_frozen_and_styled_and_nothing_is_below_it(files, name):
    ws = load(files[name]).worksheets[0]
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1
    assert all(c.font.b and c.alignment.wrap_text and c.border.bottom.style == "thin" for c in ws[1])


@pytest.mark.parametrize("name", TEMPLATES)
def test_calamine_reads_the_header_row_and_no_data_rows(files, name):
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(files[name]))
    assert book.get_sheet_by_name(TEMPLATES[name].title).to_python() == [HEADERS[name]]


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_header_cell_carries_its_hint_as_a_comment(files, name):
    ws = load(files[name]).worksheets[0]
    for cell, column in zip(ws[1], TEMPLATES[name].columns):
        assert column.hint in cell.comment.text
        assert "填写要求" in cell.comment.text


@pytest.mark.parametrize("name", TEMPLATES)
def test_instructions_sheet_lists_each_header_on_its_own_row(files, name):
    wb = load(files[name])
    assert wb.sheetnames == [TEMPLATES[name].title, "填写说明", "选项"]
    assert wb["选项"].sheet_state == "hidden"
    headers = {c.header for c in TEMPLATES[name].columns} | set(HEADERS[name])
    rows = list(wb["填写说明"].iter_rows(values_only=True))
    assert {c.header for c in TEMPLATES[name].columns} <= {row[0] for row in rows}
    assert all(len(set(row) & headers) <= 1 for row in rows)
    text = "\n".join(str(v) for row in rows for v in row if v)
    assert "未填报/不适用" in text and "替换" in text


def test_instructions_state_the_part_not_more_than_whole_rules(files):
    text = "\n".join(str(v) for row in load(files["village_monthly"])["填写说明"].iter_rows(values_only=True) for v in row if v)
    assert "化解矛盾纠纷不能大于受理矛盾纠纷" in text
    assert "其中满意不能大于满意度调查人数" in text
    assert "2025-03" in text


def test_options_sheet_holds_no_template_header(files):
    for name, data in files.items():
        values = {c.value for row in load(data)["选项"].iter_rows() for c in row}
        assert not values & {c.header for t in TEMPLATES.values() for c in t.columns}, name


def test_village_unit_column_offers_only_the_villages(files):
    wb = load(files["village_monthly"])
    dv = validation_of(wb, "A")
    assert dv.type == "list" and dv.showErrorMessage and dv.formula1.startswith("'选项'!")
    names = list_values(wb, dv)
    assert len(names) == 12 and "东山村" in names and "太平村" in names and "司法所" not in names


def test_department_unit_column_offers_only_the_departments(files):
    wb = load(files["department_monthly"])
    names = list_values(wb, validation_of(wb, "A"))
    assert len(names) == 8 and "司法所" in names and "东山村" not in names


@pytest.mark.parametrize("name", ["training_ledger", "appraisal_scores"])
def test_ledger_and_appraisal_unit_columns_offer_every_unit(files, name):
    wb = load(files[name])
    names = list_values(wb, validation_of(wb, "B"))
    assert len(names) == 20 and "东山村" in names and "插甸学校" in names


@pytest.mark.parametrize("name", ["village_monthly", "department_monthly"])
def test_month_column_offers_this_and_last_year_as_text(files, name):
    year = datetime.now(TZ).year
    wb = load(files[name])
    dv = validation_of(wb, "B")
    assert dv.type == "list"
    months = list_values(wb, dv)
    assert months == [f"{y}-{m:02d}" for y in (year - 1, year) for m in range(1, 13)]
    assert wb.worksheets[0].column_dimensions["B"].number_format == "@"


def test_advisor_days_accept_a_number_from_0_to_31(files):
    dv = validation_of(load(files["village_monthly"]), "I")
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "31")
    assert dv.showErrorMessage and dv.errorTitle == "输入有误" and dv.error == "请输入 0 到 31 之间的数字"


def test_dispute_counts_accept_whole_numbers_from_0(files):
    dv = validation_of(load(files["village_monthly"]), "C")
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "greaterThanOrEqual", "0", None)
    assert dv.error == "请输入不小于 0 的整数"


@pytest.mark.parametrize(
    "name, column, expected",
    [
        ("training_ledger", "F", ("whole", "greaterThanOrEqual", "1", None)),
        ("training_ledger", "G", ("whole", "greaterThanOrEqual", "0", None)),
        ("training_ledger", "H", ("decimal", "between", "0", "100")),
        ("appraisal_scores", "E", ("decimal", "between", "0", "100")),
        ("appraisal_scores", "A", ("whole", "between", "2000", "2100")),
        ("department_monthly", "T", ("whole", "greaterThanOrEqual", "0", None)),
    ],
)
def test_numeric_columns_carry_the_schema_ranges(files, name, column, expected):
    dv = validation_of(load(files[name]), column)
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == expected
    assert dv.showErrorMessage and dv.errorTitle == "输入有误"


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_int_and_number_column_is_validated(files, name):
    wb = load(files[name])
    for letter_index, column in enumerate(TEMPLATES[name].columns, start=1):
        if column.kind in ("int", "number"):
            dv = validation_of(wb, openpyxl.utils.get_column_letter(letter_index))
            assert dv.type in ("whole" if column.kind == "int" else "decimal", "custom"), column.field


def test_training_hours_must_be_above_0_and_at_most_24(files):
    dv = validation_of(load(files["training_ledger"]), "E")
    assert dv.type == "custom" and dv.formula1 == "AND(ISNUMBER(E2),E2>0,E2<=24)"
    assert dv.error == "请输入大于 0 且不超过 24 的数字"


def test_training_date_column_is_a_validated_date(files):
    wb = load(files["training_ledger"])
    dv = validation_of(wb, "A")
    assert (dv.type, dv.operator, dv.formula2) == ("date", "between", "TODAY()")
    assert wb.worksheets[0].column_dimensions["A"].number_format == "yyyy-mm-dd"


@pytest.mark.parametrize("name, column, choices", [
    ("training_ledger", "D", ["中心组学法", "班子会学法", "法治讲堂", "执法资格培训", "法律明白人培训", "调解员培训", "普法培训", "其他"]),
    ("appraisal_scores", "C", ["人大代表", "政协委员", "群众代表", "镇领导班子"]),
])
def test_choice_columns_offer_exactly_the_schema_choices(files, name, column, choices):
    wb = load(files[name])
    assert list_values(wb, validation_of(wb, column)) == choices


def test_a_filled_in_template_reads_back_as_header_and_data_rows(files):
    wb = load(files["village_monthly"])
    ws = wb.worksheets[0]
    ws.append(["东山村", "2025-03", 5, 5, 1])
    ws.append(["西河村", "2025-03"])
    out = io.BytesIO()
    wb.save(out)
    rows = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_name("村级法治工作月报").to_python()
    assert [row[:5] for row in rows[1:]] == [["东山村", "2025-03", 5, 5, 1], ["西河村", "2025-03", "", "", ""]]


def test_write_template_writes_to_a_path(tmp_path):
    path = tmp_path / "月报.xlsx"
    write_template("appraisal_scores", path)
    assert [c.value for c in openpyxl.load_workbook(path).worksheets[0][1]] == HEADERS["appraisal_scores"]


def test_an_unknown_template_name_is_refused_in_chinese():
    with pytest.raises(ValueError, match="未知的模板"):
        template_bytes("nope")
