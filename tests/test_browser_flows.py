"""Whole flows in a real browser, each against a streamlit server and a database of its own.

Upload: a file with an error is refused with the row and column named and nothing written; a good
file is previewed (old → new), imported, moves the 总览 card by exactly the change, and a rollback
through the confirm dialog moves it back. Sign-in: no page shows a figure before sign-in; a clerk
sees and writes only their own unit; five wrong passwords lock the account. Each step is
photographed into artifacts/screenshots/flow_*.png for a person to look at.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data import auth, store
from data.importer import Upload
from data.sample import load_sample
from data.template_xlsx import write_template
from tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SHOTS,
    WAIT_MS,
    after_click,
    exceptions,
    start_server,
    full_page_shot,
    settle,
    stop,
)

import playwright.sync_api as playwright  # noqa: E402 — a missing browser must fail, not skip

DEC = dt.date(2025, 12, 1)
Q4_TITLE = "法治建设总览 · 2025年第四季度"
CARD = "受理矛盾纠纷数"
PAGE_URLS = ["/", "/villages", "/indicator", "/appraisal", "/present", "/export", "/upload", "/admin"]
PASSWORDS = {"管理员": ("admin", "admin-pass-1", None), "领导": ("leader", "leader-pass-1", None),
             "东山村填报员": ("clerk", "clerk-pass-1", "东山村")}
SAMPLE_UPLOAD_ID = 1


# --- the server, the browser and what a person sees ----------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def browser(chromium):
    """A context of this test's own: its tabs share nothing with another test's."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(WAIT_MS)
    yield context
    context.close()


def serve(db: Path, tmp_path: Path, auth_mode: str):
    proc, url = start_server(db, tmp_path / "streamlit.log", auth_mode)
    try:
        yield url
    finally:
        stop(proc)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    full_page_shot(page, SHOTS / f"flow_{name}.png")
    page.set_viewport_size({"width": 1366, "height": 768})


def open_page(browser, url: str, title: str | None):
    """A new tab (a new Streamlit session) on url, after its run."""
    page = browser.new_page()
    page.goto(url)
    settle(page, title)
    assert exceptions(page) == []
    return page


def card_value(page, label: str = CARD) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def problem_rows(page) -> list[list[str]]:
    """The error table (st.table) of the 上传报表 tab, as its cells' text."""
    table = page.locator('[data-testid="stTable"]')
    return [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]


def grid_rows(grid) -> list[list[str]]:
    """A st.dataframe's rows, read from the accessible table the grid keeps in its canvas (drawn a moment later)."""
    grid.locator('[role="gridcell"]').first.wait_for(state="attached")
    return [[c.text_content() for c in row.locator('[role="gridcell"]').all()]
            for row in grid.locator('tbody [role="row"]').all()]


def alerts(page, kind: str) -> list[str]:
    """The texts of the alerts of a kind (Error, Success, Info, Warning) in the main area, without their icons."""
    return page.locator(f'[data-testid="stMain"] [data-testid="stAlertContent{kind}"] '
                        '[data-testid="stMarkdownContainer"]').all_inner_texts()


def choose_file(page, path: Path) -> None:
    """What a clerk does with the uploader: remove what was chosen before, choose this file, wait for the check."""
    panel = page.locator('[data-testid="stMain"] [role="tabpanel"]').first  # the open tab: 上传报表
    verdicts = panel.locator('[data-testid^="stAlertContent"], [data-testid="stException"]')
    for button in panel.locator('[data-testid="stFileChipDeleteBtn"] button').all():
        button.click()
        after_click(page)
    playwright.expect(verdicts).to_have_count(0)
    page.set_input_files('input[type="file"]', str(path))
    panel.locator('[data-testid="stFileChip"]').filter(has_text=path.name).wait_for()
    verdicts.first.wait_for()
    settle(page)
    assert exceptions(page) == []


def open_tab(page, label: str) -> None:
    tab = page.locator('[data-testid="stMain"] [role="tab"]').filter(has_text=label)
    tab.click()
    playwright.expect(tab).to_have_attribute("aria-selected", "true")
    settle(page)


