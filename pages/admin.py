"""管理: accounts, the audit trail and the configuration files (administrators only)."""
import streamlit as st

from data import auth, settings
from metrics.export import neutralise
from pages import _ui

me = _ui.user()
_ui.require("settings")  # the navigation hides this page; this refuses a crafted request too
st.title("系统管理")
accounts, log, config = st.tabs(["账号", "操作日志", "配置"])

with accounts:
    frame = auth.users(_ui.db())
    names = {u.code: u.name for u in _ui.units().units}
    if not frame.empty:
        frame = frame.assign(role=frame.role.map(auth.ROLES), unit=frame.unit.map(names))
    if frame.empty:
        st.info("还没有账号。开启登录后，第一次打开看板时会要求创建管理员账号；也可以在这里先添加。")
    else:
        st.dataframe(frame, hide_index=True, width="stretch", column_config={
            "name": "用户名", "role": "角色", "unit": "绑定单位", "created_at": "创建时间",
            "failures": "连续输错次数", "locked_until": "锁定至"})
    with st.form("add_user", clear_on_submit=True):
        st.markdown("**添加账号**")
        c1, c2, c3 = st.columns(3)
        name = c1.text_input("用户名")
        role = c2.selectbox("角色", list(auth.ROLES), format_func=auth.ROLES.get)
        unit = c3.selectbox("绑定单位（仅填报员）", list(names.values()), index=None, placeholder="不绑定")
        pw = st.text_input("初始密码（至少 8 位）", type="password")
        if st.form_submit_button("添加", type="primary"):
            try:
                auth.require(me, "user_add")
                added = auth.add_user(name, role, pw, unit or None, _ui.db(), by=me.name)
                st.success(f"已添加账号 {added.name}（{added.role_zh}）")
            except auth.AuthError as e:
                st.error(str(e))

with log:
    trail = auth.audit_log(_ui.db())
    if trail.empty:
        st.info("还没有任何操作记录。")
    trail = trail.assign(action=trail.action.map(lambda a: auth.ACTIONS.get(a, a)),
                         ok=trail.ok.map({True: "成功", False: "失败"}))
    trail = trail.rename(columns={"id": "序号", "logged_at": "时间", "user_name": "用户", "action": "操作",
                                  "ok": "结果", "detail": "详情"})
    safe = trail.map(lambda v: neutralise(v) if isinstance(v, str) else v)  # user names can hold formulas
    st.download_button("导出操作日志（CSV）", safe.to_csv(index=False).encode("utf-8-sig"),
                       "操作日志.csv", "text/csv", icon=":material/download:")
    st.dataframe(trail, hide_index=True, width="stretch")

with config:
    st.caption("修改后保存前会检查格式和内容（如权重之和必须为 100）；有错误时不会保存。")
    for name, title in settings.FILES.items():
        with st.expander(title):
            text = st.text_area(title, settings.read(name), height=360, key=f"cfg_{name}",
                                label_visibility="collapsed")
            if st.button("保存", key=f"save_{name}"):
                try:
                    settings.save(me, name, text, _ui.db())
                    _ui.clear_caches()
                    st.success("已保存并生效。")
                except (auth.AuthError, settings.SettingsError) as e:
                    st.error(str(e))
