"""考核: every unit's rule-of-law score and rank, why (each indicator's points), the weights and the evaluators' scores."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data import store
from data.config import TOWN
from data.schema import EVALUATOR_TYPES
from metrics import scoring
from metrics.catalogue import BY_CODE
from metrics.format import DASH
from metrics.targets import assessment
from pages import _ui

LIGHT = {"#E69F00", "#56B4E9", "#F0E442", "#CC79A7"}  # palette colours that need dark text


def contribution_figure(rows, codes: list[str], title: str) -> go.Figure:
    """Each indicator's points stacked per unit, and what was lost (no data included) in grey, up to 100."""
    rows = rows[rows["score"].notna()]
    fig = go.Figure()
    for i, code in enumerate(codes):
        color = _ui.PALETTE[i % len(_ui.PALETTE)]
        points = rows[f"c_{code}"].fillna(0)
        fig.add_bar(y=rows["unit_name"], x=points, orientation="h", name=BY_CODE[code].name, marker_color=color,
                    text=[f"{p:.0f}" if p >= 4 else "" for p in points], textposition="inside", insidetextanchor="middle",
                    textfont=dict(color="#222" if color in LIGHT else "white"),
                    hovertemplate="%{y} · " + BY_CODE[code].name + "：%{x:.2f} 分<extra></extra>")
    fig.add_bar(y=rows["unit_name"], x=100 - rows["score"], orientation="h", name="失分（含无数据）", marker_color="#D9D9D9",
                hovertemplate="%{y} · 失分：%{x:.2f} 分<extra></extra>")
    fig.update_layout(title=dict(text=title, yref="container", y=1, yanchor="top", pad=dict(t=12)), barmode="stack",
                      height=200 + 36 * len(rows), margin=dict(t=125),
                      legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0, traceorder="normal"))
    fig.update_xaxes(range=[0, 100], title="得分（各项权重 × 完成率，完成率最高按 100% 计）")
    fig.update_yaxes(autorange="reversed", title=None)
    return fig


f = _ui.filters()
period, prev = f.period, f.period.previous()
st.title(f"法治建设考核 · {period.label_zh}")
if not _ui.months():
    st.info("还没有数据，无法计算考核得分。请先在“填报”页上传报表，或在“总览”页载入示例数据。", icon=":material/info:")
    st.stop()
_ui.sample_banner()
units, share = _ui.units(), assessment().share
table = _ui.table([period, prev])
scores, before = (scoring.score_units(table, p, units) for p in (period, prev))
town, town_before = scores.set_index("unit").loc[TOWN], before.set_index("unit").loc[TOWN]

with st.container(border=True):
    c1, c2, c3 = st.columns(3)
    change = None if pd.isna(town_before.score) or pd.isna(town.score) else town.score - town_before.score
    c1.metric("全镇法治建设考核得分", _ui.value_text("rule_of_law_score", town.score),
              delta=None if change is None else f"{change:+.2f} 分（较上期）", help=BY_CODE["rule_of_law_score"].definition)
    c2.metric(f"计入绩效考核分值（占 {share:.0%}）", _ui.value_text("assessment_points", town.points))
    flags = scoring.flags_text(town.veto, town.missing)
    c3.markdown("**标记**\n\n" + (f":red-badge[:material/cancel: {flags}]" if town.veto else
                                  f":orange-badge[:material/warning: {flags}]" if flags else ":green-badge[:material/check_circle: 数据齐全，无一票否决]"))

st.caption(f"得分 = Σ 权重 × 完成率（完成率 = 实际值 ÷ 目标值，最高按 100% 计），满分 100；计入绩效考核分值 = 得分 × {share:.0%}。"
           "社区矫正出现脱管漏管即该项 0 分并标记“一票否决”，排在未否决单位之后；没有数据的指标不得分并标记“数据不全”。"
           "得分相差不到 1 分的单位，名次差别并不说明工作有实质差距。")
for tab, kind, who in zip(st.tabs(["各村", "镇直单位"]), ("village", "department"), ("各村", "镇直单位")):
    with tab:
        rows = scoring.ranking(scores, before, kind)
        _ui.chart(_ui.ranking_figure(rows, f"{who}法治建设考核得分排名"), key=f"rank_{kind}")
        shown = rows.assign(change=[DASH if pd.isna(c) else f"{c:+.2f}" for c in rows["change"]],
                            gap=[DASH if pd.isna(g) else "并列" if g < 0.005 else f"{g:.2f}" for g in rows["gap"]])
        st.dataframe(shown[["rank", "unit_name", "score", "points", "change", "gap", "remark"]], hide_index=True,
                     width="stretch", height=_ui.table_height(len(rows)), key=f"table_{kind}", column_config={
                         "rank": st.column_config.NumberColumn("名次"), "unit_name": "单位",
                         "score": st.column_config.ProgressColumn("得分", format="%.2f", min_value=0, max_value=100),
                         "points": st.column_config.NumberColumn(f"计入绩效（{share:.0%}）", format="%.2f"),
                         "change": st.column_config.TextColumn("较上期"), "gap": st.column_config.TextColumn("与上一名相差"),
                         "remark": st.column_config.TextColumn("标记", width="large")})
        _ui.chart(contribution_figure(rows, scoring.scored_codes(kind, units), f"{who}得分构成：每项指标得了多少分"),
                  key=f"contrib_{kind}")

st.subheader("考核权重")
weights = scoring.weights_table(units).set_index("indicator").drop(columns="code")
st.dataframe(weights.map(lambda w: "" if pd.isna(w) else f"{w:g}"), width="stretch", height=_ui.table_height(len(weights)),
             column_config={"indicator": "指标"})
st.caption("每组权重之和为 100，空白表示该项不计分；镇直单位可按单位单独设定权重。权重和目标由管理员在考核配置中修改。")

st.subheader("述职评议得分")
by_type = scoring.appraisal_by_type(store.rows("appraisal_scores", period.first, period.last, _ui.db()), period, units)
if by_type.empty:
    st.info(f"{period.first.year}年还没有述职评议打分。", icon=":material/info:")
    st.stop()
mix = "、".join(f"{t} {w:.0%}" for t, w in assessment().appraisal_weights.items())
st.caption(f"述职评议按年度打分。先按评议人类别求平均分，再按类别权重（{mix}）加权平均；缺少某类评议人时按其余类别的权重折算。")
st.dataframe(by_type.drop(columns=["unit", "kind"]), hide_index=True, width="stretch", height=_ui.table_height(len(by_type)),
             key="appraisal_table", column_config={"unit_name": "单位", "evaluators": "评议人数", **{
                 t: st.column_config.NumberColumn(t, format="%.1f") for t in EVALUATOR_TYPES},
                 "score": st.column_config.NumberColumn("加权得分", format="%.1f")})
fig = go.Figure([go.Bar(x=by_type["unit_name"], y=by_type[t], name=t, marker_color=_ui.PALETTE[i],
                        hovertemplate="%{x} · " + t + "：%{y:.1f} 分<extra></extra>") for i, t in enumerate(EVALUATOR_TYPES)])
fig.add_scatter(x=by_type["unit_name"], y=by_type["score"], mode="markers", name="加权得分",
                marker=dict(symbol="diamond", size=12, color="#000"), hovertemplate="%{x} · 加权得分：%{y:.1f} 分<extra></extra>")
fig.update_layout(title="各单位述职评议得分（按评议人类别）", barmode="group", height=460,
                  legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0))
fig.update_yaxes(range=[0, 100], title="平均分")
_ui.chart(fig, key="appraisal_types")
