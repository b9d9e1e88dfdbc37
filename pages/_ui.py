"""What every page shares: the filters, the cached figures, the chart style and the small widgets.

Not a page (the underscore keeps it out of the navigation test). Caching stays here, in the UI
(STYLE 8): every cache is keyed on the database's data version, which every upload changes.
"""
from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from data import auth, store
from data.config import TOWN, Units, db_path, load_units
from metrics.catalogue import BY_CODE, Indicator
from metrics.compute import evaluate
from metrics.format import axis_format, fmt_change, fmt_value
from metrics.periods import Period, parse_period
from metrics import targets
from metrics.targets import BAD, NONE, OK, WARN, attainment, state, target, target_text

# Okabe–Ito: distinguishable with the common colour-vision deficiencies and on a washed-out projector.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
STATE_COLOR = {state: "#" + hex_ for state, hex_ in targets.STATE_COLOR.items()}
STATE_ICON = {OK: ":material/check_circle:", WARN: ":material/warning:", BAD: ":material/cancel:", NONE: ":material/remove:"}
STATE_BADGE = {OK: "green", WARN: "orange", BAD: "red", NONE: "gray"}
STATE_MARK = targets.STATE_MARK  # in charts, where material icons do not render
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 3, "filename": "法治指标"},
               "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


@dataclass(frozen=True)
class Filters:
    period: Period
    unit: str | None  # unit code, None for the whole town
    big: bool

    @property
    def unit_name(self) -> str:
        return TOWN if self.unit is None else units().by_code(self.unit).name


def units() -> Units:
    return load_units()


def db() -> str:
    return str(db_path())


@st.cache_data(show_spinner=False)
def _months(version: tuple, path: str) -> list:
    return store.months_with_data(path)


def months() -> list:
    """Months with any report, oldest first."""
    return _months(store.data_version(), db())


@st.cache_data(show_spinner="正在计算指标…")
def _table(labels: tuple[str, ...], version: tuple, path: str, unit_list: Units) -> pd.DataFrame:
    return evaluate([parse_period(label) for label in labels], path, units=unit_list)


def table_height(rows: int) -> int:
    """A dataframe height that shows every row without an inner scroll bar."""
    return 38 + 35 * rows


def table(periods: list[Period]) -> pd.DataFrame:
    """All indicators for the periods, per unit and for the town (cached until the next upload)."""
    return _table(tuple(p.label for p in periods), store.data_version(), db(), units())


@st.cache_data(show_spinner=False)
def _has_sample(version: tuple, path: str) -> bool:
    return store.has_sample(path)


def has_sample() -> bool:
    return _has_sample(store.data_version(), db())


def clear_caches() -> None:
    """After a write in this process; other processes' writes change the data version instead."""
    st.cache_data.clear()


# --- filters (drawn by dashboard.py in the sidebar, read by every page) ----------------------

GRAINS = {"年": 12, "季度": 3, "月": 1}


def sidebar_filters() -> Filters:
    """The shared period picker, unit filter and projector toggle; their state survives page switches."""
    known = months()
    latest = known[-1] if known else dt.date.today()
    years = sorted({m.year for m in known} | {latest.year}, reverse=True)
    ss = st.session_state
    if "f_big" not in ss:
        ss.f_big = st.query_params.get("big") == "1"
    with st.sidebar:
        st.markdown("**查看期间**")
        year = st.selectbox("年度", years, key="f_year", format_func=lambda y: f"{y}年")
        grain = st.segmented_control("粒度", list(GRAINS), key="f_grain", default="季度") or "季度"
        if grain == "季度":
            options = [Period(dt.date(year, m, 1), 3) for m in (1, 4, 7, 10)]
        elif grain == "月":
            options = [Period(dt.date(year, m, 1), 1) for m in range(1, 13)]
        else:
            options = [Period(dt.date(year, 1, 1), 12)]
        default = next((i for i, p in enumerate(options) if p.contains(latest)), len(options) - 1)
        if ss.get("f_sub_grain") != (year, grain):
            ss.f_sub_grain = (year, grain)
            ss.f_sub = options[default].label
        labels = [p.label for p in options]
        if ss.get("f_sub") not in labels:
            ss.f_sub = labels[default]
        sub = st.selectbox("期间", labels, key="f_sub", format_func=lambda l: parse_period(l).label_zh,
                           disabled=grain == "年")
        names = [TOWN] + [u.name for u in units().units]
        if "_pending_unit" in ss:  # a click on a chart chose a village; widgets can only be set before drawing
            ss.f_unit = ss.pop("_pending_unit")
        unit_name = st.selectbox("单位", names, key="f_unit", help="选择全镇或某个村、镇直单位")
        big = st.toggle("投影模式（大字号）", key="f_big", help="会议投影时使用，也可在网址后加 ?big=1")
    if big:
        st.query_params["big"] = "1"
    elif "big" in st.query_params:
        del st.query_params["big"]
    period = parse_period(sub)
    unit = None if unit_name == TOWN else units().by_name(unit_name).code
    return Filters(period, unit, big)


