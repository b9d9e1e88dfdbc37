"""法治指标看板 — the router and the frame: navigation, shared filters, chart style. Nothing else."""
import streamlit as st

from pages import _ui

st.set_page_config(page_title="法治指标看板", page_icon=":material/balance:", layout="wide")

PAGES = {
    "看指标": [
        st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
        st.Page("pages/villages.py", title="村庄", icon=":material/holiday_village:"),
        st.Page("pages/indicator.py", title="指标", icon=":material/monitoring:"),
    ],
    "考核": [
        st.Page("pages/appraisal.py", title="考核", icon=":material/leaderboard:"),
        st.Page("pages/present.py", title="会议投影", icon=":material/co_present:"),
        st.Page("pages/export.py", title="导出", icon=":material/download:"),
    ],
    "报数据": [
        st.Page("pages/upload.py", title="填报", icon=":material/upload_file:"),
    ],
}

page = st.navigation(PAGES)
st.session_state["filters"] = _ui.sidebar_filters()
_ui.install_plotly_template(st.session_state["filters"].big)
_ui.frame_style(st.session_state["filters"].big)
page.run()
