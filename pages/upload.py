"""填报: template downloads, upload with check → preview → 确认导入, upload history with rollback, who has reported."""
import re
from functools import partial

import pandas as pd
import streamlit as st

from data import actions, reporting, store
from data.auth import AuthError
from data.highlight import highlight_errors, highlighted_name
from data.importer import ACCEPTED, MAX_FILE_BYTES, MAX_FILES, Upload
from data.schema import TEMPLATES
from data.template_xlsx import template_bytes
from pages import _ui

MB = MAX_FILE_BYTES // 1024 // 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHO_FILLS = {
    "village_monthly": "各村委会每月填报，每村每月一行。",
    "department_monthly": "镇直单位每月填报，每单位每月一行，只填与本单位有关的列。",
    "training_ledger": "每次学法、培训登记一行，可随时上传。",
    "appraisal_scores": "年度述职评议时填写，每位评议人对每个单位一行。",
}
STATE_STYLE = {reporting.REPORTED: "background-color:#d4edda", reporting.LATE: "background-color:#fde9c8",
               reporting.MISSING: "background-color:#f8d0c8;font-weight:bold", reporting.NOT_DUE: "color:#888"}
STATE_BADGE = dict(zip(reporting.STATES, ("green", "orange", "red", "gray")))
PROBLEM_COLUMNS = {"file": "文件", "sheet": "工作表", "row": "行", "column": "列", "value": "填写的值", "reason": "问题", "fix": "怎么改"}
CHANGE_COLUMNS = {"unit": "单位", "period": "期间", "record": "记录", "header": "项目", "old": "原值", "new": "新值"}
HISTORY_COLUMNS = {"id": st.column_config.NumberColumn("编号", format="%d"),  # the wide columns last
                   "uploaded_at": st.column_config.DatetimeColumn("上传时间", format="YYYY-MM-DD HH:mm"),
                   "state": "状态", "user_name": "上传人", "rows_added": "新增行", "rows_replaced": "替换行",
                   "files": "文件", "hash": "SHA-256（前12位）"}
ss = st.session_state
me = _ui.user()

# Streamlit's uploader speaks English (streamlit issue #13500): hide its words, show ours.
st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] > * {{ display: none; }}
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"]::after {{ content: "选择文件"; }}
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: flex; flex-direction: column; align-items: flex-start; }}
[data-testid="stFileUploaderDropzoneInstructions"] > * {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"]::before {{
  content: "将报表文件拖到这里，或点击选择文件"; display: block; font-weight: 600; }}
[data-testid="stFileUploaderDropzoneInstructions"]::after {{
  content: "单个文件不超过{MB}MB，支持 {' '.join(ACCEPTED)}"; display: block; font-size: .85rem; opacity: .7; }}