def _via_router() -> None:
    """A first request straight to /upload runs the page without dashboard.py (Streamlit's folder
    pages); send it through the router so sign-in and the filters always come first."""
    if "filters" not in st.session_state or "user" not in st.session_state:
        page = next((Path(f.filename).stem for f in inspect.stack() if Path(f.filename).parent.name == "pages"
                     and not Path(f.filename).stem.startswith("_")), None)
        st.session_state["_wanted_page"] = (page, st.query_params.to_dict())  # reopened through the router
        st.switch_page("dashboard.py")


def filters() -> Filters:
    _via_router()
    return st.session_state["filters"]


# --- chart style -----------------------------------------------------------------------------


def install_plotly_template(big: bool) -> None:
    size = 22 if big else 15
    pio.templates["fazhi"] = go.layout.Template(layout=go.Layout(
        font=dict(family=FONT, size=size, color="#222"),
        title=dict(font=dict(size=size + 4), x=0, xanchor="left"),
        colorway=PALETTE,
        paper_bgcolor="white", plot_bgcolor="white",
        xaxis=dict(showgrid=False, linecolor="#888", ticks="outside", automargin=True),
        yaxis=dict(gridcolor="#e5e5e5", zerolinecolor="#bbb", automargin=True),
        legend=dict(orientation="h", y=-0.18),
        hoverlabel=dict(font=dict(family=FONT)),
        margin=dict(l=20, r=20, t=70, b=20),
        separators=".,",
    ))
    pio.templates.default = "fazhi"


def chart(fig: go.Figure, key: str | None = None, on_select: bool = False):
    """Draw with our template (not Streamlit's theme), PNG export at print scale."""
    return st.plotly_chart(fig, theme=None, config=PLOT_CONFIG, key=key, width="stretch",
                           on_select="rerun" if on_select else "ignore",
                           selection_mode="points" if on_select else ("points", "box", "lasso"))


def value_text(code: str, value) -> str:
    ind = BY_CODE[code]
    return fmt_value(value, ind.fmt, ind.unit)


def state_of(code: str, value, period: Period, per_unit: bool = False) -> str:
    return state(attainment(code, value, period, per_unit))


def kpi_card(code: str, value, before, period: Period, prev_label: str, per_unit: bool = False) -> None:
    """Value, target, state word with icon and colour, change from the previous period (the arrow)."""
    ind = BY_CODE[code]
    st_ = state_of(code, value, period, per_unit)
    has_target = target(code, period, per_unit) is not None
    with st.container(border=True):
        delta = fmt_change(value, before, ind.fmt)
        flat = delta is not None and not any(ch in "123456789" for ch in delta)
        # Without a target a rise is neither good nor bad (more disputes received, say): no colour.
        color = "off" if flat or not has_target else "inverse" if ind.direction == "zero" else "normal"
        label = ind.name if ind.unit in ("%", "") else f"{ind.name}（{ind.unit}）"
        st.metric(label, fmt_value(value, ind.fmt), delta=delta, delta_color=color,
                  help=f"{ind.definition} 箭头为与{prev_label}相比的变化。")
        if has_target:
            st.markdown(f":{STATE_BADGE[st_]}-badge[{STATE_ICON[st_]} {st_}] &nbsp; {target_text(code, period, per_unit)}")
        else:
            st.markdown(":gray-badge[无目标]")


