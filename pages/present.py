"""会议投影: one message per screen in type readable from the back of the room; ← → or the buttons turn the page."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data.config import TOWN
from metrics import scoring
from metrics.catalogue import BY_CODE, HEADLINE
from metrics.format import fmt_value
from metrics.targets import BAD, NONE, WARN, annotate
from pages import _ui

st.html("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] { padding: 1.2rem 3rem 0.5rem; max-width: 100%; }
h1 { font-size: 48px !important; padding: 0 0 .3rem !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stPageLink"] p, .stButton p, .stButton kbd { font-size: 26px !important; }
[data-testid="stMarkdownContainer"] p span { font-size: 24px !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p { font-size: 56px !important; line-height: 1.15; }
[data-testid="stMetricLabel"] p { font-size: 30px !important; }
[data-testid="stMetricDelta"] p { font-size: 24px !important; }
[data-testid="stMetricDelta"] svg { width: 24px; height: 24px; }
</style>""")
_ui.install_plotly_template(True)  # 22px type in every chart, whatever the sidebar toggle says
CHART_HEIGHT = 820  # with the title and the paging row, fills a 1920×1080 projector

f = _ui.filters()
period, prev = f.period, f.period.previous()
if not _ui.months():
    st.title("会议投影")
    st.info("还没有数据。请先在“填报”页上传报表，或在“总览”页载入示例数据。", icon=":material/info:")
    st.page_link("pages/overview.py", label="退出投影", icon=":material/close:")
    st.stop()

units = _ui.units()
table = _ui.table([period, prev])
scores = scoring.score_units(table, period, units)
villages = units.of_kind("village")
now = table[table.period == period.label]


def overall(_) -> None:
    st.title(f"法治建设总览 · {period.label_zh}")
    town = now[now.unit == TOWN].set_index("code")["value"]
    before = table[(table.period == prev.label) & (table.unit == TOWN)].set_index("code")["value"]
    for col, code in zip(st.columns(len(HEADLINE)), reversed(HEADLINE)):
        with col:
            _ui.kpi_card(code, town.get(code), before.get(code), period, "上期")
    states = {c: _ui.state_of(c, town.get(c), period) for c in town.index if _ui.target(c, period) is not None}
    off = [BY_CODE[c].name for c, s in states.items() if s in (BAD, WARN)]
    st.markdown(f"本期 {len(states)} 项有目标的指标中 {len(states) - len(off)} 项达标"
                + (f"；未达标或预警：{'、'.join(off)}。" if off else "。"))
    weights = scoring.weights_for(TOWN, "town")
    points = scores.set_index("unit").loc[TOWN, [f"c_{c}" for c in weights]].astype(float).tolist()
    names = [BY_CODE[c].name for c in weights]
    fig = go.Figure([go.Bar(y=names, x=points, orientation="h", marker_color=_ui.PALETTE[0], name="得分"),
                     go.Bar(y=names, x=[w - p for p, w in zip(points, weights.values())], orientation="h",
                            marker_color="#D9D9D9", name="失分", hoverinfo="skip", cliponaxis=False, textposition="outside",
                            constraintext="none", text=[f"{p:.1f} / {w:g}" for p, w in zip(points, weights.values())])])
    fig.update_layout(barmode="stack", height=CHART_HEIGHT - 250, title="全镇得分构成：各项得分 / 权重（灰色为失分）",
                      showlegend=False, margin=dict(t=60, r=40), bargap=0.25)
    fig.update_xaxes(range=[0, max(weights.values()) * 1.2], title=None)
    fig.update_yaxes(autorange="reversed")
    _ui.chart(fig, key="slide_overall")


def indicator(code: str) -> None:
    st.title(f"{BY_CODE[code].name} · {period.label_zh}")
    fig = _ui.units_figure(code, now[(now.code == code) & (now.unit != TOWN) & now.value.notna()], period, None)
    town = now[(now.unit == TOWN) & (now.code == code)]["value"].squeeze()
    fig.update_layout(height=CHART_HEIGHT, margin=dict(t=90, r=220),
                      title=f"全镇 {_ui.value_text(code, town)}（{_ui.target_text(code, period)}）；各单位由低到高")
    # Labels inside the long bars and the target line behind them, so that no label is struck through.
    fig.update_traces(textposition="auto", insidetextanchor="end", constraintext="none", selector=dict(type="bar"))
    fig.update_shapes(layer="below")
    _ui.chart(fig, key=f"slide_{code}")