[data-testid="stFileChip"][aria-invalid="true"] [role="alert"] {{ display: none; }}
[data-testid="stFileChip"][aria-invalid="true"]::after {{
  content: "文件超过{MB}MB或上传失败，请删除无关内容或拆分后重新选择"; color: #D55E00; font-size: .8rem; }}
</style>""")


def _check(files) -> dict:
    """Read and validate once per set of files and database state; nothing is written."""
    uploads = [Upload(f.name, f.getvalue()) for f in files]
    key = (tuple((u.name, u.sha256) for u in uploads), store.data_version(_ui.db()))
    if ss.get("pending", {}).get("key") != key:
        with st.spinner(f"正在读取并检查 {len(uploads)} 个文件…", show_time=True):
            result = actions.upload(me, uploads, _ui.db(), commit=False)
            marked = {} if result.ok else {u.name: highlight_errors(u, result.problems) for u in uploads}
        ss.pending = {"key": key, "uploads": uploads, "result": result, "marked": marked}
    return ss.pending


def _commit(pending: dict) -> None:
    result = actions.upload(me, pending["uploads"], _ui.db(), commit=True)
    if result.ok:
        _ui.clear_caches()
        ss.upload_done = (f"导入成功（第 {result.upload_id} 次上传）：新增 {result.added} 行，替换 {result.replaced} 行"
                          + (f"，{result.unchanged} 行与已有数据相同" if result.unchanged else "") + "。")
        ss.upload_round = ss.get("upload_round", 0) + 1  # a fresh, empty uploader
        del ss.pending
    else:  # the data or the configuration changed since the preview
        pending["result"] = result
    st.rerun()


def _problems(pending: dict) -> None:
    result = pending["result"]
    st.error(f"发现 {len(result.problems)} 处问题，本次没有导入任何数据。请按下表逐条修改后重新上传。", icon=":material/error:")
    names = [u.name for u in pending["uploads"]]
    letters = lambda p: re.match(r"[A-Z]*", p.column or "")[0]  # noqa: E731
    ordered = sorted(result.problems, key=lambda p: (names.index(p.file) if p.file in names else -1, p.sheet or "",
                                                     p.row or 0, len(letters(p)), letters(p)))
    frame = pd.DataFrame([["" if getattr(p, k) is None else str(getattr(p, k)) for k in PROBLEM_COLUMNS] for p in ordered],
                         columns=list(PROBLEM_COLUMNS.values()))
    # A static table wraps long reasons and fixes: a clerk should not have to hover to read them.
    st.table(frame, hide_index=True)
    for upload in pending["uploads"]:
        if pending["marked"].get(upload.name):
            st.download_button(f"下载标出错误的「{upload.name}」（错误单元格标红并附批注）", pending["marked"][upload.name],
                               file_name=highlighted_name(upload), icon=":material/download:", on_click="ignore",
                               key=f"marked_{upload.sha256}")


def _preview(pending: dict) -> None:
    result, units = pending["result"], _ui.units()
    st.success("检查通过，尚未导入。请核对下面的内容，无误后点击“确认导入”。", icon=":material/fact_check:")
    for plan in result.plans:
        with st.container(border=True):
            st.markdown(f"**{_ui.literal(plan.file)}** · 工作表「{_ui.literal(plan.sheet)}」 → **{plan.template.title}**")
            names = "、".join(units.by_code(c).name for c in plan.units)
            st.markdown(f"单位：{names}　　{'月份' if plan.template.monthly else '期间'}：{'、'.join(plan.periods)}")
            st.markdown(f":green-badge[新增 {plan.added} 行] :orange-badge[替换 {plan.replaced} 行]"
                        f" :gray-badge[与已有相同 {plan.unchanged} 行]")
            if not plan.changes.empty:
                st.caption("替换的数值（原值 → 新值）")
                st.dataframe(reporting.change_table(plan, units), column_config=CHANGE_COLUMNS, hide_index=True)
    for note in result.notes:
        st.caption(note)
    if result.added + result.replaced == 0:
        st.info("这些数据与系统中已有的完全相同，无需再次导入。", icon=":material/info:")
    elif st.button("确认导入", type="primary", icon=":material/task_alt:", key="confirm_import"):
        _commit(pending)


def _close_dialog() -> None:
    ss.pop("dialog", None)


# The open dialog lives in session state, so it survives full reruns (and AppTest, which has no fragment reruns).
@st.dialog("撤销上传", on_dismiss=_close_dialog)
def _confirm_rollback(upload_id: int, files: str, added: int, replaced: int) -> None:
    st.markdown(f"确定撤销 **第 {upload_id} 次上传**（{_ui.literal(files)}）吗？\n\n"
                f"- 这次上传新增的 **{added}** 行将被删除\n- 它替换掉的 **{replaced}** 行恢复为替换前的数值")
    st.caption("原始文件仍保留在上传记录中，撤销后可修改重新上传。")
    ok, cancel = st.columns(2)
    if ok.button("确认撤销", type="primary", key="rollback_confirm"):
        try:
            done = actions.rollback(me, upload_id, _ui.db())
        except (store.RollbackRefused, AuthError) as e:
            st.error(str(e), icon=":material/block:")
            return
        _ui.clear_caches()
        _close_dialog()
        ss.history_done = (f"已撤销第 {upload_id} 次上传：它新增的 {done['removed'] - done['restored']} 行已删除，"
                           f"它替换的 {done['restored']} 行已恢复为原来的数值。")
        st.rerun()
    if cancel.button("取消", key="rollback_cancel"):
        _close_dialog()
        st.rerun()


@st.dialog("删除示例数据", on_dismiss=_close_dialog)
def _confirm_remove_sample() -> None:
    st.markdown("将删除全部示例数据及其上传记录，各单位上传的真实数据不受影响。")
    if st.button("确认删除", type="primary", key="sample_confirm"):
        removed = actions.remove_sample(me, _ui.db())
        _ui.clear_caches()
        _close_dialog()
        ss.history_done = f"已删除示例数据（{removed} 次示例上传）。"
        st.rerun()


def _history() -> None:
    if "history_done" in ss:
        st.success(ss.pop("history_done"), icon=":material/undo:")
    log = actions.history(me, _ui.db())
    if log.empty:
        st.info("还没有上传记录。", icon=":material/history:")
        return
    undone = log["rolled_back_at"].notna()
    log["state"] = ["示例数据" if s else "有效" for s in log["sample"]]
    log.loc[undone, "state"] = [f"已撤销（{t:%m-%d %H:%M} {u}）" for t, u in
                                log.loc[undone, ["rolled_back_at", "rolled_back_by"]].itertuples(index=False)]
    log["hash"] = [" ".join(h[:12] for h in str(s).split()) for s in log["sha256"]]
    st.dataframe(log[list(HISTORY_COLUMNS)], column_config=HISTORY_COLUMNS, hide_index=True, key="history_table")
    by_id = log.set_index("id")
    pick = st.selectbox("选择一次上传，下载原始文件或撤销", by_id.index.tolist(), key=f"history_pick_{by_id.index.max()}",
                        format_func=lambda i: f"第 {i} 次 · {by_id.at[i, 'files']}")
    row = by_id.loc[pick]
    files = reporting.upload_files(_ui.db())
    for f in files[files["upload_id"] == pick].itertuples():
        st.download_button(f"下载原始文件「{f.file_name}」", partial(store.original, int(pick), f.file_name, _ui.db()),
                           file_name=f.file_name, icon=":material/download:", on_click="ignore", key=f"orig_{pick}_{f.Index}")
        st.caption(f"SHA-256：{f.sha256}")
    if pd.isna(row["rolled_back_at"]):
        st.button("撤销这次上传…", icon=":material/undo:", key="rollback_open", on_click=ss.update, args=({"dialog": int(pick)},))
    if me.role == "admin" and _ui.has_sample():
        st.button("删除全部示例数据…", icon=":material/delete:", key="sample_open", on_click=ss.update, args=({"dialog": "sample"},))
    target = ss.get("dialog")
    if target == "sample":
        _confirm_remove_sample()
    elif target in by_id.index and pd.isna(by_id.at[target, "rolled_back_at"]):
        _confirm_rollback(int(target), by_id.at[target, "files"], int(by_id.at[target, "rows_added"]),
                          int(by_id.at[target, "rows_replaced"]))


def _status() -> None:
    year = _ui.filters().period.first.year
    late_day, units = reporting.configured_late_day(), _ui.units()
    matrix = reporting.status_matrix(year, _ui.db(), late_day=late_day, units=units)
    if me.unit:  # a clerk sees their own unit
        matrix = matrix[matrix.index == me.unit]
    st.markdown(f"**{year}年各单位月报填报情况**（年度在左侧“查看期间”中选择）")
    st.caption(f"每月报表应在次月 {late_day} 日（含）前上传；之后上传为“逾期补报”，截止日已过仍未上传为“未报”。"
               "截止日由管理员在“管理 → 配置 → 填报期限”中设置。")
    counts = matrix.stack().value_counts()
    st.markdown(" ".join(f":{STATE_BADGE[s]}-badge[{s} {counts.get(s, 0)}]" for s in reporting.STATES))
    view = matrix.rename(index=lambda c: units.by_code(c).name, columns=lambda m: f"{m}月").rename_axis("单位").reset_index()
    st.dataframe(view.style.map(lambda s: STATE_STYLE.get(s, "")), hide_index=True, key="status_matrix",
                 height=38 + 35 * len(view))
    missing = [f"{units.by_code(c).name}（{'、'.join(f'{m}月' for m in matrix.columns if matrix.at[c, m] == reporting.MISSING)}）"
               for c in matrix.index if (matrix.loc[c] == reporting.MISSING).any()]
    if missing:
        st.warning("需要催报：" + "；".join(missing), icon=":material/notifications:")


st.title("填报")
upload_tab, template_tab, history_tab, status_tab = st.tabs(["上传报表", "下载模板", "上传记录", "填报情况"])

with upload_tab:
    if "upload_done" in ss:
        st.success(ss.pop("upload_done"), icon=":material/check_circle:")
    st.caption(f"填好模板后上传，可一次选择多个文件（最多 {MAX_FILES} 个）。系统先逐格检查，全部无误并经您确认后才会导入；"
               "同一单位同一月份重复上传会替换原数据，不会重复。")
    files = st.file_uploader("上传报表文件", accept_multiple_files=True, label_visibility="collapsed",
                             key=f"upload_files_{ss.get('upload_round', 0)}")
    if not files:
        ss.pop("pending", None)
    else:
        try:
            pending = _check(files)
            (_preview if pending["result"].ok else _problems)(pending)
        except (store.StoreBusy, AuthError) as e:
            st.error(str(e), icon=":material/block:")

with template_tab:
    st.markdown("请下载模板填写：不要改动表头；单位、月份、类别请从下拉列表中选择。")
    for t in TEMPLATES.values():
        st.download_button(t.title, partial(template_bytes, t.name), file_name=f"{t.title}.xlsx", mime=XLSX,
                           icon=":material/download:", on_click="ignore", key=f"template_{t.name}")
        st.caption(WHO_FILLS[t.name])

with history_tab:
    _history()

with status_tab:
    _status()