def trend_figure(code: str, frame: pd.DataFrame, periods: list[Period], title: str, unit_label: str = TOWN) -> go.Figure:
    """Quarterly (or monthly) values of one indicator with the target as a line; gaps stay gaps."""
    ind = BY_CODE[code]
    values = [frame.loc[(frame.period == p.label), "value"].squeeze() if (frame.period == p.label).any() else None
              for p in periods]
    values = [None if v is None or (isinstance(v, float) and pd.isna(v)) else v for v in values]
    x = [p.short_zh if len({q.first.year for q in periods}) == 1 else p.label_zh for p in periods]
    texts = [fmt_value(v, ind.fmt) if v is not None else "无数据" for v in values]
    # Labels on every point collide in a narrow column: label the latest point, hover shows the rest.
    last = max((i for i, v in enumerate(values) if v is not None), default=None)
    labels = [t if i == last else "" for i, t in enumerate(texts)]
    fig = go.Figure()
    if ind.is_rate:
        fig.add_scatter(x=x, y=values, mode="lines+markers+text", text=labels, textposition="top center",
                        customdata=texts,
                        name=unit_label, line=dict(width=3), marker=dict(size=10), connectgaps=False, cliponaxis=False,
                        hovertemplate="%{x}：%{customdata}<extra></extra>")
    else:
        fig.add_bar(x=x, y=values, text=texts, textposition="outside", name=unit_label,
                    hovertemplate="%{x}：%{text}<extra></extra>")
    goal = target(code, periods[0], per_unit=unit_label != TOWN) if periods else None
    if goal is not None:
        fig.add_hline(y=goal, line=dict(color="#444", dash="dash", width=2),
                      annotation_text=f"目标 {fmt_value(goal, ind.fmt)}", annotation_position="bottom right")
    fig.update_layout(title=title, showlegend=False, height=340)
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(tickformat=axis_format(ind.fmt), title=ind.unit if ind.unit != "%" else None,
                     rangemode="tozero")
    _whole_ticks(fig, ind, values, "y")
    shown = [v for v in values if v is not None] + ([goal] if goal is not None else [])
    if ind.fmt == "pct" and shown:
        # Rates near their target would be a flat line on a 0–100% axis; start 5 points below the lowest.
        low = max(0.0, min(shown) - 0.05)
        fig.update_yaxes(range=[low, max(max(shown), 1.0) + (1.0 - low) * 0.15], rangemode=None)
    return fig


def _whole_ticks(fig: go.Figure, ind: Indicator, values: list, axis: str) -> None:
    """Counts get whole-number ticks: a small range would otherwise print 0 0 0 1 1 1."""
    present = [v for v in values if v is not None]
    if ind.fmt == "int" and present and max(present) <= 10:
        (fig.update_yaxes if axis == "y" else fig.update_xaxes)(dtick=1)