def click(page, key: str) -> None:
    """Click the button created with key=..."""
    page.locator(f".st-key-{key} button").click()
    after_click(page)
    assert exceptions(page) == []


# --- files a clerk would upload --------------------------------------------------------------------


def village_report(path: Path, *rows: list) -> Path:
    """The downloaded 村级 template with these rows typed below its header."""
    write_template("village_monthly", path)
    wb = openpyxl.load_workbook(path)
    for row in rows:
        wb.worksheets[0].append(row)
    wb.save(path)
    return path


def as_typed(record: dict) -> list:
    """A stored village_monthly row as a clerk would type it: names, 2025-12, whole numbers, blanks."""
    cells = ["东山村" if record["unit"] == "V01" else "西河村", f"{record['month']:%Y-%m}"]
    for field in list(record)[2:]:
        value = record[field]
        cells.append(None if pd.isna(value) else int(value) if float(value).is_integer() else value)
    return cells


def december(db: Path, unit: str) -> dict:
    frame = store.rows("village_monthly", DEC, DEC, db=db)
    return frame[frame.unit == unit].iloc[0].to_dict()


def q4_received(db: Path) -> int:
    return int(store.rows("village_monthly", dt.date(2025, 10, 1), DEC, db=db)["disputes_received"].sum())


# --- the upload flow -------------------------------------------------------------------------------


@pytest.fixture
def sample_server(tmp_path):
    db = tmp_path / "fazhi.duckdb"
    assert load_sample(db).ok
    for url in serve(db, tmp_path, "off"):
        yield url, db


def test_a_clerk_uploads_a_bad_file_then_a_good_one_sees_the_card_move_and_rolls_it_back(
        sample_server, browser, tmp_path):
    url, db = sample_server
    east, west = december(db, "V01"), december(db, "V02")
    bad = village_report(tmp_path / "12月有错.xlsx", as_typed(east),
                         [*as_typed(west)[:2], 5, 6, *as_typed(west)[4:]])  # 化解 6 > 受理 5, in row 3
    raised = as_typed(east)
    raised[2] += 10
    good = village_report(tmp_path / "东山村12月更正.xlsx", raised)
    town_before = q4_received(db)

    overview = open_page(browser, url + "/", Q4_TITLE)
    assert card_value(overview) == town_before
    shot(overview, "1_overview_before")
    overview.close()

    page = open_page(browser, url + "/upload", "填报")
    choose_file(page, bad)
    assert alerts(page, "Error") == ["发现 1 处问题，本次没有导入任何数据。请按下表逐条修改后重新上传。"]
    assert problem_rows(page) == [["12月有错.xlsx", "村级法治工作月报", "3", "D「化解矛盾纠纷(件)」", "6",
                                   "“化解矛盾纠纷”（6）大于“受理矛盾纠纷”（5）",
                                   "“化解矛盾纠纷”是“受理矛盾纠纷”的一部分，不能超过它，请核对两个数"]]
    assert page.locator(".st-key-confirm_import").count() == 0
    assert store.history(db)["id"].tolist() == [SAMPLE_UPLOAD_ID]
    shot(page, "2_upload_error")

    choose_file(page, good)
    assert alerts(page, "Success") == ["检查通过，尚未导入。请核对下面的内容，无误后点击“确认导入”。"]
    plan = page.locator('[data-testid="stMain"] [data-testid="stLayoutWrapper"]').filter(
        has_text="东山村12月更正.xlsx")
    assert "单位：东山村　　月份：2025-12" in plan.inner_text()
    assert "新增 0 行 替换 1 行 与已有相同 0 行" in plan.inner_text()
    old = east["disputes_received"]
    assert grid_rows(plan.locator('[data-testid="stDataFrame"]')) == [
        ["东山村", "2025年12月", "受理矛盾纠纷", str(old), str(old + 10)]]
    assert store.history(db)["id"].tolist() == [SAMPLE_UPLOAD_ID]  # previewed, not written
    shot(page, "3_upload_preview")

    click(page, "confirm_import")
    assert alerts(page, "Success") == ["导入成功（第 2 次上传）：新增 0 行，替换 1 行。"]
    assert store.history(db)[["id", "rows_added", "rows_replaced"]].values.tolist() == [[2, 0, 1], [1, *_sample_counts(db)]]
    shot(page, "4_upload_imported")

    overview = open_page(browser, url + "/", Q4_TITLE)
    assert card_value(overview) == town_before + 10
    shot(overview, "5_overview_after_import")
    overview.close()

    page = open_page(browser, url + "/upload", "填报")
    open_tab(page, "上传记录")
    picked = page.locator('[data-testid="stSelectbox"]').filter(has_text="选择一次上传")
    assert picked.locator("input").get_attribute("value") == "第 2 次 · 东山村12月更正.xlsx"  # the newest first
    click(page, "rollback_open")
    dialog = page.locator('[role="dialog"]')
    dialog.wait_for()
    assert "确定撤销 第 2 次上传（东山村12月更正.xlsx）吗？" in dialog.inner_text()
    shot(page, "6_rollback_dialog")
    dialog.locator(".st-key-rollback_confirm button").click()
    after_click(page)
    page.wait_for_selector('[role="dialog"]', state="detached")
    assert alerts(page, "Success")[0] == "已撤销第 2 次上传：它新增的 0 行已删除，它替换的 1 行已恢复为原来的数值。"
    assert store.history(db)["rolled_back_at"].notna().tolist() == [True, False]
    shot(page, "7_rolled_back")

    overview = open_page(browser, url + "/", Q4_TITLE)
    assert card_value(overview) == town_before
    shot(overview, "8_overview_after_rollback")


