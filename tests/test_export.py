"""Exports: slides with native charts, a workbook that runs no formula, a report draft with `show`'s figures."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import pytest
from docx import Document
from docx.oxml.ns import qn as w_qn
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from streamlit.testing.v1 import AppTest

from data.config import ROOT, TOWN, Units, load_units
from data.sample import load_sample
from metrics import export
from metrics.__main__ import main as cli_main
from metrics.catalogue import BY_CODE, CATALOGUE, HEADLINE
from metrics.periods import parse_period

YEAR = parse_period("2025")
FOOTER = "数据来源：法治指标看板（各村、镇直单位月报） · 期间：2025年 · 示例数据"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("export") / "sample.duckdb"
    assert load_sample(db).ok
    return db


@pytest.fixture(scope="module")
def shown(sample_db) -> dict:
    """`python -m metrics show --json` for the sample year: {code: {unit name: value}}."""
    done = cli("show", "--period", "2025", "--db", str(sample_db), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["values"]


@pytest.fixture(scope="module")
def slides(sample_db):
    return Presentation(io.BytesIO(export.export_pptx(YEAR, sample_db)))


@pytest.fixture(scope="module")
def workbook(sample_db):
    return load_workbook(io.BytesIO(export.export_xlsx(YEAR, sample_db)))


@pytest.fixture(scope="module")
def report(sample_db):
    return Document(io.BytesIO(export.export_docx(YEAR, sample_db)))


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def slide_text(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


# --- pptx ------------------------------------------------------------------------------------


def test_the_slides_are_16_9_and_open_with_a_title_slide_naming_town_period_date_and_source(slides):
    first = slide_text(slides.slides[0])
    assert (round(slides.slide_width / slides.slide_height, 2), slides.slides[0].shapes.title.text) == (
        1.78, "插甸镇法治建设考核 · 2025年")
    assert re.search(r"生成日期：\d{4}年\d{1,2}月\d{1,2}日", first)
    assert "数据来源：法治指标看板（各村、镇直单位月报）" in first and "示例数据" in first


def test_there_is_a_slide_per_headline_indicator_and_one_per_ranking(slides):
    titles = [s.shapes.title.text for s in slides.slides]
    assert [t.split("：")[0] for t in titles[2:6]] == [BY_CODE[c].name for c in HEADLINE]
    assert titles[6:] == ["各村法治建设考核得分排名", "镇直单位法治建设考核得分排名"]
    assert titles[2] == "矛盾纠纷化解率：100.0%，达标"


def test_every_chart_is_a_native_chart_and_no_slide_holds_a_picture(slides):
    shapes = [shape for slide in slides.slides for shape in slide.shapes]
    charts = [s for s in shapes if s.has_chart]
    assert (len(charts), [s for s in shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]) == (6, [])
    assert all(any(s.has_chart for s in slide.shapes) for slide in list(slides.slides)[2:])


def test_every_slide_carries_the_source_and_period_footer(slides):
    assert [FOOTER in slide_text(s) for s in slides.slides] == [True] * len(slides.slides)


def test_titles_are_at_least_32pt_other_text_at_least_20pt_and_every_run_has_an_east_asian_font(slides):
    small, no_ea = [], []
    for slide in slides.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame:
                continue
            floor = 32 if shape == slide.shapes.title else 14 if shape.text_frame.text == FOOTER else 20
            for para in shape.text_frame.paragraphs:
                for run in para.runs:
                    if run.font.size is None or run.font.size.pt < floor:
                        small.append(run.text)
                    ea = run.font._rPr.find(qn("a:ea"))
                    if ea is None or ea.get("typeface") != "Microsoft YaHei":
                        no_ea.append(run.text)
    assert (small, no_ea) == ([], [])


def test_chart_text_is_set_in_an_east_asian_font_at_20pt(slides):
    for chart in (s.chart for slide in slides.slides for s in slide.shapes if s.has_chart):
        rpr = chart._chartSpace.find(qn("c:txPr")).find(".//" + qn("a:defRPr"))
        assert (rpr.find(qn("a:ea")).get("typeface"), rpr.get("sz")) == ("Microsoft YaHei", "2000")


def test_the_village_ranking_charts_every_village_best_at_the_top_with_its_score_as_label(slides, shown):
    chart = next(s.chart for s in slides.slides[6].shapes if s.has_chart)
    plot = chart.plots[0]
    villages = [u.name for u in load_units().of_kind("village")]
    assert sorted(c.split(". ")[1] for c in plot.categories) == sorted(villages)
    assert list(plot.categories)[-1].startswith("1. ")  # a bar chart draws the last category at the top
    labels = plot.series[0].data_labels
    assert (labels.show_value, labels.number_format) == (True, "#,##0.0")
    scores = {name: v for name, v in shown["rule_of_law_score"].items() if name in villages}
    assert {c.split(". ")[1]: v for c, v in zip(plot.categories, plot.series[0].values)} == pytest.approx(scores)
    assert "一票否决：无" in slide_text(slides.slides[6])


# --- xlsx ------------------------------------------------------------------------------------


def test_the_workbook_has_one_sheet_per_view_each_with_a_frozen_chinese_header_and_the_sample_label(workbook):
    assert workbook.sheetnames == ["全镇指标", "各村", "镇直单位", "考核得分", "指标说明"]
    assert [(ws.freeze_panes, ws["A2"].value, "示例数据" in ws["A1"].value) for ws in workbook] == [
        ("C3", "指标", True), ("C3", "期间", True), ("C3", "期间", True), ("C3", "排名", True), ("C3", "指标代码", True)]


def test_a_rate_is_a_number_with_a_percent_format_and_a_count_a_number_too(workbook, shown):
    town = workbook["全镇指标"]
    rows = {town.cell(r, 1).value: r for r in range(3, town.max_row + 1)}
    rate, count = town.cell(rows["群众满意度"], 3), town.cell(rows["受理矛盾纠纷数"], 3)
    assert (rate.data_type, rate.number_format, rate.value) == ("n", "0.0%", pytest.approx(shown["satisfaction"][TOWN]))
    assert (count.data_type, count.number_format, count.value) == ("n", "#,##0", 136)
    assert [town.cell(2, c).value for c in range(3, 9)] == [
        "2025年\n数值", "2025年\n目标", "2025年\n状态", "一季度\n数值", "一季度\n目标", "一季度\n状态"]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"])
def test_text_that_starts_like_a_formula_gets_a_leading_apostrophe(text):
    assert export.neutralise(text) == "'" + text


def test_ordinary_text_and_control_characters_are_handled_without_a_guard():
    assert [export.neutralise(t) for t in ("东山村", "Σ 化解 ÷ Σ 受理", "a\x07b", "—")] == [
        "东山村", "Σ 化解 ÷ Σ 受理", "ab", "—"]


def test_a_unit_named_like_a_formula_is_written_as_inert_text(sample_db, monkeypatch):
    real = load_units()
    evil = {"V01": '=HYPERLINK("http://example.com","点我")', "D01": "+cmd|' /C calc'!A0"}
    units = Units(real.townships, tuple(
        type(u)(u.code, evil.get(u.code, u.name), u.kind, u.township, u.households) for u in real.units))
    monkeypatch.setattr(export, "load_units", lambda: units)
    book = load_workbook(io.BytesIO(export.export_xlsx(YEAR, sample_db)))
    cells = [c for ws in book for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert {c.value for c in cells if isinstance(c.value, str) and c.value.lstrip("'") in evil.values()} == {
        "'" + name for name in evil.values()}


# --- docx ------------------------------------------------------------------------------------


def figure_in(text: str, code: str):
    """The number the report clause of an indicator states in the text, as stored (a rate as a fraction)."""
    ind = BY_CODE[code]
    pattern = re.escape(ind.report).replace(re.escape("{value}"), r"([0-9,]+(?:\.[0-9]+)?)(%?)")
    m = re.search(pattern, text)
    if m is None:
        return None
    number = float(m.group(1).replace(",", ""))
    return round(number / 100, 4) if m.group(2) else number


def shown_as_text(code: str, value):
    ind = BY_CODE[code]
    return round(value, 4 if ind.fmt == "pct" else 1 if ind.fmt == "dec1" else 0) if value is not None else None


def test_the_report_draft_states_the_same_figures_as_show_json(report, shown):
    text = "\n".join(p.text for p in report.paragraphs)
    codes = ["disputes_received", "resolution_rate", "legal_aid_screened", "publicity_events", "satisfaction",
             "training_attendance", "advisor_days_per_village", "consultations"]
    stated = {code: figure_in(text, code) for code in codes}
    expected = {code: shown_as_text(code, shown[code][TOWN]) for code in codes}
    # one decimal of a percentage is what the report states
    assert stated == {c: pytest.approx(v, abs=0.0005 if BY_CODE[c].fmt == "pct" else 0.05) for c, v in expected.items()}
    assert "全年受理矛盾纠纷136件" in text and "矛盾纠纷化解率达100.0%" in text and "全年共初审法律援助案件5件" in text


def test_the_report_draft_follows_the_2025_reports_sections_and_is_marked_as_a_draft(report):
    headings = [p.text for p in report.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:6] == ["一、2025年法治政府建设主要工作及成效", "（一）强化政治引领，压实法治建设责任",
                            "（二）深化普法宣传，营造尊法学法氛围", "（三）规范行政行为，提升依法行政质效",
                            "（四）强化矛盾化解，筑牢基层治理防线", "（五）优化法律服务，增强群众法治获得感"]
    assert "草稿" in report.sections[0].header.paragraphs[0].text
    assert "（数据部分·草稿）" in [p.text for p in report.paragraphs[:3]]


def test_every_indicator_is_stated_in_exactly_one_report_section():
    stated = [code for _, codes in export.REPORT_SECTIONS for code in codes]
    assert sorted(stated) == sorted(i.code for i in CATALOGUE)


def test_every_run_of_the_report_draft_names_an_east_asian_font(report):
    runs = [r for p in report.paragraphs for r in p.runs]
    runs += [r for t in report.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    missing = [r.text for r in runs if r._r.rPr is None or r._r.rPr.rFonts is None
               or not r._r.rPr.rFonts.get(w_qn("w:eastAsia"))]
    assert (missing, report.styles["Normal"].element.rPr.rFonts.get(w_qn("w:eastAsia"))) == ([], "仿宋")


# --- the command line and the page -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pptx", "xlsx", "docx"])
def test_the_command_line_writes_each_format(fmt, sample_db, tmp_path):
    out = tmp_path / f"out.{fmt}"
    done = cli("export", "--period", "2025", "--format", fmt, "--out", str(out), "--db", str(sample_db))
    assert (done.returncode, done.stderr, out.read_bytes()[:2]) == (0, "", b"PK")
    assert done.stdout.startswith("已导出2025年的")


def test_the_command_line_exits_2_on_an_unknown_format_and_writes_nothing(sample_db, tmp_path):
    done = cli("export", "--period", "2025", "--format", "pdf", "--out", str(tmp_path / "x.pdf"), "--db", str(sample_db))
    assert (done.returncode, done.stderr, (tmp_path / "x.pdf").exists()) == (
        2, "参数错误：不支持的导出格式“pdf”：请选择 pptx（幻灯片）、xlsx（工作簿）或 docx（报告草稿）\n", False)


@pytest.mark.parametrize("args, message", [
    (["--period", "2025年", "--format", "xlsx"], "参数错误：无法识别的期间“2025年”"),
    (["--format", "xlsx"], "参数错误：请用 --period 指定期间"),
    (["--period", "2025"], "参数错误：请用 --format 指定导出格式"),
])
def test_other_usage_errors_exit_2_with_a_chinese_message(args, message, sample_db, capsys):
    code = cli_main(["export", *args, "--db", str(sample_db)])
    assert (code, capsys.readouterr().err.startswith(message)) == (2, True)


def test_the_export_file_names_carry_the_township_and_period():
    assert [export.file_name(YEAR, f) for f in ("pptx", "xlsx", "docx")] == [
        "插甸镇法治建设考核_2025年.pptx", "插甸镇法治指标_2025年.xlsx", "插甸镇法治政府建设报告数据部分_2025年_草稿.docx"]


PAGE = f"""
import runpy, sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from data import auth
from metrics.periods import parse_period
from pages import _ui
st.session_state["user"] = auth.User("王主任", st.session_state.get("role", "leader"))
st.session_state["filters"] = _ui.Filters(parse_period(st.session_state.get("period", "2025")), None, False)
runpy.run_path({str(ROOT / "pages" / "export.py")!r}, run_name="__main__")
"""


def test_the_export_page_offers_three_downloads_and_says_when_the_period_is_empty(sample_db, monkeypatch):
    monkeypatch.setenv("FAZHI_DB", str(sample_db))
    at = AppTest.from_string(PAGE, default_timeout=60).run()
    buttons = [b.proto.label for b in at.get("download_button")]
    assert (list(at.exception), buttons) == ([], ["下载考核会议幻灯片（PPT）", "下载指标工作簿（Excel）",
                                                  "下载年度报告数据部分草稿（Word）"])
    at.session_state["period"] = "2024"
    at.run()
    assert (len(at.get("download_button")), at.info[0].value.startswith("2024年还没有任何报表数据")) == (0, True)


def test_the_export_page_refuses_a_clerk(sample_db, monkeypatch):
    monkeypatch.setenv("FAZHI_DB", str(sample_db))
    at = AppTest.from_string(PAGE, default_timeout=60)
    at.session_state["role"] = "clerk"
    at.run()
    assert (len(at.get("download_button")), len(at.exception)) == (0, 0)
    assert [e.value for e in at.error] == ["填报员没有“导出”的权限"]