def units_figure(code: str, rows: pd.DataFrame, period: Period, title: str, highlight: str | None = None) -> go.Figure:
    """One bar per unit, worst first, coloured and labelled by state; units without data say so."""
    ind = BY_CODE[code]
    rows = rows.copy()
    rows["state"] = [state_of(code, v, period, per_unit=True) for v in rows["value"]]
    has_target = target(code, period, per_unit=True) is not None
    rows["sort"] = [(-1e18 if v is None else v) for v in rows["value"]]
    rows = rows.sort_values("sort", ascending=ind.direction != "zero")
    labels = []
    for v, s in zip(rows["value"], rows["state"]):
        text = fmt_value(v, ind.fmt) if v is not None else "无数据"
        labels.append(f"{text} {STATE_MARK[s]} {s}" if has_target and v is not None else text)
    colors = [STATE_COLOR[s] if has_target else PALETTE[0] for s in rows["state"]]
    if highlight:
        colors = [c if name == highlight else c + "88" for c, name in zip(colors, rows["unit_name"])]
    fig = go.Figure(go.Bar(
        y=rows["unit_name"], x=[0 if v is None else v for v in rows["value"]], orientation="h",
        marker_color=colors, text=labels, textposition="outside", cliponaxis=False,
        customdata=rows["unit"], hovertemplate="%{y}：%{text}<extra>点击查看该村</extra>"))
    goal = target(code, period, per_unit=True)
    if goal is not None and ind.direction != "zero":
        fig.add_vline(x=goal, line=dict(color="#444", dash="dash", width=2),
                      annotation_text=f"目标 {fmt_value(goal, ind.fmt)}", annotation_position="top")
    fig.update_layout(title=title, height=max(300, 34 * len(rows) + 90), showlegend=False)
    fig.update_xaxes(tickformat=axis_format(ind.fmt), title=None)
    _whole_ticks(fig, ind, list(rows["value"]), "x")
    fig.update_yaxes(autorange="reversed", title=None)
    if ind.fmt == "pct":
        fig.update_xaxes(range=[0, 1.3])
    return fig


def ranking_figure(rows: pd.DataFrame, title: str, height: int | None = None) -> go.Figure:
    """Best first on a 0–100 axis, so that a gap of 0.3 looks like 0.3; the gap to the unit above on the right."""
    rows = rows[rows["score"].notna()]
    names = [f"{int(r)}. {n}" for r, n in zip(rows["rank"], rows["unit_name"])]
    fig = go.Figure(go.Bar(
        y=names, x=rows["score"], orientation="h", marker_color=[STATE_COLOR[BAD] if v else PALETTE[0] for v in rows["veto"]],
        text=[f"{s:.2f}" + (" ✘ 一票否决" if v else "") + (" · 数据不全" if m else "")
              for s, v, m in zip(rows["score"], rows["veto"], rows["missing"])],
        textposition="inside", insidetextanchor="end", textfont=dict(color="white"), hovertemplate="%{y}：%{x:.2f} 分<extra></extra>"))
    fig.add_scatter(y=names, x=[101] * len(rows), mode="text", textposition="middle right", hoverinfo="skip",
                    text=["" if pd.isna(g) else "并列" if g < 0.005 else f"差 {g:.2f}" for g in rows["gap"]], textfont=dict(color="#555"))
    fig.add_annotation(x=101, y=1, yref="paper", yanchor="bottom", xanchor="left", text="与上一名", showarrow=False)
    fig.update_layout(title=title, height=height or 80 + 40 * len(rows), showlegend=False, bargap=0.25)
    fig.update_xaxes(range=[0, 118], tickvals=list(range(0, 101, 20)), title="法治建设考核得分（满分 100）")
    fig.update_yaxes(autorange="reversed", title=None)
    return fig


def follow_click(event, chart_key: str) -> None:
    """Open the 村庄 page on a village clicked in a chart, once per click (a selection outlives reruns)."""
    code = selected_unit(event)
    handled = st.session_state.setdefault("_handled_clicks", {})
    if code is None:
        handled.pop(chart_key, None)
        return
    if handled.get(chart_key) == code or units().by_code(code).kind != "village":
        return
    handled[chart_key] = code
    st.session_state["_pending_unit"] = units().by_code(code).name
    st.switch_page("pages/villages.py")


def selected_unit(event) -> str | None:
    """The unit code a click on a units_figure bar selected, if any."""
    try:
        points = event.selection.points
    except AttributeError:
        return None
    return points[0].get("customdata") if points else None


def sample_banner() -> None:
    if has_sample():
        st.info("当前数据包含 **示例数据**（虚构的 2025 年数据，用于演示）。可在“填报”页一键删除。",
                icon=":material/science:")



