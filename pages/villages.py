"""村庄: village × indicator attainment, the ranking, and one village's quarters and months."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data import store
from data.config import TOWN
from data.schema import TEMPLATES
from metrics.catalogue import BY_CODE, CATALOGUE
from metrics.format import fmt_value
from metrics.targets import BAD, OK, WARN, annotate, rank, target
from pages import _ui

f = _ui.filters()
period = f.period
st.title(f"村庄 · {period.label_zh}")
if not _ui.months():
    st.info("还没有数据。请先在“填报”页上传报表，或在“总览”页载入示例数据。", icon=":material/info:")
    st.stop()
_ui.sample_banner()

codes = [i.code for i in CATALOGUE if i.template == "village_monthly" and not i.town_only
         and target(i.code, period) is not None]
table = _ui.table([period])
village_rows = annotate(table[(table.code.isin(codes)) & (table.unit != TOWN)], period)
villages = [u for u in _ui.units().of_kind("village")]

st.subheader("各村指标完成情况")
st.caption("格中为指标值；颜色和符号表示状态：✔ 达标　! 预警（完成率 ≥ 90%）　✘ 未达标　— 无数据。点击格子查看该村。")
level = {BAD: 0, WARN: 1, OK: 2}
names = [u.name for u in villages]
z, text = [], []
for u in villages:
    r = village_rows[village_rows.unit == u.code].set_index("code")
    z.append([level.get(r.at[c, "state"]) if c in r.index else None for c in codes])
    text.append([f"{fmt_value(r.at[c, 'value'], BY_CODE[c].fmt)} {_ui.STATE_MARK[r.at[c, 'state']]}"
                 if c in r.index and r.at[c, "value"] is not None else "无数据" for c in codes])
# Light state colours so dark numbers stay readable; the ✔ ! ✘ marks carry the state without colour.
light = {BAD: "#F4B6A0", WARN: "#F6D58E", OK: "#A6DCC8"}
scale = [[0, light[BAD]], [0.33, light[BAD]], [0.34, light[WARN]], [0.66, light[WARN]], [0.67, light[OK]], [1, light[OK]]]
columns = [BY_CODE[c].name for c in codes]
heat = go.Figure(go.Heatmap(
    z=z, x=columns, y=names, text=text, texttemplate="%{text}", zmin=0, zmax=2, colorscale=scale, showscale=False,
    xgap=3, ygap=3, hoverinfo="skip", textfont=dict(color="#1a1a1a")))
# Heat maps cannot be clicked in Streamlit; invisible points over the cells can.
heat.add_scatter(x=[c for _ in names for c in columns], y=[n for n in names for _ in columns], mode="markers",
                 marker=dict(size=40, opacity=0), customdata=[u.code for u in villages for _ in columns],
                 hovertemplate="%{y} · %{x}<extra>点击查看该村</extra>")
heat.update_layout(height=80 + 44 * len(names), plot_bgcolor="#d9d9d9", margin=dict(t=40), showlegend=False)
heat.update_yaxes(range=[len(names) - 0.5, -0.5])  # the overlay's markers must not pad the axes
heat.update_xaxes(side="top", range=[-0.5, len(columns) - 0.5])
_ui.follow_click(_ui.chart(heat, key="heat", on_select=True), "heat")

st.subheader("各村排名")
ranking = rank(table[table.unit != TOWN], period, codes)
if ranking.empty:
    st.info("本期各村都没有可比较的数据。")
else:
    st.caption(f"按 {len(codes)} 项有目标的村级指标的平均完成率排名（每项最高按 100% 计）；"
               "相邻名次分差很小时，差异并不显著。")
    gaps = (ranking.score.shift(1) - ranking.score) * 100
    st.dataframe(
        ranking.assign(score=ranking.score * 100, gap=["—" if pd.isna(g) else f"{g:.1f} 个百分点" for g in gaps])
        [["rank", "unit_name", "score", "gap", "met", "counted"]],
        hide_index=True, width="stretch", height=_ui.table_height(len(ranking)),
        column_config={
            "rank": st.column_config.NumberColumn("名次"), "unit_name": "村",
            "score": st.column_config.ProgressColumn("平均完成率", format="%.1f%%", min_value=0, max_value=100),
            "gap": st.column_config.TextColumn("与上一名差距"),
            "met": st.column_config.NumberColumn("达标项数"), "counted": st.column_config.NumberColumn("有数据项数"),
        })

st.divider()
names_all = [u.name for u in villages]
current = f.unit_name if f.unit_name in names_all else names_all[0]
name = st.selectbox("查看村", names_all, index=names_all.index(current))
unit = _ui.units().by_name(name)
st.subheader(f"{name} · {period.first.year}年")

pick = st.selectbox("指标", codes + [i.code for i in CATALOGUE if i.template == "village_monthly"
                                     and not i.town_only and i.code not in codes],
                    format_func=lambda c: BY_CODE[c].name, key="village_indicator")
quarters = _ui.parse_period(str(period.first.year)).children()
trend = _ui.table(quarters)
fig = _ui.trend_figure(pick, trend[(trend.unit == unit.code) & (trend.code == pick)], quarters,
                       f"{name}{BY_CODE[pick].name}：各季度", unit_label=name)
town = trend[(trend.unit == TOWN) & (trend.code == pick)].set_index("period")["value"]
fig.add_scatter(x=[p.short_zh for p in quarters],
                y=[town.get(p.label) for p in quarters], mode="lines", name="全镇",
                line=dict(color="#888", width=2, dash="dot"), hoverinfo="skip")
fig.update_layout(showlegend=True)
_ui.chart(fig, key="village_trend")

st.markdown(f"**{name} 各月报表**（空白表示未填报或不适用；右侧为数据来源）")
template = TEMPLATES["village_monthly"]
year = _ui.parse_period(str(period.first.year))
monthly = store.rows("village_monthly", year.first, year.last, _ui.db(), with_meta=True)
monthly = monthly[monthly.unit == unit.code].drop(columns=["unit"])
latest = _ui.months()[-1]
reported = {(m.year, m.month) for m in monthly["month"]}
missing = [m for m in year.month_list() if m <= latest and (m.year, m.month) not in reported]
if missing:
    st.warning(f"{name} 未填报的月份：" + "、".join(f"{m.month}月" for m in missing), icon=":material/event_busy:")
if monthly.empty:
    st.info(f"{name} 在 {year.label_zh} 还没有任何月报。")
else:
    monthly["month"] = [f"{m.month}月" for m in monthly["month"]]
    labels = {c.field: c.header for c in template.columns}
    labels.update(upload_id="上传编号", file_name="来源文件", sheet="工作表", excel_row="行号")
    st.dataframe(monthly.rename(columns=labels), hide_index=True, width="stretch",
                 height=_ui.table_height(len(monthly)))
