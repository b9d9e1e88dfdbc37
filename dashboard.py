"""法治指标看板 — the router and the frame: sign-in, navigation by role, shared filters, chart style."""
import streamlit as st

from data.store import StoreBusy
from pages import _ui

st.set_page_config(page_title="法治指标看板", page_icon=":material/balance:", layout="wide")

READ = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("pages/villages.py", title="村庄", icon=":material/holiday_village:"),
    st.Page("pages/indicator.py", title="指标", icon=":material/monitoring:"),
]
MEETING = [
    st.Page("pages/appraisal.py", title="考核", icon=":material/leaderboard:"),
    st.Page("pages/present.py", title="会议投影", icon=":material/co_present:"),
    st.Page("pages/export.py", title="导出", icon=":material/download:"),
]
UPLOAD = [st.Page("pages/upload.py", title="填报", icon=":material/upload_file:")]
ADMIN = [st.Page("pages/admin.py", title="管理", icon=":material/admin_panel_settings:")]
BY_ROLE = {
    "admin": {"看指标": READ, "考核": MEETING, "报数据": UPLOAD, "系统": ADMIN},
    "leader": {"看指标": READ, "考核": MEETING},
    "clerk": {"看指标": READ, "报数据": UPLOAD},
}

try:
    user = _ui.signed_in()
    if user is None:  # until someone signs in, every address (a bookmark too) shows the sign-in page
        paths = {p.url_path for role in BY_ROLE.values() for section in role.values() for p in section} - {""}
        login = [st.Page(_ui.login_page, title="登录", default=True)]
        login += [st.Page(_ui.login_page, title="登录", url_path=path) for path in sorted(paths)]
        st.navigation(login, position="hidden").run()
        st.stop()
    page = st.navigation(BY_ROLE[user.role])
    wanted, params = st.session_state.pop("_wanted_page", (None, None))  # a bookmark opened before the router ran
    if wanted in {p.url_path for section in BY_ROLE[user.role].values() for p in section}:
        st.switch_page(f"pages/{wanted}.py", query_params=params)
    st.session_state["filters"] = _ui.sidebar_filters()
    _ui.user_box(user)
    _ui.install_plotly_template(st.session_state["filters"].big)
    _ui.frame_style(st.session_state["filters"].big)
    page.run()
except StoreBusy as busy:  # the command line holds the database for longer than we wait
    st.error(f"{busy}。", icon=":material/hourglass_top:")
