"""导出: slides for the appraisal meeting, the figures workbook, a draft of the annual report's figures."""
from functools import partial

import streamlit as st

from data import actions
from metrics import export
from pages import _ui

me = _ui.user()
_ui.require("export")  # the navigation hides this page from clerks; this refuses a crafted request too
period = _ui.filters().period
st.title(f"导出 · {period.label_zh}")

known = _ui.months()
if not any(period.contains(m) for m in known):
    if known:
        st.info(f"{period.label_zh}还没有任何报表数据，无法导出。请在左侧选择有数据的期间"
                f"（现有数据：{known[0].year}年{known[0].month}月—{known[-1].year}年{known[-1].month}月）。",
                icon=":material/event_busy:")
    else:
        st.info("数据库中还没有数据。请先到“填报”页上传报表，或在“总览”页载入 2025 年示例数据，再来导出。",
                icon=":material/inbox:")
        st.page_link("pages/upload.py", label="去填报", icon=":material/upload_file:")
    st.stop()

_ui.sample_banner()
st.caption(f"导出的是{period.label_zh}全镇和全部单位的数字（不受左侧“单位”筛选影响），"
           "点击按钮时按数据库中的最新数据生成，约需几秒。")



def build(fmt: str, period, db: str) -> bytes:
    """Run on click, in a thread of its own: no Streamlit calls here."""
    content = export.export(fmt, period, db)
    actions.exported(me, export.file_name(period, fmt), db)
    return content


ITEMS = {
    "pptx": ("下载考核会议幻灯片（PPT）", ":material/co_present:",
             "16:9 宽屏，大字号适合投影：封面、指标完成情况、核心指标各一页（含各季度或各月的趋势图）、"
             "各村和镇直单位考核得分排名。图表是可编辑的 PowerPoint 图表，每页注明数据来源和期间。"),
    "xlsx": ("下载指标工作簿（Excel）", ":material/table_view:",
             "全镇指标（本期及各季度/各月的数值、目标、状态）、各村、镇直单位、考核得分（含各项得分）、"
             "指标说明（定义、公式、目标、权重）。数字为可计算的数值，比率为百分比格式。"),
    "docx": ("下载年度报告数据部分草稿（Word）", ":material/description:",
             "按2025年度法治政府建设工作报告的结构和措辞，逐项写出本期数字，如“全年受理矛盾纠纷136件”。"
             "这是草稿：黄色底纹处需补充文字，核对后再使用。"),
}

for fmt, (label, icon, description) in ITEMS.items():
    with st.container(border=True):
        st.markdown(f"**{export.FORMATS[fmt].kind}**")
        st.caption(description)
        # A callable is run only on click, so a page view does not build three files.
        st.download_button(label, data=partial(build, fmt, period, _ui.db()),
                           file_name=export.file_name(period, fmt), mime=export.FORMATS[fmt].mime,
                           icon=icon, on_click="ignore", key=f"export_{fmt}",
                           type="primary" if fmt == "pptx" else "secondary")