def ranking(kind: str) -> None:
    st.title(f"{'各村' if kind == 'village' else '镇直单位'}法治建设考核得分排名 · {period.label_zh}")
    rows = scoring.ranking(scores, None, kind)
    fig = _ui.ranking_figure(rows, "满分 100；右侧为与上一名的分差", height=CHART_HEIGHT)
    _ui.chart(fig, key=f"slide_rank_{kind}")


def village(code: str) -> None:
    st.title(f"{units.by_code(code).name} · 各项考核指标完成情况")
    codes = list(scoring.weights_for(code, "village"))
    rows = annotate(now[(now.unit == code) & now.code.isin(codes)], period).set_index("code").loc[codes]
    goals = [_ui.target(c, period, per_unit=True) for c in codes]
    fig = go.Figure(go.Bar(
        y=[BY_CODE[c].name for c in codes], x=[0 if pd.isna(a) else min(a, 1.5) for a in rows["attainment"]],
        orientation="h", marker_color=[_ui.STATE_COLOR[s] for s in rows["state"]], cliponaxis=False,
        textposition="auto", insidetextanchor="end", constraintext="none",
        text=["无数据" if s == NONE else f"{fmt_value(v, BY_CODE[c].fmt)} / 目标 "
              f"{fmt_value(g, 'dec1' if BY_CODE[c].fmt == 'int' else BY_CODE[c].fmt)}  {_ui.STATE_MARK[s]} {s}"
              for c, v, g, s in zip(codes, rows["value"], goals, rows["state"])]))
    fig.add_vline(x=1, line=dict(color="#444", dash="dash", width=2), annotation_text="目标", annotation_position="top",
                  layer="below")
    row = scores.set_index("unit").loc[code]
    rank = "" if pd.isna(row["rank"]) else f"，各村第 {row['rank']} 名（共 {len(villages)} 个村）"
    fig.update_layout(height=CHART_HEIGHT, margin=dict(t=90, r=330),
                      title=f"考核得分 {_ui.value_text('rule_of_law_score', row.score)}{rank}；条形为完成率（实际 ÷ 目标）")
    fig.update_xaxes(range=[0, 1.5], tickvals=[0, 0.25, 0.5, 0.75, 1, 1.25, 1.5],
                     ticktext=["0", "25%", "50%", "75%", "100%", "125%", "≥150%"])
    fig.update_yaxes(autorange="reversed")
    _ui.chart(fig, key=f"slide_village_{code}")


# The fixed order of the meeting: the town, each headline indicator, the rankings, each village.
slides = ([(overall, None)] + [(indicator, c) for c in HEADLINE if c != "rule_of_law_score"]
          + [(ranking, "village"), (ranking, "department")] + [(village, u.code) for u in villages])

ss = st.session_state
if "present_slide" not in ss:
    wanted = st.query_params.get("slide", "1")
    ss.present_slide = int(wanted) - 1 if wanted.isdigit() else 0
ss.present_slide = min(max(ss.present_slide, 0), len(slides) - 1)


def turn(step: int) -> None:
    ss.present_slide = min(max(ss.present_slide + step, 0), len(slides) - 1)


show, arg = slides[ss.present_slide]
show(arg)

left, back, counter, fwd, _, out = st.columns([1.2, 1.6, 1.2, 1.6, 4, 1.8], vertical_alignment="center")
if _ui.has_sample():
    left.markdown(":gray[示例数据]")
back.button("上一页", key="prev", shortcut="Left", on_click=turn, args=(-1,),
            disabled=ss.present_slide == 0, width="stretch")
counter.markdown(f"**{ss.present_slide + 1} / {len(slides)}**")
fwd.button("下一页", key="next", shortcut="Right", on_click=turn, args=(1,),
           disabled=ss.present_slide == len(slides) - 1, width="stretch")
out.page_link("pages/overview.py", label="退出投影", icon=":material/close:")
st.query_params["slide"] = str(ss.present_slide + 1)