def _sample_counts(db) -> list[int]:
    row = store.history(db).set_index("id").loc[SAMPLE_UPLOAD_ID]
    return [int(row["rows_added"]), int(row["rows_replaced"])]


# --- sign-in -------------------------------------------------------------------------------------


@pytest.fixture
def signin_server(tmp_path):
    """Sign-in on; the sample, three accounts, and one upload each by 东山村 and by 西河村."""
    db = tmp_path / "fazhi.duckdb"
    assert load_sample(db).ok
    for name, (role, password, unit) in PASSWORDS.items():
        auth.add_user(name, role, password, unit, db)
    for unit, name in (("V01", "东山村"), ("V02", "西河村")):
        row = as_typed(december(db, unit))
        row[2:4] = [row[2] + 1, row[3]]
        path = village_report(tmp_path / f"{name}12月.xlsx", row)
        assert store.import_files([Upload(path.name, path.read_bytes())], db, user=f"{name}填报员").ok
    for url in serve(db, tmp_path, "on"):
        yield url, db


def wait_for_sign_in_form(page) -> None:
    """The sign-in form, whole: its fields and its button are drawn a moment after the form itself."""
    form = page.locator('[data-testid="stForm"]')
    for part in (form.locator('input[aria-label="用户名"]'), form.locator('input[aria-label="密码"]'),
                 form.locator("button").filter(has_text="登录")):
        playwright.expect(part).to_have_count(1)
    settle(page)


def sign_in(page, name: str, password: str) -> None:
    form = page.locator('[data-testid="stForm"]')
    form.locator('input[aria-label="用户名"]').fill(name)
    form.locator('input[aria-label="密码"]').fill(password)
    form.locator("button").filter(has_text="登录").click()  # the caller waits for what should follow


def everything_written(db: Path) -> tuple:
    return store.history(db).values.tolist(), store.rows("village_monthly", db=db).values.tolist()


def test_before_sign_in_every_page_shows_only_the_sign_in_form(signin_server, browser):
    url, _ = signin_server
    for path in PAGE_URLS:
        page = open_page(browser, url + path, "法治指标看板")
        wait_for_sign_in_form(page)
        figures = {sel: page.locator(sel).count() for sel in
                   ('[data-testid="stMetric"]', '[data-testid="stPlotlyChart"]', '[data-testid="stDataFrame"]',
                    '[data-testid="stTable"]')}
        assert figures == dict.fromkeys(figures, 0), path
        if path == "/":
            page.screenshot(path=str(SHOTS / "flow_signin_1366.png"))  # the viewport a laptop shows
        page.close()


