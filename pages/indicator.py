"""指标: any indicator by unit and by quarter, with its definition, formula, target and source."""
import pandas as pd
import streamlit as st

from data.config import TOWN
from data.schema import TEMPLATES
from metrics.catalogue import BY_CODE, CATALOGUE
from metrics.format import fmt_value
from metrics.periods import Period
from pages import _ui

f = _ui.filters()
period = f.period
codes = [i.code for i in CATALOGUE]
head = st.empty()
code = st.columns([1, 2])[0].selectbox("选择指标", codes, format_func=lambda c: BY_CODE[c].name, key="indicator_code")
ind = BY_CODE[code]
head.title(f"{ind.name} · {period.label_zh}")
if not _ui.months():
    st.info("还没有数据。请先在“填报”页上传报表，或在“总览”页载入示例数据。", icon=":material/info:")
    st.stop()
_ui.sample_banner()

table = _ui.table([period, period.previous()])
town_now = table[(table.period == period.label) & (table.code == code) & (table.unit == TOWN)]["value"].squeeze()
town_before = table[(table.period == period.previous().label) & (table.code == code) & (table.unit == TOWN)]["value"].squeeze()

left, right = st.columns([1, 2], gap="large")
with left:
    _ui.kpi_card(code, town_now, town_before, period, "上期")
    st.markdown(f"**定义**　{ind.definition}")
    st.markdown(f"**公式**　{ind.formula}")
    st.markdown(f"**目标**　{_ui.target_text(code, period)}（{period.label_zh}）")
    source = TEMPLATES[ind.template].title if ind.template else "各项考核指标（见“考核”页）"
    st.markdown(f"**数据来源**　{source}")
    if ind.source:
        st.markdown("**年度报告原文**")
        st.caption(f"“{ind.source}” ——《插甸镇2025年法治政府建设工作情况报告》")

with right:
    if ind.town_only:
        st.info("该指标只统计全镇。", icon=":material/info:")
    else:
        rows = table[(table.period == period.label) & (table.code == code) & (table.unit != TOWN)]
        event = _ui.chart(_ui.units_figure(code, rows, period, f"{period.label_zh}各单位{ind.name}",
                                           highlight=f.unit_name if f.unit else None),
                          key="by_unit", on_select=True)
        _ui.follow_click(event, "by_unit")
    quarters = _ui.parse_period(str(period.first.year)).children()
    trend = _ui.table(quarters)
    who = f.unit if f.unit and f.unit in set(trend[trend.code == code].unit) else TOWN
    _ui.chart(_ui.trend_figure(code, trend[(trend.unit == who) & (trend.code == code)], quarters,
                               f"{TOWN if who == TOWN else f.unit_name}{ind.name}：{period.first.year}年各季度"),
              key="by_quarter")

if not ind.town_only:
    year = _ui.parse_period(str(period.first.year))
    months = [Period(m, 1) for m in year.month_list()]
    monthly = _ui.table(months)
    monthly = monthly[monthly.code == code]
    grid = monthly.pivot_table(index="unit_name", columns="period", values="value", aggfunc="first", dropna=False)
    order = [TOWN] + [n for n in dict.fromkeys(monthly.unit_name) if n != TOWN]
    shown = pd.DataFrame({f"{int(p[-2:])}月": [fmt_value(grid.at[n, p], ind.fmt) if n in grid.index and p in grid.columns
                                                 and pd.notna(grid.at[n, p]) else "—" for n in order]
                          for p in [m.label for m in months]}, index=order)
    st.markdown(f"**{year.label_zh}逐月数值**（“—”表示该月未填报、不适用或分母为 0，不按 0 计算）")
    st.dataframe(shown, width="stretch", height=_ui.table_height(len(shown)))
