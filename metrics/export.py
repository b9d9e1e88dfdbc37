"""The exports of SPEC §7 导出: slides for the appraisal meeting, a workbook of the figures, and a
draft of the annual report's figures section. Every figure comes from compute.evaluate.

export_pptx / export_xlsx / export_docx(period, db=None) -> bytes. Charts are native PowerPoint
charts (editable), never pictures; all text carries an East Asian font so Chinese does not fall
back to whatever the viewer picks.
"""
from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement as DocxElement
from docx.oxml.ns import qn as w_qn
from docx.shared import Cm, Pt as DocxPt, RGBColor as DocxRGB
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.oxml.xmlchemy import OxmlElement
from pptx.util import Emu, Inches, Pt

from data import store
from data.config import TOWN, TZ, Units, load_units
from data.schema import TEMPLATES
from metrics import scoring
from metrics.catalogue import BY_CODE, CATALOGUE, HEADLINE, Indicator
from metrics.compute import evaluate, units_for
from metrics.format import DASH, fmt_change, fmt_value
from metrics.periods import Period
from metrics.targets import (BAD, NO_TARGET, NONE, OK, STATE_COLOR, STATE_MARK, WARN, assessment, attainment, state,
                             target, target_text)

SOURCE = "数据来源：法治指标看板（各村、镇直单位月报）"
SAMPLE = "示例数据"


@dataclass(frozen=True)
class Format:
    stem: str  # the file name, after the township
    kind: str  # what the file is, in words
    mime: str