def test_a_clerk_sees_and_writes_only_their_own_unit(signin_server, browser, tmp_path):
    url, db = signin_server
    page = open_page(browser, url + "/upload", "法治指标看板")  # a bookmark, opened before signing in
    wait_for_sign_in_form(page)
    sign_in(page, "东山村填报员", PASSWORDS["东山村填报员"][1])
    settle(page, "填报")  # the bookmarked page, once signed in
    assert exceptions(page) == []
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert [text.splitlines()[-1] for text in nav.locator("a").all_inner_texts()] == ["总览", "村庄", "指标", "填报"]
    assert not any(word in nav.inner_text() for word in ("考核", "会议投影", "导出", "管理"))
    assert "当前用户：东山村填报员（填报员 · 东山村）" in page.locator('[data-testid="stSidebar"]').inner_text()

    open_tab(page, "上传记录")
    history = grid_rows(page.locator('[data-testid="stMain"] [role="tabpanel"] [data-testid="stDataFrame"]'))
    assert len(history) == 1  # only the clerk's own upload, not 西河村's
    assert {"东山村填报员", "东山村12月.xlsx"} <= set(history[0])
    shot(page, "clerk_history")

    before = everything_written(db)
    open_tab(page, "上传报表")
    mixed = village_report(tmp_path / "两个村12月.xlsx", as_typed(december(db, "V01")), as_typed(december(db, "V02")))
    choose_file(page, mixed)
    assert [row[2:4] + row[5:] for row in problem_rows(page)] == [
        ["3", "A「村委会」", "包含其他单位（西河村）的数据，您只能上传本单位的数据", "请删除不属于本单位的行后再上传"]]
    assert page.locator(".st-key-confirm_import").count() == 0
    assert everything_written(db) == before
    shot(page, "clerk_other_unit_refused")


def test_five_wrong_passwords_lock_the_account(signin_server, browser):
    url, _ = signin_server
    page = open_page(browser, url + "/", "法治指标看板")
    wait_for_sign_in_form(page)
    error = page.locator('[data-testid="stMain"] [data-testid="stAlertContentError"]')
    for left in (4, 3, 2, 1):
        sign_in(page, "领导", "not-the-password")
        playwright.expect(error).to_contain_text(f"用户名或密码错误（再错 {left} 次将锁定账号）")
    sign_in(page, "领导", "not-the-password")
    playwright.expect(error).to_have_text(f"密码连续输错 5 次，账号已锁定 {auth.LOCK_MINUTES} 分钟", use_inner_text=True)
    settle(page)

    sign_in(page, "领导", PASSWORDS["领导"][1])  # the right password does not open a locked account
    # The minutes are 15 or, within the second of locking, 16: see the test below.
    playwright.expect(error).to_have_text(re.compile(r"^密码连续输错 5 次，账号已锁定，请 \d+ 分钟后再试，或联系管理员$"),
                                          use_inner_text=True)
    settle(page)
    wait_for_sign_in_form(page)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    shot(page, "lockout")


def test_a_bookmark_opened_before_sign_in_shows_the_sign_in_form_without_a_page_not_found(signin_server, browser):
    url, _ = signin_server
    open_page(browser, url + "/", "法治指标看板").close()  # the server has been used (its very first run differs)
    page = open_page(browser, url + "/villages", "法治指标看板")
    wait_for_sign_in_form(page)
    try:
        page.wait_for_selector('[role="dialog"]', timeout=3000)  # Streamlit's message comes with the first run
    except playwright.TimeoutError:
        pass
    page.screenshot(path=str(SHOTS / "flow_signin_bookmark_1366.png"))
    assert page.locator('[role="dialog"]').all_inner_texts() == []


def test_the_lock_message_never_says_more_minutes_than_the_lock_lasts(tmp_path, monkeypatch):
    db = tmp_path / "fazhi.duckdb"
    auth.add_user("领导", "leader", PASSWORDS["领导"][1], None, db)
    monkeypatch.setattr(auth, "_now", lambda: dt.datetime(2026, 11, 26, 9, 0, 0))
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.login("领导", "not-the-password", db)
    with pytest.raises(auth.AuthError) as refused:
        auth.login("领导", PASSWORDS["领导"][1], db)
    assert str(refused.value) == f"密码连续输错 5 次，账号已锁定，请 {auth.LOCK_MINUTES} 分钟后再试，或联系管理员"
