"""总览: which indicators are off target this period, and which villages pull them down."""
import streamlit as st

from data.config import TOWN
from data.reporting import quarter_completeness
from metrics.catalogue import CATALOGUE, HEADLINE
from metrics.periods import Period, add_months
from metrics.targets import BAD, WARN
from pages import _ui

f = _ui.filters()
period, prev = f.period, f.period.previous()
st.title(f"法治建设总览 · {period.label_zh}")

if not _ui.months():
    st.markdown("#### 欢迎使用法治指标看板\n"
                "各村、镇直单位每月上传报表，看板自动核对、保存，并按村、按季度计算考核指标。"
                "现在还没有任何数据：可以先下载模板填报、直接上传报表，或载入一年示例数据看看效果。")
    c1, c2, c3 = st.columns(3)
    c1.page_link("pages/upload.py", label="下载填报模板", icon=":material/download:")
    c2.page_link("pages/upload.py", label="上传报表", icon=":material/upload_file:")
    if _ui.user().role == "admin" and c3.button("载入 2025 年示例数据", icon=":material/science:", type="primary"):
        from data import actions

        with st.spinner("正在载入示例数据…"):
            actions.load_sample(_ui.user(), _ui.db())
        _ui.clear_caches()
        st.rerun()
    st.stop()

_ui.sample_banner()
reported, expected, missing = quarter_completeness(period, _ui.db(), units=_ui.units())
checked = period if period.months >= 3 else Period(add_months(period.first, -((period.first.month - 1) % 3)), 3)
if missing:
    st.warning(f"{checked.label_zh}尚有 {len(missing)} 个单位未按时报送（已报 {reported}/{expected}）："
               + "、".join(_ui.units().by_code(c).name for c in missing) + "。本期数字可能不完整。",
               icon=":material/event_busy:")
table = _ui.table([period, prev])
who = f.unit or TOWN
now = table[(table.period == period.label) & (table.unit == who)].set_index("code")["value"]
before = table[(table.period == prev.label) & (table.unit == who)].set_index("code")["value"]
shown = [i for i in CATALOGUE if i.code in now.index]
if f.unit:
    st.caption(f"单位：{f.unit_name}（只显示适用于该单位的指标）")

states = {i.code: _ui.state_of(i.code, now.get(i.code), period, per_unit=bool(f.unit)) for i in shown}
bad = [i.name for i in shown if states[i.code] == BAD]
warn = [i.name for i in shown if states[i.code] == WARN]
if bad or warn:
    st.warning(("**未达标 " + str(len(bad)) + " 项**：" + "、".join(bad) if bad else "")
               + ("；" if bad and warn else "") + ("**预警 " + str(len(warn)) + " 项**：" + "、".join(warn) if warn else ""),
               icon=":material/flag:")
else:
    st.success("本期有目标的指标全部达标。", icon=":material/check_circle:")

st.subheader("核心指标")
headline = [i for i in shown if i.code in HEADLINE]
for col, ind in zip(st.columns(max(1, len(headline))), headline):
    with col:
        _ui.kpi_card(ind.code, now.get(ind.code), before.get(ind.code), period, "上期", per_unit=bool(f.unit))

year_quarters = [p for p in _ui.parse_period(str(period.first.year)).children()]
trend = _ui.table(year_quarters)
trend = trend[trend.unit == who]
for start in range(0, len(headline), 2):  # two per row: quarter labels need the width on a laptop
    for col, ind in zip(st.columns(2), headline[start:start + 2]):
        with col:
            _ui.chart(_ui.trend_figure(ind.code, trend[trend.code == ind.code], year_quarters,
                                       f"{ind.name}·各季度"), key=f"trend_{ind.code}")

st.subheader("其他指标")
others = [i for i in shown if i.code not in HEADLINE]
for start in range(0, len(others), 4):
    for col, ind in zip(st.columns(4), others[start:start + 4]):
        with col:
            _ui.kpi_card(ind.code, now.get(ind.code), before.get(ind.code), period, "上期", per_unit=bool(f.unit))

if not f.unit:
    off = [i for i in shown if states[i.code] in (BAD, WARN)]
    st.subheader("未达标指标：哪些单位拉低了全镇")
    if not off:
        st.success("本期所有有目标的指标均已达标。", icon=":material/check_circle:")
    for ind in off:
        if ind.town_only:
            st.markdown(f"**{ind.name}** 只按全镇统计：{_ui.value_text(ind.code, now.get(ind.code))}，"
                        f"{_ui.target_text(ind.code, period)}。各村情况见“村庄”页的月报明细。")
            continue
        if _ui.target(ind.code, period, per_unit=True) is None:
            st.markdown(f"**{ind.name}** 按全镇考核（各单位没有分摊目标）：{_ui.value_text(ind.code, now.get(ind.code))}，"
                        f"{_ui.target_text(ind.code, period)}。")
            continue
        rows = table[(table.period == period.label) & (table.code == ind.code) & (table.unit != TOWN)]
        rows = rows[[(_ui.state_of(ind.code, v, period, per_unit=True) in (BAD, WARN)) for v in rows["value"]]]
        title = f"{ind.name}未达标的单位（{len(rows)} 个）"
        if rows.empty:
            continue
        event = _ui.chart(_ui.units_figure(ind.code, rows, period, title), key=f"low_{ind.code}", on_select=True)
        _ui.follow_click(event, f"low_{ind.code}")