FORMATS = {
    "pptx": Format("法治建设考核", "考核会议幻灯片",
                   "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "xlsx": Format("法治指标", "指标工作簿", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": Format("法治政府建设报告数据部分", "年度报告数据部分草稿",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
KIND_ZH = {"town": TOWN, "village": "村", "department": "镇直单位"}

# Okabe–Ito, as on the dashboard; a state is always written as a word too (a projector washes colours out).
BLUE, GREY, INK = "0072B2", "8C8C8C", "222222"

# The 2025 report's section 一 and which indicators its figures paragraphs state, in its order.
REPORT_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("（一）强化政治引领，压实法治建设责任",
     ("rule_of_law_score", "assessment_points", "appraisal_score", "training_sessions", "training_attendance",
      "training_person_hours", "exam_mean")),
    ("（二）深化普法宣传，营造尊法学法氛围",
     ("publicity_events", "culture_site_coverage", "liaison_services", "mediator_trainings")),
    ("（三）规范行政行为，提升依法行政质效",
     ("legality_review_rate", "certification_rate", "enforcement_satisfaction")),
    ("（四）强化矛盾化解，筑牢基层治理防线",
     ("disputes_received", "resolution_rate", "online_share", "correction_lost", "resettlement_rate")),
    ("（五）优化法律服务，增强群众法治获得感",
     ("advisor_days_per_village", "consultations", "legal_aid_screened", "on_time_rate", "satisfaction")),
)


# --- what every export shares ----------------------------------------------------------------


@dataclass
class _Figures:
    period: Period
    periods: list[Period]  # the period, then its quarters (of a year) or months (of a quarter)
    units: Units
    table: pd.DataFrame  # compute.evaluate over periods and the previous period
    sample: bool
    place: str
    today: dt.date

    def __post_init__(self):
        t = self.table
        self._values = dict(zip(zip(t["period"], t["code"], t["unit"]), t["value"]))

    def value(self, code: str, period: Period | None = None, unit: str = TOWN):
        return self._values.get(((period or self.period).label, code, unit))

    def rows(self, code: str, period: Period | None = None) -> pd.DataFrame:
        t = self.table
        return t[(t.period == (period or self.period).label) & (t.code == code) & (t.unit != TOWN)]

    def scores(self, period: Period | None = None) -> pd.DataFrame:
        return scoring.score_units(self.table, period or self.period, self.units)

    @property
    def footer(self) -> str:
        return f"{SOURCE} · 期间：{self.period.label_zh}" + (f" · {SAMPLE}" if self.sample else "")


def _periods(period: Period) -> list[Period]:
    return [period] + [p for p in period.children() if p != period]


def _figures(period: Period, db, *, previous: bool = False) -> _Figures:
    units = load_units()
    periods = _periods(period)
    table = evaluate(periods + ([period.previous()] if previous else []), db, units=units)
    return _Figures(period, periods, units, table, store.has_sample(db), place(units), dt.datetime.now(TZ).date())


def place(units: Units | None = None) -> str:
    """The township the figures are for (the county when several are configured)."""
    names = list((units or load_units()).townships.values())
    return names[0] if len(names) == 1 else "全县"


def file_name(period: Period, fmt: str) -> str:
    """插甸镇法治建设考核_2025年.pptx and its siblings."""
    stem = f"{place()}{FORMATS[fmt].stem}_{period.label_zh}"
    return f"{stem}_草稿.{fmt}" if fmt == "docx" else f"{stem}.{fmt}"


def has_data(period: Period, db=None) -> bool:
    """Whether any monthly report or training falls in the period."""
    return any(period.contains(m) for m in store.months_with_data(db))


def state_word(code: str, value, period: Period, per_unit: bool = False) -> str:
    """达标 / 预警 / 未达标 / 无数据, or 无目标 for an indicator the configuration sets no target for."""
    if target(code, period, per_unit) is None:
        return NO_TARGET
    return state(attainment(code, value, period, per_unit))


def shown(ind: Indicator, value, period: Period) -> str:
    """fmt_value, with two decimals where one would show a shortfall as the target (99.96% as 100.0%)."""
    text, goal = fmt_value(value, ind.fmt, ind.unit), target(ind.code, period)
    if ind.fmt == "pct" and value is not None and goal is not None and value < goal \
            and text == fmt_value(goal, ind.fmt, ind.unit):
        return f"{value * 100:.2f}%"
    return text


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _change_text(ind: Indicator, now, before) -> str | None:
    change = fmt_change(now, before, ind.fmt)
    return None if change is None else f"较上期 {change}"


# --- pptx: the appraisal meeting ---------------------------------------------------------------

PPT_FONT = "Microsoft YaHei"
SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 16:9, PowerPoint's own widescreen size (13.333 × 7.5 in)
MARGIN = Inches(0.6)
CONTENT_W = SLIDE_W - 2 * MARGIN
NUMBER_FORMAT = {"pct": "0.0%", "dec1": "#,##0.0", "int": "#,##0"}


def _ppt_font(font, size: float | None = None, bold: bool | None = None, color: str | None = None) -> None:
    """Set the latin and the East Asian typeface (font.name alone sets latin only) and the look."""
    font.name = PPT_FONT
    rpr = font._rPr
    for old in rpr.findall(qn("a:ea")):
        rpr.remove(old)
    ea = OxmlElement("a:ea")
    ea.set("typeface", PPT_FONT)
    rpr.find(qn("a:latin")).addnext(ea)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = RGBColor.from_string(color)


def _write(frame, lines, align=PP_ALIGN.LEFT) -> None:
    """Fill a text frame with paragraphs of (text, size, bold, colour), or of a list of such runs."""
    frame.word_wrap = True
    for i, line in enumerate(lines):
        runs = line if isinstance(line, list) else [line]
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        para.space_after = Pt(runs[0][1] * 0.35)
        for text, size, bold, color in runs:
            run = para.add_run()
            run.text = text
            _ppt_font(run.font, size, bold, color)


def _box(slide, left, top, width, height, lines, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    shape = slide.shapes.add_textbox(left, top, width, height)
    shape.text_frame.vertical_anchor = anchor
    _write(shape.text_frame, lines, align)
    return shape


def _slide(prs, title: str, fig: _Figures, size: float = 36):
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # Title Only: the title stays a real title
    head = slide.shapes.title
    head.left, head.top, head.width, head.height = MARGIN, Inches(0.3), CONTENT_W, Inches(1.0)
    head.text_frame.clear()
    head.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    _write(head.text_frame, [(title, size, True, INK)])
    _footer(slide, fig)
    return slide


def _footer(slide, fig: _Figures) -> None:
    _box(slide, MARGIN, Inches(6.92), CONTENT_W, Inches(0.45), [(fig.footer, 14, False, "595959")])


def _chart(slide, kind, categories, series, fmt: str, box) -> object:
    """A native chart: one or more (name, values) series over categories, values labelled."""
    data = CategoryChartData(number_format=NUMBER_FORMAT[fmt])
    data.categories = categories
    for name, values in series:
        data.add_series(name, values)
    chart = slide.shapes.add_chart(kind, *box, data).chart
    _ppt_font(chart.font, 20, False, INK)
    chart.has_legend = len(series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        _ppt_font(chart.legend.font, 18)
    first = chart.plots[0].series[0]
    labels = first.data_labels
    labels.show_value = True
    labels.number_format = NUMBER_FORMAT[fmt]
    labels.number_format_is_linked = False
    _ppt_font(labels.font, 20, True, INK)
    value_axis = chart.value_axis
    value_axis.tick_labels.number_format = NUMBER_FORMAT["pct" if fmt == "pct" else "int"].replace(".0", "")
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.major_gridlines.format.line.color.rgb = RGBColor.from_string("D9D9D9")
    return chart


def _color(series_or_point, hex_color: str) -> None:
    fill = series_or_point.format.fill
    fill.solid()
    fill.fore_color.rgb = RGBColor.from_string(hex_color)


def _title_slide(prs, fig: _Figures) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    title.left, title.top, title.width, title.height = MARGIN, Inches(1.5), CONTENT_W, Inches(1.6)
    title.text_frame.clear()
    text = f"{fig.place}法治建设考核 · {fig.period.label_zh}"
    _write(title.text_frame, [(text, 48 if len(text) <= 16 else 40, True, INK)], PP_ALIGN.CENTER)
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = MARGIN, Inches(3.4), CONTENT_W, Inches(3.0)
    subtitle.text_frame.clear()
    lines = [("考核会议材料", 28, False, "404040"), (f"生成日期：{_date_zh(fig.today)}", 24, False, "404040"),
             (SOURCE, 24, False, "404040")]
    if fig.sample:
        lines.append((f"{SAMPLE}（虚构，仅供演示）", 24, True, STATE_COLOR[BAD]))
    _write(subtitle.text_frame, lines, PP_ALIGN.CENTER)
    _footer(slide, fig)


def _summary_slide(prs, fig: _Figures) -> None:
    scored = [i for i in CATALOGUE if target(i.code, fig.period) is not None]
    states = {i.code: state_word(i.code, fig.value(i.code), fig.period) for i in scored}
    count = {s: sum(v == s for v in states.values()) for s in (OK, WARN, BAD, NONE)}
    title = f"有目标的{len(scored)}项指标：达标{count[OK]}项，预警{count[WARN]}项，未达标{count[BAD]}项"
    if count[NONE]:
        title += f"，无数据{count[NONE]}项"
    slide = _slide(prs, title, fig, 32)
    off = [i for i in scored if states[i.code] != OK]
    lines = [(f"{STATE_MARK[states[i.code]]} {i.name}：{shown(i, fig.value(i.code), fig.period)}"
              f"（{target_text(i.code, fig.period)}）{states[i.code]}", 24, True, STATE_COLOR[states[i.code]])
             for i in off[:8]]
    if len(off) > 8:
        lines.append((f"另有{len(off) - 8}项，见 Excel 工作簿“全镇指标”表", 20, False, INK))
    if not off:
        lines.append(("✔ 本期有目标的指标全部达标", 28, True, STATE_COLOR[OK]))
    met = [i.name for i in scored if states[i.code] == OK]
    if met:
        lines.append((f"达标：{'、'.join(met)}", 20, False, "404040"))
    _box(slide, MARGIN, Inches(1.5), CONTENT_W, Inches(5.3), lines)


def _headline_slide(prs, fig: _Figures, code: str) -> None:
    ind = BY_CODE[code]
    value = fig.value(code)
    word = state_word(code, value, fig.period)
    value_text = shown(ind, value, fig.period)
    title = f"{ind.name}：{value_text}" + (f"，{word}" if word != NO_TARGET else "")
    slide = _slide(prs, title, fig)
    number = value_text if ind.fmt == "pct" else fmt_value(value, ind.fmt)
    unit = f" {ind.unit}" if value is not None and ind.unit != "%" else ""
    big = [(number, 60 if len(number + unit) <= 7 else 48, True, INK)]
    if unit:
        big.append((unit, 28, True, INK))
    lines = [(f"{TOWN} · {fig.period.label_zh}", 22, False, "595959"), big,
             (target_text(code, fig.period), 26, False, INK)]
    if word != NO_TARGET:
        lines.append((f"{STATE_MARK[word]} {word}", 30, True, STATE_COLOR[word]))
    change = _change_text(ind, value, fig.value(code, fig.period.previous()))
    if change:
        lines.append((change, 22, False, "404040"))
    lines.append((f"计算：{ind.formula}", 20, False, "595959"))
    _box(slide, MARGIN, Inches(1.5), Inches(4.2), Inches(5.3), lines)
    box = (MARGIN + Inches(4.5), Inches(1.45), CONTENT_W - Inches(4.5), Inches(5.4))
    if len(fig.periods) > 1:
        _trend_chart(slide, fig, ind, box)
    else:
        _units_chart(slide, fig, ind, box)


def _trend_chart(slide, fig: _Figures, ind: Indicator, box) -> None:
    periods = fig.periods[1:]
    values = [fig.value(ind.code, p) for p in periods]
    goals = [target(ind.code, p) for p in periods]
    series = [(TOWN, values)]
    with_goal = ind.is_rate and all(g is not None for g in goals)
    if with_goal:
        series.append(("目标", goals))
    kind = XL_CHART_TYPE.LINE_MARKERS if ind.is_rate else XL_CHART_TYPE.COLUMN_CLUSTERED
    chart = _chart(slide, kind, [p.short_zh for p in periods], series, ind.fmt, box)
    _chart_title(chart, f"{fig.period.label_zh}各{'季度' if fig.period.months == 12 else '月'}")
    actual = chart.plots[0].series[0]
    if ind.is_rate:
        actual.smooth = False
        actual.format.line.width = Pt(4)
        actual.format.line.color.rgb = RGBColor.from_string(BLUE)
        actual.marker.style = XL_MARKER_STYLE.CIRCLE
        actual.marker.size = 12
        _color(actual.marker, BLUE)
        actual.data_labels.position = XL_LABEL_POSITION.ABOVE
        # Zoomed to the data (a line need not start at zero), with headroom for the labels above 100%.
        known = [v for v in values + goals if v is not None] or [1.0]
        low = max(0.0, math.floor((min(known) - 0.05) * 20) / 20)
        high = max(1.0, max(known))
        span = high - low
        axis = chart.value_axis
        axis.minimum_scale, axis.maximum_scale = low, high + span * 0.12
        axis.major_unit = 0.05 if span <= 0.25 else 0.1 if span <= 0.5 else 0.2
    else:
        _color(actual, BLUE)
        chart.plots[0].gap_width = 60
        actual.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        chart.value_axis.minimum_scale = 0
    if with_goal:
        goal = chart.plots[0].series[1]
        goal.smooth = False
        goal.marker.style = XL_MARKER_STYLE.NONE
        goal.format.line.color.rgb = RGBColor.from_string("404040")
        goal.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        goal.format.line.width = Pt(2.5)


def _units_chart(slide, fig: _Figures, ind: Indicator, box) -> None:
    """For a single month: the villages (else the departments) with data, best at the top (at most 12)."""
    rows = fig.rows(ind.code)
    kinds = {u.code: u.kind for u in fig.units.units}
    kind = "village" if _applies(ind, fig.units, "village") else "department"
    rows = rows[rows["unit"].map(kinds) == kind]
    rows = rows[rows["value"].notna()].sort_values("value", ascending=False).head(12)
    if rows.empty:
        _box(slide, *box, [(f"{fig.period.label_zh}{'各村' if kind == 'village' else '镇直单位'}均无数据", 24, False, GREY)],
             PP_ALIGN.CENTER, MSO_ANCHOR.MIDDLE)
        return
    rows = rows.iloc[::-1]  # a bar chart draws its first category at the bottom
    chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, list(rows["unit_name"]),
                   [(ind.name, [float(v) for v in rows["value"]])], ind.fmt, box)
    _chart_title(chart, f"{'各村' if kind == 'village' else '镇直单位'}（无数据的不列出）")
    _color(chart.plots[0].series[0], BLUE)
    chart.plots[0].gap_width = 50
    chart.value_axis.visible = False
    chart.value_axis.has_major_gridlines = False
    chart.value_axis.minimum_scale = 0
    chart.plots[0].series[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END


def _chart_title(chart, text: str) -> None:
    chart.has_title = True
    frame = chart.chart_title.text_frame
    frame.text = text
    for para in frame.paragraphs:
        for run in para.runs:
            _ppt_font(run.font, 22, True, "404040")


def _ranking_slide(prs, fig: _Figures, kind: str) -> None:
    scores = fig.scores()
    rows = scores[(scores["kind"] == kind)]
    ranked = rows[rows["score"].notna()].sort_values(["rank", "unit_name"])
    empty = rows[rows["score"].isna()]
    what = "各村" if kind == "village" else "镇直单位"
    slide = _slide(prs, f"{what}法治建设考核得分排名", fig)
    notes = []
    if not ranked.empty:
        order = ranked.iloc[::-1]  # rank 1 at the top
        labels = [f"{r.rank}. {r.unit_name}" + ("（否决）" if r.veto else "（缺项）" if r.missing else "")
                  for r in order.itertuples()]
        chart = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, labels,
                       [("法治建设考核得分", [float(s) for s in order["score"]])], "dec1",
                       (MARGIN, Inches(1.4), Inches(8.2), Inches(5.45)))
        chart.has_title = False
        plot, series = chart.plots[0], chart.plots[0].series[0]
        plot.gap_width = 40
        _color(series, BLUE)
        for i, r in enumerate(order.itertuples()):
            if r.veto or r.missing:
                _color(series.points[i], STATE_COLOR[BAD] if r.veto else GREY)
        series.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = 0, 100
        chart.value_axis.visible = False
        chart.value_axis.has_major_gridlines = False
        top = ranked[ranked["rank"] == 1]
        notes.append((f"第一名：{'、'.join(top['unit_name'])}（{float(top['score'].iloc[0]):.1f}分）", 22, True, INK))
    vetoed = [r.unit_name for r in ranked.itertuples() if r.veto]
    notes.append(("一票否决：" + ("、".join(vetoed) if vetoed else "无"), 22, bool(vetoed),
                  STATE_COLOR[BAD] if vetoed else INK))
    gaps: dict[tuple, list[str]] = {}
    for r in ranked.itertuples():
        if r.missing:
            gaps.setdefault(tuple(r.missing), []).append(r.unit_name)
    if not gaps:
        notes.append(("数据不全：无", 20, False, INK))
    for missing, names in gaps.items():
        who = "、".join(names) if len(names) <= 4 else f"{'、'.join(names[:3])}等{len(names)}个单位"
        notes.append((f"数据不全：{who}（缺{'、'.join(missing)}）", 20, False, INK))
    if not empty.empty:
        notes.append((f"无数据未排名：{'、'.join(empty['unit_name'])}", 20, False, INK))
    notes.append((f"满分100分，计入绩效考核占比{assessment().share:.0%}；排名按未四舍五入的得分，"
                  "同分同名次", 20, False, "595959"))
    _box(slide, MARGIN + Inches(8.5), Inches(1.5), CONTENT_W - Inches(8.5), Inches(5.3), notes)


def export_pptx(period: Period, db=None) -> bytes:
    """16:9 slides for the appraisal meeting: title, summary, one per headline indicator, the two rankings."""
    fig = _figures(period, db, previous=True)
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    prs.core_properties.title = f"{fig.place}法治建设考核 · {period.label_zh}"
    prs.core_properties.author = "法治指标看板"
    _title_slide(prs, fig)
    _summary_slide(prs, fig)
    for code in HEADLINE:
        _headline_slide(prs, fig, code)
    for kind in ("village", "department"):
        _ranking_slide(prs, fig, kind)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# --- xlsx: the figures by unit and period ------------------------------------------------------

# A text cell that starts like a formula is written with a visible leading apostrophe, as plain
# text (never a formula cell). Visible rather than a zero-width guard: a reader sees that the
# text was altered, it survives copy-paste and a later save as .csv, and nothing invisible hides
# in a unit name that someone might copy back into a configuration file.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def neutralise(text: str) -> str:
    """Text safe for a spreadsheet cell: control characters dropped, a formula-like start guarded by "'"."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))
    return "'" + text if text.startswith(FORMULA_START) else text


def _put(ws, row: int, col: int, value, fmt: str | None = None):
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and value != value):
        cell.value = DASH if fmt else None
        cell.alignment = Alignment(horizontal="center")
    elif isinstance(value, str):
        cell.value = neutralise(value)
        cell.data_type = "s"
    else:
        cell.value = float(value) if fmt in ("pct", "dec1") else value
        cell.number_format = NUMBER_FORMAT.get(fmt or "int", "General")
    return cell


def _sheet(wb, fig: _Figures, name: str, note: str, headers: list[str], widths: list[float], freeze: str):
    ws = wb.create_sheet(name)
    label = f"【{SAMPLE}（虚构，仅供演示）】" if fig.sample else ""
    title = ws.cell(row=1, column=1, value=neutralise(
        f"{label}{fig.place}法治指标 · {name} · 期间：{fig.period.label_zh} · {SOURCE} · "
        f"生成日期：{_date_zh(fig.today)} · {note}"))
    title.font = Font(bold=True, size=12, color="C00000" if fig.sample else "000000")
    for col, (header, width) in enumerate(zip(headers, widths), start=1):
        cell = ws.cell(row=2, column=col, value=neutralise(header))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[2].height = 36
    ws.freeze_panes = freeze
    return ws


def _indicator_header(ind: Indicator) -> str:
    return ind.name if ind.unit == "%" else f"{ind.name}（{ind.unit}）"


def _applies(ind: Indicator, units: Units, kind: str) -> bool:
    return any(u.kind == kind for u in units_for(ind, units))


def _town_sheet(wb, fig: _Figures) -> None:
    headers, widths = ["指标", "计量单位"], [24, 10]
    for i, p in enumerate(fig.periods):
        name = p.label_zh if i == 0 else p.short_zh
        headers += [f"{name}\n数值", f"{name}\n目标", f"{name}\n状态"]
        widths += [12, 12, 9]
    headers.append("指标代码")
    widths.append(26)
    ws = _sheet(wb, fig, "全镇指标", "“—”表示无数据", headers, widths, "C3")
    for row, ind in enumerate(CATALOGUE, start=3):
        _put(ws, row, 1, ind.name)
        _put(ws, row, 2, ind.unit)
        for i, p in enumerate(fig.periods):
            value, goal = fig.value(ind.code, p), target(ind.code, p)
            _put(ws, row, 3 + 3 * i, value, ind.fmt)
            if goal is None:
                _put(ws, row, 4 + 3 * i, NO_TARGET).alignment = Alignment(horizontal="center")
            else:
                _put(ws, row, 4 + 3 * i, goal, ind.fmt)
            word = state_word(ind.code, value, p)
            _put(ws, row, 5 + 3 * i, word).font = Font(bold=word in (BAD, WARN), color=STATE_COLOR[word])
        _put(ws, row, len(headers), ind.code)


def _units_sheet(wb, fig: _Figures, kind: str, name: str) -> None:
    codes = [i for i in CATALOGUE if not i.town_only and _applies(i, fig.units, kind)]
    headers = ["期间", "单位"] + [_indicator_header(i) for i in codes]
    ws = _sheet(wb, fig, name, "“—”表示无数据", headers, [12, 16] + [13] * len(codes), "C3")
    row = 3
    for p in fig.periods:
        for unit in fig.units.of_kind(kind):
            _put(ws, row, 1, p.label_zh)
            _put(ws, row, 2, unit.name)
            for col, ind in enumerate(codes, start=3):
                _put(ws, row, col, fig.value(ind.code, p, unit.code), ind.fmt)
            row += 1
    ws.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{max(row - 1, 2)}"


def _scores_sheet(wb, fig: _Figures) -> None:
    scores = fig.scores()
    contributed = [i for i in CATALOGUE if f"c_{i.code}" in scores.columns]
    headers = ["排名", "单位", "类别", "法治建设考核得分", "计入绩效考核分值", "一票否决", "数据不全的指标"]
    headers += [f"{i.name}\n（得分）" for i in contributed]
    ws = _sheet(wb, fig, "考核得分", "排名在村、镇直单位内分别排列；各项得分 = 权重 × 完成率（最高按100%计）；"
                "空白表示该单位不考核此项", headers, [7, 16, 10, 12, 12, 9, 30] + [12] * len(contributed), "C3")
    order = {"town": 0, "village": 1, "department": 2}
    scores = scores.assign(_k=scores["kind"].map(order), _r=scores["rank"].fillna(999).astype(float))
    for row, r in enumerate(scores.sort_values(["_k", "_r"], kind="stable").to_dict("records"), start=3):
        ranked = r["kind"] != "town"  # the town is not ranked: its cell stays blank, not "no data"
        _put(ws, row, 1, int(r["rank"]) if ranked and r["rank"] == r["rank"] and r["rank"] is not None else None,
             "int" if ranked else None)
        _put(ws, row, 2, r["unit_name"])
        _put(ws, row, 3, KIND_ZH[r["kind"]])
        _put(ws, row, 4, r["score"], "dec1")
        _put(ws, row, 5, r["points"], "dec1")
        _put(ws, row, 6, "是" if r["veto"] else None)
        _put(ws, row, 7, "、".join(r["missing"]) or None)
        for col, ind in enumerate(contributed, start=8):
            value = r[f"c_{ind.code}"]
            if value == value:  # NaN: not assessed for this unit, left blank
                _put(ws, row, col, value, "dec1")


def _about_sheet(wb, fig: _Figures) -> None:
    weights = assessment().weights
    headers = ["指标代码", "指标", "计量单位", "定义", "计算公式", f"目标（{fig.period.label_zh}，全镇）",
               "考核权重\n全镇", "考核权重\n村", "考核权重\n镇直单位（默认）", "数据来源", "依据（2025年报告原文）"]
    ws = _sheet(wb, fig, "指标说明", "目标和权重取自考核配置（config/assessment.toml），单独设定权重的镇直单位以配置为准",
                headers,
                [26, 22, 9, 46, 40, 18, 9, 9, 9, 18, 60], "C3")
    for row, ind in enumerate(CATALOGUE, start=3):
        source = TEMPLATES[ind.template].title if ind.template else "考核计算"
        for col, value in enumerate([ind.code, ind.name, ind.unit, ind.definition, ind.formula,
                                     target_text(ind.code, fig.period).removeprefix("目标 ")], start=1):
            _put(ws, row, col, value).alignment = Alignment(wrap_text=True, vertical="top")
        for col, kind in enumerate(("town", "village", "department"), start=7):
            _put(ws, row, col, weights.get(kind, {}).get(ind.code))
        _put(ws, row, 10, source).alignment = Alignment(wrap_text=True, vertical="top")
        _put(ws, row, 11, ind.source).alignment = Alignment(wrap_text=True, vertical="top")


def export_xlsx(period: Period, db=None) -> bytes:
    """One sheet per view: 全镇指标, 各村, 镇直单位, 考核得分, 指标说明; numbers stay numbers."""
    fig = _figures(period, db)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = f"{fig.place}法治指标 · {period.label_zh}"
    wb.properties.creator = "法治指标看板"
    if fig.sample:
        wb.properties.keywords = SAMPLE
    _town_sheet(wb, fig)
    _units_sheet(wb, fig, "village", "各村")
    _units_sheet(wb, fig, "department", "镇直单位")
    _scores_sheet(wb, fig)
    _about_sheet(wb, fig)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- docx: a draft of the annual report's figures section ---------------------------------------

# Official-document type (GB/T 9704): 宋体 title, 黑体 and 楷体 headings, 仿宋 body, 三号 (16pt).
BODY, HEADING1, HEADING2, TITLE = "仿宋", "黑体", "楷体", "宋体"
TO_EDIT = "【请补充本项工作的措施和成效】"


def _docx_font(font, east: str, size: float | None = None, bold: bool | None = None,
               color: str | None = None, latin: str = "Times New Roman") -> None:
    """Latin and East Asian typeface; the theme-font attributes are dropped, they would win."""
    font.name = latin
    fonts = font._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(w_qn(attr), None)
    fonts.set(w_qn("w:eastAsia"), east)
    if size is not None:
        font.size = DocxPt(size)
    if bold is not None:
        font.bold = bold
    font.color.rgb = DocxRGB.from_string(color or "000000")


def report_clause(ind: Indicator, value, period: Period) -> str | None:
    """The report's wording with the figure, e.g. 全年受理矛盾纠纷136件; None without data."""
    if value is None:
        return None
    text = ind.report.format(value=fmt_value(value, ind.fmt))
    if period.months != 12:
        text = text.replace("全年", "本季度" if period.months == 3 else "本月")
    return text


def _docx_styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _docx_font(normal.font, BODY, 16)
    lang = DocxElement("w:lang")  # so Word proofs and breaks lines as Chinese
    lang.set(w_qn("w:val"), "en-US")
    lang.set(w_qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = DocxPt(28)
    fmt.space_after = DocxPt(0)
    for name, east in (("Heading 1", HEADING1), ("Heading 2", HEADING2)):
        style = styles[name]
        _docx_font(style.font, east, 16, name == "Heading 1")
        style.font.italic = False
        style.paragraph_format.space_before = DocxPt(6)
        style.paragraph_format.space_after = DocxPt(6)
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)


def _docx_para(doc, parts, style: str | None = None, indent: bool = True, align=None):
    """A paragraph of (text, highlight) runs; highlighted runs are what the editor must still write."""
    para = doc.add_paragraph(style=style)
    if indent:
        para.paragraph_format.first_line_indent = DocxPt(32)  # two characters
    if align is not None:
        para.alignment = align
    for text, mark in parts:
        run = para.add_run(text)
        _docx_font(run.font, BODY, 16)
        if mark:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return para


TABLE_WIDTHS = (6.0, 3.6, 3.4, 2.6)  # cm, within the 15.6 cm of type area


def _docx_row(row, texts, east: str) -> None:
    for cell, text, width in zip(row.cells, texts, TABLE_WIDTHS):
        cell.width = Cm(width)
        para = cell.paragraphs[0]
        para.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        para.paragraph_format.first_line_indent = None
        _docx_font(para.add_run(text).font, east, 12, east == HEADING1)


def _docx_heading(doc, text: str, level: int) -> None:
    para = doc.add_heading(level=level)
    run = para.add_run(text)
    _docx_font(run.font, HEADING1 if level == 1 else HEADING2, 16, level == 1)


def export_docx(period: Period, db=None) -> bytes:
    """The figures of the annual report's section 一 in its wording, marked 草稿, every figure computed."""
    fig = _figures(period, db)
    doc = Document()
    _docx_styles(doc)
    doc.core_properties.title = f"{fig.place}{period.label_zh}法治政府建设工作情况报告（数据部分·草稿）"
    doc.core_properties.author = "法治指标看板"
    header = doc.sections[0].header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _docx_font(header.add_run("草稿 · 待修改，不得直接印发").font, HEADING1, 10.5, False, "C00000")

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_font(title.add_run(f"{fig.place}{period.label_zh}法治政府建设工作情况报告").font, TITLE, 22, True)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _docx_font(sub.add_run("（数据部分·草稿）").font, HEADING2, 16)

    note = (f"【草稿说明】本稿中的数字由法治指标看板根据各村、镇直单位月报自动计算（期间：{period.label_zh}，"
            f"生成于{_date_zh(fig.today)}），文字按2025年度报告的体例拟写，请结合实际工作补充、修改后使用。"
            "黄色底纹处为待补充或暂无数据的内容。")
    if fig.sample:
        note += f"当前数据为{SAMPLE}（虚构），不得对外使用。"
    para = _docx_para(doc, [(note, False)])
    for run in para.runs:
        _docx_font(run.font, BODY, 14, False, "C00000")

    _docx_heading(doc, f"一、{period.label_zh}法治政府建设主要工作及成效", 1)
    for heading, codes in REPORT_SECTIONS:
        _docx_heading(doc, heading, 2)
        parts = []
        for code in codes:
            clause = report_clause(BY_CODE[code], fig.value(code), period)
            parts.append((clause, False) if clause else (f"【{BY_CODE[code].name}：暂无数据】", True))
        runs = []
        for i, (text, mark) in enumerate(parts):
            runs.append((text, mark))
            runs.append(("。" if i == len(parts) - 1 else "，", False))
        _docx_para(doc, runs + [(TO_EDIT, True)])

    _docx_heading(doc, "附表：主要指标完成情况", 1)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, TABLE_WIDTHS):
        column.width = Cm(width)
    _docx_row(table.rows[0], ("指标", period.label_zh, "目标", "完成情况"), HEADING1)
    repeat = DocxElement("w:tblHeader")  # the header row repeats on every page
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    off = []
    for ind in CATALOGUE:
        value = fig.value(ind.code)
        word = state_word(ind.code, value, period)
        if word in (BAD, WARN):
            off.append(f"{ind.name}{shown(ind, value, period)}，{target_text(ind.code, period)}（{word}）")
        _docx_row(table.add_row(), (ind.name, shown(ind, value, period),
                                    target_text(ind.code, period).removeprefix("目标 "),
                                    DASH if word == NO_TARGET else word), BODY)

    _docx_heading(doc, "附：未达到目标的指标（供撰写“存在的问题与不足”参考）", 1)
    if off:
        for i, text in enumerate(off, start=1):
            _docx_para(doc, [(f"{i}. {text}。", False)])
    else:
        _docx_para(doc, [("本期有目标的指标全部达标。", False)])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def export(fmt: str, period: Period, db=None) -> bytes:
    """The file of one format: pptx, xlsx or docx."""
    return {"pptx": export_pptx, "xlsx": export_xlsx, "docx": export_docx}[fmt](period, db)

