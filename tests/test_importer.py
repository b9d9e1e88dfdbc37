"""Reading and validating uploads (SPEC §4, §4.5): messy real-world files import to the right
numbers; every bad input is rejected whole, with a Chinese message that says where, and the
database answers every query exactly as before."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest

from data.importer import MAX_FILE_BYTES, Upload, norm_header, parse_date, parse_month, read_uploads
from data.schema import APPRAISAL, DEPARTMENT, TEMPLATES, TRAINING, VILLAGE

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = dt.date(2026, 11, 26)
D = dt.date
HEAD = {name: [c.header for c in t.columns] for name, t in TEMPLATES.items()}
VH, DH, TH, AH = (HEAD[t.name] for t in (VILLAGE, DEPARTMENT, TRAINING, APPRAISAL))
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def row(template, *identity, **values) -> list:
    """A data row in template column order: identity cells first, named value cells, blanks elsewhere."""
    fields = template.fields
    cells = dict(zip(fields, identity)) | values
    assert set(cells) <= set(fields), set(cells) - set(fields)
    return [cells.get(f) for f in fields]


def vrow(unit, month, **values):
    return row(VILLAGE, unit, month, **values)


def drow(unit, month, **values):
    return row(DEPARTMENT, unit, month, **values)


def trow(date, unit, title, category="法治讲堂", hours=2, attendees=30, **values):
    return row(TRAINING, date, unit, title, category, hours, attendees, **values)


def arow(year, unit, evaluator_type="群众代表", evaluator_id="R01", score=90):
    return row(APPRAISAL, year, unit, evaluator_type, evaluator_id, score)


# --- messy files that must import, with the values a person would read off them --------------

TITLE = "插甸镇2025年3月法治建设工作月报表"
MESSY_HEADER = [
    "村委会", "月份", "受理矛盾\n纠纷（件）", "化解矛盾纠纷(件)", " 其中线上受理 ", "调解员（人）", "法律明白人",
    "法律明白人服务(次)", "法律顾问驻村\n(天)", "法律咨询", "普法活动(场)", "普法受众（人次）", "满意度调查人数",
    "其中满意(人)", "帮办代办上门服务", "法治文化阵地(个)",
]
FOOTER = "填报人：张三　审核人：李四　填报日期：2025年4月2日"


def messy_month_book(make_xlsx) -> bytes:
    """One sheet per village, written the way clerks really send them."""
    return make_xlsx({
        "东山村": [
            [TITLE],
            ["填报单位：东山村"],
            MESSY_HEADER,
            ["东山村委会", "2025-03", "１２", "10", 3, " 7 ", 5, 9, 4.5, 20, 2, 150, 30, 29, 6, 1],
            [],
            ["东山", "2025/2", 8, 8, None, 7, 5, 6, 4, 15, 1, 80, None, None, 2, 1],
            [" 东山村 ", "2025年1月", 0, 0, 0, 7, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            ["合计", None, 20, 18, 3, 21, 15, 15, 8.5, 35, 3, 230, 30, 29, 8, 2],
            [],
            [FOOTER],
            ["制表：王五", None, None, None, None, "单位负责人：赵六", None, None, None, None, "联系电话：0871-1234567"],
        ],
        "西河村": [
            VH,
            ["西河村", 202503, 4, 4, 1, 5, 3, 2, 3, 6, 1, 40, 10, 10, 1, 0],
            ["西河村委会", dt.datetime(2025, 2, 1), 2, 1, 0, 5, 3, 1, 2, 4, 0, 0, 5, 4, 0, 0],
            ["西河", "202501", None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        ],
        "说明": [["本表由各村填报，每月5日前报司法所。"]],
    }, merged={"东山村": ["A1:P1"]})


MESSY_ROWS = [
    ("V01", D(2025, 1, 1), 0, 0, 0, 7, 5, 0, 0.0, 0, 0, 0, 0, 0, 0, 0),
    ("V01", D(2025, 2, 1), 8, 8, None, 7, 5, 6, 4.0, 15, 1, 80, None, None, 2, 1),
    ("V01", D(2025, 3, 1), 12, 10, 3, 7, 5, 9, 4.5, 20, 2, 150, 30, 29, 6, 1),
    ("V02", D(2025, 1, 1), None, None, None, None, None, None, None, None, None, None, None, None, None, None),
    ("V02", D(2025, 2, 1), 2, 1, 0, 5, 3, 1, 2.0, 4, 0, 0, 5, 4, 0, 0),
    ("V02", D(2025, 3, 1), 4, 4, 1, 5, 3, 2, 3.0, 6, 1, 40, 10, 10, 1, 0),
]


def test_a_messy_workbook_imports_to_exactly_the_numbers_a_person_reads_off_it(do_import, make_xlsx, stored):
    result = do_import(Upload("插甸镇2025年3月月报.xlsx", messy_month_book(make_xlsx)))

    assert result.ok, [p.line() for p in result.problems]
    assert (result.added, result.replaced, result.unchanged) == (6, 0, 0)
    assert result.notes == ["文件「插甸镇2025年3月月报.xlsx」工作表「说明」不是填报模板，已跳过"]
    assert stored("village_monthly") == MESSY_ROWS


def test_the_quarter_totals_of_the_messy_workbook_equal_a_hand_calculation(do_import, make_xlsx, stored):
    do_import(Upload("月报.xlsx", messy_month_book(make_xlsx)))
    received, resolved, online = zip(*stored("village_monthly", "disputes_received", "disputes_resolved", "disputes_online"))

    # 东山 12 + 8 + 0, 西河 4 + 2 + blank; blanks are not reports and do not count as 0
    assert sum(v for v in received if v is not None) == 26
    assert sum(v for v in resolved if v is not None) == 23
    assert [v for v in online if v is not None] == [0, 3, 0, 1]


def test_rows_are_numbered_as_excel_shows_them_below_title_and_info_rows(do_import, make_xlsx, units):
    book = messy_month_book(make_xlsx)
    result = do_import(Upload("月报.xlsx", book), commit=False)

    assert [(p.sheet, p.units, p.periods) for p in result.plans] == [
        ("东山村", ["V01"], ["2025-01", "2025-02", "2025-03"]),
        ("西河村", ["V02"], ["2025-01", "2025-02", "2025-03"]),
    ]
    parsed = read_uploads([Upload("月报.xlsx", book)], units, TODAY)
    assert [(b.sheet, b.rows) for b in parsed.batches] == [("东山村", [4, 6, 7]), ("西河村", [2, 3, 4])]
    assert parsed.batches[0].columns["disputes_received"] == "C「受理矛盾 纠纷（件）」"


def test_legal_liaisons_and_their_services_are_different_columns_in_any_order(do_import, make_xlsx, stored):
    header = ["法律明白人服务", "月份", "村委会", "法律明白人"] + [h for h in VH if h not in ("法律明白人服务", "月份", "村委会", "法律明白人")]
    book = make_xlsx({"s": [header, [9, "2025-03", "东山村", 5]]})

    assert do_import(Upload("换列.xlsx", book)).ok
    assert stored("village_monthly", "unit", "legal_liaisons", "liaison_services") == [("V01", 5, 9)]


def test_an_info_row_naming_the_unit_is_not_taken_for_the_header(do_import, make_xlsx, stored):
    book = make_xlsx({"s": [["填报单位：东山村", "月份：2025年3月"], ["单位", "月份"], VH, vrow("东山村", "2025-03", disputes_received=1)]})

    assert do_import(Upload("村.xlsx", book)).ok
    assert stored("village_monthly", "unit", "month", "disputes_received") == [("V01", D(2025, 3, 1), 1)]


def test_a_department_export_with_only_its_own_columns_leaves_the_rest_null(do_import, make_xlsx, stored):
    book = make_xlsx({"司法所": [["司法所2025年3月报表"],
                                 ["单位", "月份", "社区矫正对象（人）", "脱管漏管（人）", "法律援助初审(件)"],
                                 ["司法所", "2025-03", 8, 0, 1],
                                 ["司法所", "2025-02", 7, None, None]]})

    assert do_import(Upload("司法所.xlsx", book)).ok
    assert stored("department_monthly") == [
        ("D02", D(2025, 2, 1)) + (None,) * 12 + (7, None) + (None,) * 4,
        ("D02", D(2025, 3, 1)) + (None,) * 11 + (1, 8, 0) + (None,) * 4,
    ]


def test_a_gbk_csv_from_a_department_imports(do_import, stored):
    text = "单位,月份,执法人员（人）,其中持证（人）,行政执法案件(件)\r\n派出所,2025年3月,6,5,12\r\n党政办公室,2025/3,,,\r\n"

    assert do_import(Upload("镇直单位3月.csv", text.encode("gbk"))).ok
    assert stored("department_monthly", "unit", "month", "enforcement_staff", "enforcement_certified",
                  "enforcement_cases", "major_decisions") == [
        ("D01", D(2025, 3, 1), None, None, None, None),
        ("D03", D(2025, 3, 1), 6, 5, 12, None),
    ]


def test_a_utf8_csv_with_a_byte_order_mark_imports(do_import, stored):
    text = "\ufeff" + ",".join(TH) + "\n2025年3月5日,东山村,普法讲座,普法培训,1.5,40,,\n"

    assert do_import(Upload("台账.csv", text.encode("utf-8"))).ok
    assert stored("training_ledger") == [(D(2025, 3, 5), "V01", "普法讲座", "普法培训", 1.5, 40, None, None)]


def test_training_dates_in_every_accepted_form_import(do_import, make_xlsx, stored):
    book = make_xlsx({"台账": [
        ["学法培训台账（2025年3月）"],
        TH,
        trow("2025-03-05", "司法所", "一"),
        trow("2025/3/6", "司法所", "二"),
        trow("2025年3月7日", "司法所", "三"),
        trow("20250308", "司法所", "四"),
        trow(20250309, "司法所", "五"),
        trow(dt.datetime(2025, 3, 10), "司法所", "六"),
        trow("２０２５－０３－１１", "司法所", "七"),
    ]})

    assert do_import(Upload("台账.xlsx", book)).ok
    assert stored("training_ledger", "date", "title") == [
        (D(2025, 3, 5), "一"), (D(2025, 3, 6), "二"), (D(2025, 3, 7), "三"), (D(2025, 3, 8), "四"),
        (D(2025, 3, 9), "五"), (D(2025, 3, 10), "六"), (D(2025, 3, 11), "七"),
    ]


def test_a_training_row_with_an_exam_stores_the_exam_and_one_without_stores_null(do_import, make_xlsx, stored):
    book = make_xlsx({"台账": [TH,
                               ["2025-03-05", "东山村委会", "  调解员  业务培训 ", "调解员培训", "3", "２５", 25, "98"],
                               ["2025-03-06", "党政办公室", "中心组学法", "中心组学法", 1.5, 18, None, None]]})

    assert do_import(Upload("台账.xlsx", book)).ok
    assert stored("training_ledger") == [
        (D(2025, 3, 5), "V01", "调解员 业务培训", "调解员培训", 3.0, 25, 25, 98.0),
        (D(2025, 3, 6), "D01", "中心组学法", "中心组学法", 1.5, 18, None, None),
    ]


def test_appraisal_years_in_every_accepted_form_import(do_import, make_xlsx, stored):
    book = make_xlsx({"评议": [AH,
                               arow(2025, "东山村", "人大代表", "R01", 95),
                               arow("2025年", "西河", "政协委员", "R02", "88.5"),
                               arow("２０２５", "司法所", "镇领导班子", "R03", 90)]})

    assert do_import(Upload("评议.xlsx", book)).ok
    assert stored("appraisal_scores") == [
        (2025, "D02", "镇领导班子", "R03", 90.0),
        (2025, "V01", "人大代表", "R01", 95.0),
        (2025, "V02", "政协委员", "R02", 88.5),
    ]


def test_one_workbook_may_hold_one_sheet_per_template(do_import, make_xlsx, stored):
    book = make_xlsx({"村": [VH, vrow("东山村", "2025-03", disputes_received=1)],
                      "所": [DH, drow("司法所", "2025-03", legal_aid_screened=2)],
                      "训": [TH, trow("2025-03-05", "司法所", "讲座")],
                      "评": [AH, arow(2025, "东山村")]})
    result = do_import(Upload("全部.xlsx", book))

    assert result.ok
    assert [(p.sheet, p.template.name, p.added) for p in result.plans] == [
        ("村", "village_monthly", 1), ("所", "department_monthly", 1), ("训", "training_ledger", 1), ("评", "appraisal_scores", 1)]
    assert stored("department_monthly", "unit", "legal_aid_screened") == [("D02", 2)]


def test_a_workbook_with_one_sheet_per_month_imports_every_month(do_import, make_xlsx, stored):
    book = make_xlsx({f"{m}月": [[f"插甸镇2025年{m}月法治建设工作月报表"], VH,
                                 vrow("东山村", f"2025年{m}月", disputes_received=m, disputes_resolved=m),
                                 vrow("西河村", f"2025年{m}月", disputes_received=10 * m, disputes_resolved=m)]
                      for m in (1, 2, 3)})

    assert do_import(Upload("一季度.xlsx", book)).added == 6
    assert stored("village_monthly", "unit", "month", "disputes_received", "disputes_resolved") == [
        ("V01", D(2025, 1, 1), 1, 1), ("V01", D(2025, 2, 1), 2, 2), ("V01", D(2025, 3, 1), 3, 3),
        ("V02", D(2025, 1, 1), 10, 1), ("V02", D(2025, 2, 1), 20, 2), ("V02", D(2025, 3, 1), 30, 3),
    ]


@pytest.mark.parametrize("name", ["office.xls", "office.ods"])
def test_a_file_saved_by_libreoffice_imports(name, do_import, stored):
    # tests/fixtures/make_office_fixtures.py wrote these once with LibreOffice's own .xls and .ods filters
    result = do_import(Upload(name, (FIXTURES / name).read_bytes()))

    assert result.ok, [p.line() for p in result.problems]
    assert stored("village_monthly") == [
        ("V01", D(2025, 2, 1), 8, 8, None, 7, 5, 6, 4.0, 15, 1, 80, None, None, 2, 1),
        ("V01", D(2025, 3, 1), 12, 10, 3, 7, 5, 9, 4.5, 20, 2, 150, 30, 29, 6, 1),
    ]
    assert stored("training_ledger") == [
        (D(2025, 3, 5), "D02", "民法典专题讲座", "法治讲堂", 2.0, 45, 40, 96.5),
        (D(2025, 3, 12), "D01", "中心组学法（第一季度）", "中心组学法", 1.5, 18, None, None),
        (D(2025, 3, 20), "V01", "调解员业务培训", "调解员培训", 3.0, 25, 25, 98.0),
    ]


def test_an_xlsm_imports_like_an_xlsx(do_import, make_xlsx, stored):
    assert do_import(Upload("宏.xlsm", make_xlsx({"s": [VH, vrow("南坝村", "2025-03", mediators=3)]}))).ok
    assert stored("village_monthly", "unit", "mediators") == [("V03", 3)]


def test_a_row_with_unit_and_month_but_no_values_is_a_report_with_null_values(do_import, make_xlsx, stored):
    book = make_xlsx({"s": [VH, ["南坝村", "2025-03"], ["东山村", "2025-03", 0]]})

    assert do_import(Upload("空.xlsx", book)).added == 2
    assert stored("village_monthly", "unit", "disputes_received", "mediators") == [("V01", 0, None), ("V03", None, None)]


def test_a_grand_total_below_subtotals_is_checked_against_all_rows(do_import, make_xlsx):
    book = make_xlsx({"s": [VH,
                            vrow("东山村", "2025-03", disputes_received=2),
                            vrow("西河村", "2025-03", disputes_received=3),
                            ["小计", None, 5],
                            vrow("南坝村", "2025-03", disputes_received=4),
                            ["小计", None, 4],
                            ["总计", None, 9]]})

    result = do_import(Upload("分片.xlsx", book))

    assert result.ok, [p.line() for p in result.problems]


def test_a_footer_row_spread_over_the_unit_and_month_columns_is_skipped(do_import, make_xlsx, stored):
    book = make_xlsx({"s": [VH, vrow("东山村", "2025-03", disputes_received=1),
                            ["填报人：张三", "审核人：李四", None, None, None, "填报日期：2025年4月2日"]]})

    result = do_import(Upload("页脚.xlsx", book))

    assert result.ok, [p.line() for p in result.problems]
    assert stored("village_monthly", "unit", "disputes_received") == [("V01", 1)]


@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_a_count_too_large_for_the_database_is_rejected_not_wrapped_negative(baseline, do_import, make_xlsx, snapshot):
    book = make_xlsx({"s": [VH, vrow("东山村", "2025-04", disputes_received=1e20, disputes_resolved=1e20)]})

    result = do_import(Upload("巨大.xlsx", book))

    assert not result.ok
    assert snapshot() == baseline


# --- single cells -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ("受理矛盾\n纠纷（件）", "受理矛盾纠纷"),
    ("  法律明白人服务(次) ", "法律明白人服务"),
    ("法律明白人", "法律明白人"),
    ("普法受众（人次）", "普法受众"),
    ("填报单位：东山村", "填报单位:东山村"),
    (TITLE, TITLE),
    (2025, ""),
])
def test_header_cells_are_compared_whole_after_normalising(text, key):
    assert norm_header(text) == key


@pytest.mark.parametrize("value", [
    "2025-03", "2025/3", "2025年3月", "202503", 202503, 202503.0, "2025-3", " 2025年03月 ", "２０２５年３月",
    dt.datetime(2025, 3, 1), dt.date(2025, 3, 17), "2025-03-17",
])
def test_every_accepted_way_of_writing_march_2025_reads_as_march_2025(value):
    assert parse_month(value, VILLAGE.column("month"), TODAY) == D(2025, 3, 1)


@pytest.mark.parametrize("value", [
    "2025-03-05", "2025/3/5", "2025年3月5日", "20250305", 20250305, "２０２５／３／５", dt.datetime(2025, 3, 5, 0, 0), dt.date(2025, 3, 5),
])
def test_every_accepted_way_of_writing_5_march_2025_reads_as_that_day(value):
    assert parse_date(value, TRAINING.column("date"), TODAY) == D(2025, 3, 5)


def test_the_current_month_and_today_are_not_in_the_future():
    assert parse_month("2026-11", VILLAGE.column("month"), TODAY) == D(2026, 11, 1)
    assert parse_date("2026-11-26", TRAINING.column("date"), TODAY) == TODAY


# --- bad inputs: rejected whole, precisely, in Chinese; the database unchanged ----------------


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 10_000_000)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


V_OK = vrow("东山村", "2025-04", disputes_received=3, disputes_resolved=3)
C, D_, I_ = "C「受理矛盾纠纷」", "D「化解矛盾纠纷」", "I「法律顾问驻村」"

# id, {file name: xlsx sheets (dict) or raw bytes}, [(file, sheet, row, column, value, reason)]
BAD = [
    ("corrupt zip", {"坏.xlsx": b"PK\x03\x04" + b"\x00" * 40},
     [("坏.xlsx", None, None, None, None, "文件已损坏，无法打开")]),
    ("text renamed to xlsx", {"假.xlsx": "村委会,月份\n".encode()},
     [("假.xlsx", None, None, None, None, "文件已损坏或不是有效的表格文件，无法打开")]),
    ("zip bomb", {"炸弹.xlsx": zip_bomb()},
     [("炸弹.xlsx", None, None, None, None, "文件解压后异常庞大，疑似恶意文件，已拒绝")]),
    ("empty file", {"空.xlsx": b""}, [("空.xlsx", None, None, None, None, "文件是空的（0 字节）")]),
    ("file too large", {"大.xlsx": bytes(MAX_FILE_BYTES + 1)}, [("大.xlsx", None, None, None, None, "文件超过 20 MB 的上限")]),
    ("pdf", {"报表.pdf": b"%PDF-1.4"}, [("报表.pdf", None, None, None, None, "文件格式“.pdf”不受支持")]),
    ("xlsb", {"报表.xlsb": b"PK\x03\x04"}, [("报表.xlsb", None, None, None, None, "文件格式“.xlsb”不受支持")]),
    ("no extension", {"报表": b"x"}, [("报表", None, None, None, None, "文件格式“（无扩展名）”不受支持")]),
    ("wps et", {"报表.et": b"\xd0\xcf\x11\xe0"}, [("报表.et", None, None, None, None, "是 WPS 表格专用格式（.et），无法直接读取")]),
    ("utf-16 csv", {"unicode.csv": "村委会\t月份\n".encode("utf-16")},
     [("unicode.csv", None, None, None, None, "文本编码无法识别")]),
    ("no template header", {"名单.xlsx": {"s": [["姓名", "电话"], ["张三", "123"]]}},
     [("名单.xlsx", None, None, None, None, "没有找到任何填报模板的表头")]),
    ("text in a number cell", {"v.xlsx": {"s": [VH, vrow("东山村", "2025-03", disputes_received="五")]}},
     [("v.xlsx", "s", 2, C, "五", "不是数字")]),
    ("slash for not applicable", {"v.xlsx": {"s": [VH, vrow("东山村", "2025-03", mediators="/")]}},
     [("v.xlsx", "s", 2, "F「调解员」", "/", "不是数字")]),
    ("fraction in a count", {"v.xlsx": {"s": [VH, vrow("东山村", "2025-03", disputes_received=2.5)]}},
     [("v.xlsx", "s", 2, C, "2.5", "不是整数")]),
    ("negative count", {"v.xlsx": {"s": [VH, vrow("东山村", "2025-03", consultations=-1)]}},
     [("v.xlsx", "s", 2, "J「法律咨询」", "-1", "超出允许范围（应不小于0）")]),
    ("advisor days over 31", {"v.xlsx": {"s": [VH, vrow("东山村", "2025-03", advisor_days=32)]}},
     [("v.xlsx", "s", 2, I_, "32", "超出允许范围（应在0到31之间）")]),
    ("boolean in a count", {"v.xlsx": {"s": [VH, vrow("东山村", "2025-03", mediators=True)]}},
     [("v.xlsx", "s", 2, "F「调解员」", "True", "不是数字")]),
    ("unknown village", {"v.xlsx": {"s": [VH, vrow("月亮村", "2025-03")]}},
     [("v.xlsx", "s", 2, "A「村委会」", "月亮村", "不是已配置的村")]),
    ("department in the village template", {"v.xlsx": {"s": [VH, vrow("司法所", "2025-03")]}},
     [("v.xlsx", "s", 2, "A「村委会」", "司法所", "是镇直单位，不是村")]),
    ("village in the department template", {"d.xlsx": {"s": [DH, drow("东山村", "2025-03")]}},
     [("d.xlsx", "s", 2, "A「单位」", "东山村", "是村，不是镇直单位")]),
    ("name shared by two townships", {"v.xlsx": {"s": [VH, vrow("龙潭村", "2025-03")]}},
     [("v.xlsx", "s", 2, "A「村委会」", "龙潭村", "与多个单位同名（插甸镇龙潭村、河口镇龙潭村）")]),
    ("future month", {"v.xlsx": {"s": [VH, vrow("东山村", "2026-12")]}},
     [("v.xlsx", "s", 2, "B「月份」", "2026-12", "是未来的月份")]),
    ("future month as an Excel date", {"v.xlsx": {"s": [VH, vrow("东山村", dt.datetime(2027, 1, 1))]}},
     [("v.xlsx", "s", 2, "B「月份」", "2027-01-01", "是未来的月份")]),
    ("month with a dot", {"v.xlsx": {"s": [VH, vrow("东山村", "2025.3")]}},
     [("v.xlsx", "s", 2, "B「月份」", "2025.3", "不是可识别的月份")]),
    ("month 13", {"v.xlsx": {"s": [VH, vrow("东山村", "2025-13")]}},
     [("v.xlsx", "s", 2, "B「月份」", "2025-13", "月份不在1到12之间")]),
    ("month before 2000", {"v.xlsx": {"s": [VH, vrow("东山村", "1999-12")]}},
     [("v.xlsx", "s", 2, "B「月份」", "1999-12", "年份早于2000年")]),
    ("blank month", {"v.xlsx": {"s": [VH, vrow("东山村", None, disputes_received=1)]}},
     [("v.xlsx", "s", 2, "B「月份」", "", "“月份”不能为空")]),
    ("blank unit", {"v.xlsx": {"s": [VH, vrow(None, "2025-03", disputes_received=1)]}},
     [("v.xlsx", "s", 2, "A「村委会」", "", "“村委会”不能为空")]),
    ("values without unit or month", {"v.xlsx": {"s": [VH, V_OK, vrow(None, None, disputes_received=1)]}},
     [("v.xlsx", "s", 3, None, None, "这一行有数据，但没有填写村委会、月份")]),
    ("future training date", {"t.xlsx": {"s": [TH, trow("2026-11-27", "司法所", "讲座")]}},
     [("t.xlsx", "s", 2, "A「日期」", "2026-11-27", "是未来的日期")]),
    ("30 February", {"t.xlsx": {"s": [TH, trow("2025-02-30", "司法所", "讲座")]}},
     [("t.xlsx", "s", 2, "A「日期」", "2025-02-30", "不是有效日期")]),
    ("month in a date column", {"t.xlsx": {"s": [TH, trow("2025-03", "司法所", "讲座")]}},
     [("t.xlsx", "s", 2, "A「日期」", "2025-03", "不是可识别的日期")]),
    ("category not in the list", {"t.xlsx": {"s": [TH, trow("2025-03-05", "司法所", "讲座", category="讲座")]}},
     [("t.xlsx", "s", 2, "D「类别」", "讲座", "不是允许的选项")]),
    ("zero hours", {"t.xlsx": {"s": [TH, trow("2025-03-05", "司法所", "讲座", hours=0)]}},
     [("t.xlsx", "s", 2, "E「学时」", "0", "超出允许范围（应大于0且不超过24）")]),
    ("no attendees", {"t.xlsx": {"s": [TH, trow("2025-03-05", "司法所", "讲座", attendees=0)]}},
     [("t.xlsx", "s", 2, "F「参训人数」", "0", "超出允许范围（应不小于1）")]),
    ("blank title", {"t.xlsx": {"s": [TH, trow("2025-03-05", "司法所", None)]}},
     [("t.xlsx", "s", 2, "C「培训名称」", "", "“培训名称”不能为空")]),
    ("exam mean over 100", {"t.xlsx": {"s": [TH, trow("2025-03-05", "司法所", "讲座", exam_takers=30, exam_mean=101)]}},
     [("t.xlsx", "s", 2, "H「考试平均分」", "101", "超出允许范围（应在0到100之间）")]),
    ("exam takers without a mean", {"t.xlsx": {"s": [TH, trow("2025-03-05", "司法所", "讲座", exam_takers=30)]}},
     [("t.xlsx", "s", 2, "H「考试平均分」", "", "填写了“考试人数”，但“考试平均分”为空")]),
    ("exam mean without takers", {"t.xlsx": {"s": [TH, trow("2025-03-05", "司法所", "讲座", exam_mean=90)]}},
     [("t.xlsx", "s", 2, "G「考试人数」", "", "填写了“考试平均分”，但“考试人数”为空")]),
    ("score over 100", {"a.xlsx": {"s": [AH, arow(2025, "东山村", score=101)]}},
     [("a.xlsx", "s", 2, "E「得分」", "101", "超出允许范围（应在0到100之间）")]),
    ("unknown evaluator type", {"a.xlsx": {"s": [AH, arow(2025, "东山村", evaluator_type="村民")]}},
     [("a.xlsx", "s", 2, "C「评议人类别」", "村民", "不是允许的选项")]),
    ("future year", {"a.xlsx": {"s": [AH, arow(2027, "东山村")]}},
     [("a.xlsx", "s", 2, "A「年度」", "2027", "年度不在2000年到今年之间")]),
    ("missing village column", {"v.xlsx": {"s": [VH[:-1], V_OK[:-1]]}},
     [("v.xlsx", "s", 1, None, None, "识别为“村级法治工作月报”，但缺少必需的列：法治文化阵地")]),
    ("numerator column without its denominator column",
     {"d.xlsx": {"s": [["单位", "月份", "其中持证"], ["司法所", "2025-03", 5]]}},
     [("d.xlsx", "s", 1, "C「其中持证」", None, "有“其中持证”列但没有“执法人员”列")]),
    ("satisfied column without survey column",
     {"d.xlsx": {"s": [["单位", "月份", "其中满意"], ["司法所", "2025-03", 5]]}},
     [("d.xlsx", "s", 1, "C「其中满意」", None, "有“其中满意”列但没有“执法满意度调查人数”列")]),
    ("header twice", {"d.xlsx": {"s": [["单位", "月份", "法律援助初审", "法律援助初审(件)"], ["司法所", "2025-03", 1, 1]]}},
     [("d.xlsx", "s", 1, "D「法律援助初审(件)」", None, "表头“法律援助初审”出现了两次")]),
    ("wrong total", {"v.xlsx": {"s": [VH, vrow("东山村", "2025-03", disputes_received=2),
                                      vrow("西河村", "2025-03", disputes_received=3), ["合计", None, 6]]}},
     [("v.xlsx", "s", 4, C, "6", "合计行与上方各行之和（5）不一致")]),
    ("text in a total", {"v.xlsx": {"s": [VH, vrow("东山村", "2025-03", disputes_received=2), ["合 计", None, "两件"]]}},
     [("v.xlsx", "s", 3, C, "两件", "合计行的值不是数字")]),
    ("same village and month twice on one sheet",
     {"v.xlsx": {"s": [VH, vrow("东山村", "2025-03"), vrow("东山村委会", "2025年3月")]}},
     [("v.xlsx", "s", 3, "A「村委会」", None, "与文件「v.xlsx」工作表「s」第2行重复（同一单位、同一月份）")]),
    ("same village and month in two files",
     {"一.xlsx": {"s": [VH, vrow("东山村", "2025-03")]}, "二.xlsx": {"t": [VH, vrow("东山", "202503", mediators=1)]}},
     [("二.xlsx", "t", 2, "A「村委会」", None, "与文件「一.xlsx」工作表「s」第2行重复（同一单位、同一月份）")]),
    ("bad row on the second sheet of a good workbook",
     {"月报.xlsx": {"东山村": [VH, V_OK], "西河村": [[TITLE], VH, vrow("西河村", "2025-04"),
                                                   vrow("西河村", "2025-05", disputes_received=1, disputes_resolved=2)]}},
     [("月报.xlsx", "西河村", 4, D_, "2", "“化解矛盾纠纷”（2）大于“受理矛盾纠纷”（1）")]),
    ("a good file beside a bad one",
     {"好.xlsx": {"s": [VH, V_OK]}, "坏.csv": csv_bytes([VH, vrow("西河村", "2025-04", advisor_days="四")], "gbk")},
     [("坏.csv", "坏", 2, I_, "四", "不是数字")]),
    ("the same file twice", {"a.csv": csv_bytes([VH, V_OK]), "a的副本.csv": csv_bytes([VH, V_OK])},
     [("a的副本.csv", None, None, None, None, "与文件「a.csv」内容完全相同")]),
]


def build(files: dict, make_xlsx) -> list[Upload]:
    return [Upload(name, make_xlsx(content) if isinstance(content, dict) else content) for name, content in files.items()]


def where(problem) -> tuple:
    return problem.file, problem.sheet, problem.row, problem.column, problem.value, problem.reason


@pytest.mark.parametrize("files, expected", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_upload_is_rejected_whole_with_the_place_and_reason_and_the_database_is_unchanged(
        files, expected, baseline, do_import, make_xlsx, snapshot):

    result = do_import(*build(files, make_xlsx))

    assert not result.ok
    assert [where(p) for p in result.problems] == expected
    for problem in result.problems:
        line = problem.line()
        assert line.startswith(f"文件「{problem.file}」") and CHINESE.search(problem.reason), line
        if problem.row is not None:
            assert f"第{problem.row}行" in line
        if problem.column is not None:
            assert f"{problem.column}列" in line
    assert result.upload_id is None
    assert snapshot() == baseline


def test_there_are_at_least_25_distinct_bad_inputs():
    assert len({case[0] for case in BAD}) == len(BAD) >= 25


def test_more_than_30_files_at_once_are_refused_before_any_is_read(baseline, do_import, snapshot):
    result = do_import(*[Upload(f"{i}.xlsx", bytes([i])) for i in range(31)])

    assert [where(p) for p in result.problems] == [
        ("（全部文件）", None, None, None, None, "一次最多上传 30 个文件，本次选择了 31 个")]
    assert snapshot() == baseline


def test_an_unsupported_format_is_told_which_formats_are_read(do_import):
    (problem,) = do_import(Upload("报表.numbers", b"x")).problems

    assert problem.line() == "文件「报表.numbers」：文件格式“.numbers”不受支持。请上传以下格式之一：.xlsx、.xlsm、.xls、.ods、.csv。"


def test_a_wps_et_file_is_asked_to_be_saved_as_xlsx(do_import):
    (problem,) = do_import(Upload("报表.et", b"x")).problems

    assert problem.line() == "文件「报表.et」：是 WPS 表格专用格式（.et），无法直接读取。请在 WPS 中“另存为” Excel 文件（.xlsx）后再上传。"


def test_every_error_of_every_sheet_is_reported_at_once(baseline, do_import, make_xlsx, snapshot):
    book = make_xlsx({"一": [VH, vrow("月亮村", "2025-03"), vrow("东山村", "2026-12", mediators="x")],
                      "二": [TH, trow("2025-03-05", "司法所", "讲座", hours=25)]})

    result = do_import(Upload("多处.xlsx", book))

    assert sorted(where(p)[1:] for p in result.problems) == [
        ("一", 2, "A「村委会」", "月亮村", "不是已配置的村"),
        ("一", 3, "B「月份」", "2026-12", "是未来的月份"),
        ("一", 3, "F「调解员」", "x", "不是数字"),
        ("二", 2, "E「学时」", "25", "超出允许范围（应大于0且不超过24）"),
    ]
    assert snapshot() == baseline


def _rule_cases():
    for template, make in ((VILLAGE, vrow), (DEPARTMENT, drow)):
        for rule in template.rules:
            yield pytest.param(template, make, rule, id=f"{rule.lhs}<={rule.rhs}")
    yield pytest.param(TRAINING, None, TRAINING.rules[0], id="exam_takers<=attendees")


@pytest.mark.parametrize("template, make, rule", list(_rule_cases()))
def test_every_part_larger_than_its_whole_is_rejected_at_the_part(template, make, rule, baseline, do_import, make_xlsx, snapshot):
    lhs, rhs = template.column(rule.lhs), template.column(rule.rhs)
    unit = {"village": "东山村", "department": "司法所"}.get(template.unit_kind)
    data = make(unit, "2025-04", **{rule.lhs: 5, rule.rhs: 4}) if make else trow("2025-04-01", "司法所", "讲座", attendees=4, exam_takers=5, exam_mean=90)
    letter = chr(ord("A") + template.fields.index(rule.lhs))

    result = do_import(Upload("规则.xlsx", make_xlsx({"表": [HEAD[template.name], data]})))

    assert [where(p) for p in result.problems] == [
        ("规则.xlsx", "表", 2, f"{letter}「{lhs.header}」", "5", f"“{lhs.header}”（5）大于“{rhs.header}”（4）")]
    assert snapshot() == baseline


@pytest.mark.parametrize("template, make, rule", [p for p in _rule_cases() if p.values[1] is not None])
def test_every_part_given_without_its_whole_is_rejected_at_the_whole(template, make, rule, baseline, do_import, make_xlsx, snapshot):
    lhs, rhs = template.column(rule.lhs), template.column(rule.rhs)
    unit = {"village": "东山村", "department": "司法所"}[template.unit_kind]
    letter = chr(ord("A") + template.fields.index(rule.rhs))

    result = do_import(Upload("规则.xlsx", make_xlsx({"表": [HEAD[template.name], make(unit, "2025-04", **{rule.lhs: 1})]})))

    assert [where(p) for p in result.problems] == [
        ("规则.xlsx", "表", 2, f"{letter}「{rhs.header}」", "", f"填写了“{lhs.header}”，但“{rhs.header}”为空")]
    assert snapshot() == baseline


def test_a_csv_with_a_runaway_quote_is_rejected_with_a_message_not_a_traceback(baseline, do_import, snapshot):
    text = ",".join(VH) + "\n" + '东山村,2025-03,"1\n' + "东山村,2025-03,1\n" * 20_000

    result = do_import(Upload("引号.csv", text.encode("utf-8")))

    assert not result.ok and all(p.file == "引号.csv" for p in result.problems)
    assert snapshot() == baseline


def test_a_formula_error_in_a_number_cell_is_rejected_not_stored_as_blank(baseline, do_import, make_xlsx, snapshot):
    result = do_import(Upload("公式.xlsx", make_xlsx({"s": [VH, vrow("东山村", "2025-04", disputes_received="#DIV/0!")]})))

    assert [where(p)[1:5] for p in result.problems] == [("s", 2, C, "#DIV/0!")]
    assert snapshot() == baseline


def test_a_blank_template_with_no_data_rows_is_rejected_and_not_logged(baseline, do_import, make_xlsx, snapshot):
    result = do_import(Upload("空白模板.xlsx", make_xlsx({"村级法治工作月报": [VH]})))

    assert not result.ok
    assert snapshot() == baseline