def frame_style(big: bool) -> None:
    """Chinese-first typography; larger type in projector mode."""
    size = "21px" if big else "16px"
    st.html(f"""<style>
    html {{ font-size: {size}; }}
    [data-testid="stMetricValue"] {{ font-size: {"3.2rem" if big else "2.2rem"}; }}
    [data-testid="stMetricLabel"] p {{ font-size: {"1.3rem" if big else "1rem"}; font-weight: 600; }}
    </style>""")


# --- who is using the dashboard ------------------------------------------------------------


def user() -> auth.User:
    """The signed-in user (the local admin in single-user laptop mode)."""
    _via_router()
    return st.session_state["user"]


def signed_in() -> auth.User | None:
    """The signed-in user, refreshed on every run; None when nobody is (or the session expired)."""
    if not auth.auth_enabled():
        st.session_state["user"] = auth.LOCAL_ADMIN
        return auth.LOCAL_ADMIN
    now = dt.datetime.now()
    signed = st.session_state.get("user")
    until = st.session_state.get("user_until")
    if signed is not None and until is not None and now < until:
        st.session_state["user_until"] = now + dt.timedelta(minutes=auth.SESSION_MINUTES)
        return signed
    if signed is not None:
        st.session_state.pop("user", None)
        st.session_state["login_message"] = "登录已过期，请重新登录。"
    return None


def login_page() -> None:
    """First start (create the first administrator) or sign-in; no figure is shown before it."""
    with st.columns([1, 2, 1])[1]:
        _login_forms()


def _login_forms() -> None:
    st.title("法治指标看板")
    if not auth.has_users(db()):
        st.markdown("首次使用：请创建第一个**管理员**账号。之后由管理员为各村、镇直单位的填报员和领导添加账号。")
        with st.form("first_admin"):
            name = st.text_input("管理员用户名")
            pw = st.text_input("密码（至少 8 位）", type="password")
            pw2 = st.text_input("再次输入密码", type="password")
            if st.form_submit_button("创建管理员账号", type="primary"):
                if pw != pw2:
                    st.error("两次输入的密码不一致。")
                elif auth.has_users(db()):
                    st.error("管理员账号已经存在，请直接登录。")
                else:
                    try:
                        auth.add_user(name, "admin", pw, db=db())
                        st.success("管理员账号已创建，请登录。")
                    except auth.AuthError as e:
                        st.error(str(e))
        return
    if "login_message" in st.session_state:
        st.info(st.session_state.pop("login_message"))
    with st.form("login"):
        name = st.text_input("用户名")
        pw = st.text_input("密码", type="password")
        if st.form_submit_button("登录", type="primary"):
            try:
                st.session_state["user"] = auth.login(name.strip(), pw, db())
                st.session_state["user_until"] = dt.datetime.now() + dt.timedelta(minutes=auth.SESSION_MINUTES)
                st.rerun()
            except auth.AuthError as e:
                st.error(str(e))


def user_box(current: auth.User) -> None:
    with st.sidebar:
        st.divider()
        if not auth.auth_enabled():
            st.warning("单机模式：未启用账号登录，任何能打开本页面的人都可以查看和修改数据。",
                       icon=":material/lock_open:")
            return
        unit = f" · {units().by_code(current.unit).name}" if current.unit else ""
        st.caption(f"当前用户：{current.name}（{current.role_zh}{unit}）")
        if st.button("退出登录", icon=":material/logout:"):
            auth.audit("logout", current.name, True, "", db())
            for key in ("user", "user_until"):
                st.session_state.pop(key, None)
            st.rerun()


_MARKDOWN = re.compile(r"([\\`*_\[\]()#!|<>~:$])")  # what can start a link, image, emphasis, icon or tag


def literal(text: object) -> str:
    """User text (file and sheet names) inside markdown: escaped so it can never become a link or image."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def require(action: str) -> None:
    """Refuse a page to a role that may not use it, in Chinese (the navigation already hides it)."""
    try:
        auth.require(user(), action)
    except auth.AuthError as e:
        st.error(str(e), icon=":material/block:")
        st.stop()
