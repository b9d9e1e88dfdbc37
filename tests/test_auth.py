"""Accounts, roles, lockout, the audit trail and the hardening of every write path."""
from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from data import actions, auth, settings, store
from data.auth import AuthError, User
from data.importer import Upload

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "s3cret-Passw0rd"
ADMIN, LEADER = User("管理员甲", "admin"), User("张书记", "leader")
EAST, WEST = User("东山填报员", "clerk", "V01"), User("西河填报员", "clerk", "V02")


def village_file(*rows, name="月报.xlsx") -> Upload:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["村委会", "月份", "受理矛盾纠纷", "化解矛盾纠纷", "其中线上受理", "调解员", "法律明白人", "法律明白人服务",
               "法律顾问驻村", "法律咨询", "普法活动", "普法受众", "满意度调查人数", "其中满意", "帮办代办上门服务",
               "法治文化阵地"])
    for unit, month, received in rows:
        ws.append([unit, month, received, received, 0, 30, 5, 10, 4, 10, 1, 100, 10, 9, 2, 0])
    buf = io.BytesIO()
    wb.save(buf)
    return Upload(name, buf.getvalue())


REAL_SCRYPT = dict(auth._SCRYPT)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """The production cost (n=2**15) is tested once; the other tests hash cheaply to stay fast."""
    monkeypatch.setattr(auth, "_SCRYPT", {**REAL_SCRYPT, "n": 2**10})


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "auth.duckdb"
    for user in (ADMIN, LEADER, EAST, WEST):
        auth.add_user(user.name, user.role, PASSWORD, user.unit, path)
    return path


def current(db_path):
    return store.rows("village_monthly", db=db_path)


# --- passwords and lockout ---------------------------------------------------------------


def test_a_correct_password_signs_in_with_the_users_role_and_unit(db):
    assert auth.login("东山填报员", PASSWORD, db) == EAST


def test_a_wrong_password_is_refused_in_chinese_and_says_how_many_tries_are_left(db):
    with pytest.raises(AuthError, match="用户名或密码错误（再错 4 次将锁定账号）"):
        auth.login("张书记", "wrong", db)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(db):
    for _ in range(4):
        with pytest.raises(AuthError):
            auth.login("张书记", "wrong", db)
    with pytest.raises(AuthError, match="已锁定 15 分钟"):
        auth.login("张书记", "wrong", db)
    with pytest.raises(AuthError, match="账号已锁定"):
        auth.login("张书记", PASSWORD, db)


def test_a_lock_ends_after_its_time(db, monkeypatch):
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.login("张书记", "wrong", db)
    later = dt.datetime.now() + dt.timedelta(hours=9)  # past the lock in any time zone
    monkeypatch.setattr(auth, "_now", lambda: later)
    assert auth.login("张书记", PASSWORD, db) == LEADER


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(db):
    with pytest.raises(AuthError, match="^用户名或密码错误$"):
        auth.login("nobody", PASSWORD, db)


def test_passwords_are_stored_as_scrypt_hashes_that_verify(monkeypatch):
    monkeypatch.setattr(auth, "_SCRYPT", REAL_SCRYPT)
    stored = auth.hash_password(PASSWORD)
    assert stored.startswith("scrypt$32768$8$1$") and PASSWORD not in stored
    assert auth.check_password(PASSWORD, stored) and not auth.check_password("other", stored)
    assert auth.hash_password(PASSWORD) != stored  # salted


def test_no_password_appears_in_the_database_file_or_the_audit_trail(db):
    with pytest.raises(AuthError):
        auth.login("张书记", "typo-" + PASSWORD, db)
    auth.login("张书记", PASSWORD, db)
    raw = Path(db).read_bytes() + (Path(str(db) + ".wal").read_bytes() if Path(str(db) + ".wal").exists() else b"")
    assert PASSWORD.encode() not in raw and PASSWORD.encode("utf-16-le") not in raw
    assert not auth.audit_log(db)["detail"].str.contains(PASSWORD, regex=False).any()


@pytest.mark.parametrize("name, role, password, unit, message", [
    ("a", "admin", "short", None, "密码至少 8 位"),
    ("a", "clerk", PASSWORD, None, "必须绑定一个单位"),
    ("a", "clerk", PASSWORD, "月球村", "未配置"),
    ("a", "leader", PASSWORD, "东山村", "只有填报员绑定单位"),
    ("a", "root", PASSWORD, None, "角色“root”无效"),
    ("张书记", "leader", PASSWORD, None, "已存在"),
])
def test_an_account_that_cannot_work_is_refused_with_the_reason(db, name, role, password, unit, message):
    with pytest.raises(AuthError, match=message):
        auth.add_user(name, role, password, unit, db)


def test_a_clerk_can_be_bound_by_unit_name_with_or_without_the_village_suffix(db):
    assert auth.add_user("新民", "clerk", PASSWORD, "新民", db).unit == "V06"


# --- every role × every write path ---------------------------------------------------------

UPLOAD, ROLLBACK, SAMPLE, SETTINGS, EXPORT = "upload", "rollback", "sample", "settings", "export"
ALLOWED = {
    ADMIN: {UPLOAD, ROLLBACK, SAMPLE, SETTINGS, EXPORT},
    LEADER: {EXPORT},
    EAST: {UPLOAD, ROLLBACK},
}


def attempt(path: str, user: User, db) -> None:
    if path == UPLOAD:
        result = actions.upload(user, [village_file(("东山村", "2025-03", 3))], db)
        assert result.ok, result.problems
    elif path == ROLLBACK:
        first = actions.upload(ADMIN, [village_file(("东山村", "2025-04", 3), name="四月.xlsx")], db)
        actions.rollback(user, first.upload_id, db)
    elif path == SAMPLE:
        actions.remove_sample(user, db)
    elif path == SETTINGS:
        settings.save(user, "reporting", "late_day = 10\n", db)
    elif path == EXPORT:
        actions.exported(user, "xlsx 2025", db)


@pytest.mark.parametrize("user", list(ALLOWED), ids=lambda u: u.role)
@pytest.mark.parametrize("path", [UPLOAD, ROLLBACK, SAMPLE, SETTINGS, EXPORT])
def test_each_role_may_use_exactly_its_write_paths(db, user, path, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "CONFIG_DIR", tmp_path)  # never rewrite the real configuration
    if path in ALLOWED[user]:
        attempt(path, user, db)
    else:
        with pytest.raises(AuthError, match="没有“.+”的权限"):
            attempt(path, user, db)


def test_nobody_signed_in_can_write_anything(db):
    with pytest.raises(AuthError, match="请先登录"):
        actions.upload(None, [village_file(("东山村", "2025-03", 3))], db)


def test_a_clerks_upload_with_another_villages_row_is_rejected_whole(db):
    result = actions.upload(EAST, [village_file(("东山村", "2025-03", 3), ("西河村", "2025-03", 4))], db)
    assert not result.ok
    assert [p.row for p in result.problems] == [3]
    assert "包含其他单位（西河村）的数据" in result.problems[0].line()
    assert current(db).empty


def test_a_clerk_cannot_roll_back_an_upload_that_holds_another_villages_rows(db):
    both = actions.upload(ADMIN, [village_file(("东山村", "2025-03", 3), ("西河村", "2025-03", 4))], db)
    with pytest.raises(AuthError, match="只有管理员可以撤销"):
        actions.rollback(EAST, both.upload_id, db)
    assert len(current(db)) == 2


def test_a_clerk_sees_only_the_history_of_their_own_unit(db):
    actions.upload(EAST, [village_file(("东山村", "2025-03", 3), name="东山.xlsx")], db)
    actions.upload(WEST, [village_file(("西河村", "2025-03", 4), name="西河.xlsx")], db)
    assert list(actions.history(EAST, db)["files"]) == ["东山.xlsx"]
    assert sorted(actions.history(ADMIN, db)["files"]) == ["东山.xlsx", "西河.xlsx"]


def test_settings_that_do_not_validate_are_not_saved(db, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "CONFIG_DIR", tmp_path)
    (tmp_path / "reporting.toml").write_text("late_day = 10\n", encoding="utf-8")
    with pytest.raises(settings.SettingsError, match="格式错误"):
        settings.save(ADMIN, "reporting", "late_day = = 10", db)
    assert (tmp_path / "reporting.toml").read_text(encoding="utf-8") == "late_day = 10\n"


def test_the_audit_trail_records_logins_uploads_rollbacks_exports_and_settings(db, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "CONFIG_DIR", tmp_path)
    with pytest.raises(AuthError):
        auth.login("张书记", "wrong", db)
    auth.login("张书记", PASSWORD, db)
    done = actions.upload(EAST, [village_file(("东山村", "2025-03", 3))], db)
    actions.rollback(ADMIN, done.upload_id, db)
    actions.exported(LEADER, "pptx 2025", db)
    settings.save(ADMIN, "reporting", "late_day = 12\n", db)
    log = auth.audit_log(db)
    seen = set(zip(log["user_name"], log["action"], log["ok"]))
    assert {("张书记", "login", False), ("张书记", "login", True), ("东山填报员", "upload", True),
            ("管理员甲", "rollback", True), ("张书记", "export", True), ("管理员甲", "settings", True)} <= seen


# --- hostile files -------------------------------------------------------------------------


def test_a_zip_bomb_disguised_as_xlsx_is_refused_before_it_is_inflated(db):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))  # inflates 1000× its size
    result = actions.upload(ADMIN, [Upload("炸弹.xlsx", buf.getvalue())], db)
    assert not result.ok and "疑似恶意文件" in result.problems[0].line()
    assert current(db).empty


def test_a_malformed_zip_is_refused_with_a_chinese_message(db):
    good = village_file(("东山村", "2025-03", 3)).data
    result = actions.upload(ADMIN, [Upload("坏.xlsx", good[: len(good) // 2])], db)
    assert not result.ok and "文件「坏.xlsx」" in result.problems[0].line()


def test_a_file_over_the_size_limit_is_refused(db):
    result = actions.upload(ADMIN, [Upload("大.csv", b"a" * (21 * 1024 * 1024))], db)
    assert not result.ok and "20 MB" in result.problems[0].line()


def test_text_that_looks_like_html_is_stored_as_text_and_never_rendered():
    # Streamlit escapes markdown/HTML in dataframes; the page never passes user text to st.html.
    offenders = [p for p in (ROOT / "pages").glob("*.py")
                 if "unsafe_allow_html=True" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_xsrf_protection_is_on_and_uploads_are_limited_in_the_server_config():
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "enableXsrfProtection = true" in config and "maxUploadSize = 20" in config


def test_the_command_line_adds_a_user_from_stdin_without_echoing_the_password(tmp_path):
    path = tmp_path / "cli.duckdb"
    run = subprocess.run([sys.executable, "-m", "data", "user", "add", "王五", "--role", "clerk", "--unit", "西河村",
                          "--password-stdin", "--db", str(path)], input=PASSWORD + "\n", capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert PASSWORD not in run.stdout + run.stderr
    listed = subprocess.run([sys.executable, "-m", "data", "user", "list", "--db", str(path)],
                            capture_output=True, text=True, cwd=ROOT)
    assert listed.stdout.split() == ["王五", "填报员", "西河村"]


@pytest.mark.parametrize("name, text, message", [
    ("assessment", "[targets]\nresolution_rate = 1.0\n", "应写成 resolution_rate = { value = 数值 }"),
    ("reporting", "late_day = = 3", "格式错误：第 1 行第 12 列附近"),
    ("reporting", "late_day = 31", "late_day 应为 1 到 28 之间的整数"),
    ("units", None, "[weights.D08] 无效"),  # dropping a unit that the weights still name
])
def test_a_settings_file_that_would_break_the_product_is_refused_in_chinese(db, tmp_path, monkeypatch, name, text,
                                                                          message):
    import shutil

    import metrics.targets

    for f in ("units", "assessment", "reporting"):
        shutil.copy(ROOT / "config" / f"{f}.toml", tmp_path / f"{f}.toml")
    monkeypatch.setattr(settings, "CONFIG_DIR", tmp_path)
    monkeypatch.setattr(metrics.targets, "CONFIG_DIR", tmp_path)
    if text is None:
        text = (tmp_path / "units.toml").read_text(encoding="utf-8").replace('code = "D08"', 'code = "D09"')
    before = (tmp_path / f"{name}.toml").read_text(encoding="utf-8")
    with pytest.raises(settings.SettingsError, match=re.escape(message)):
        settings.save(ADMIN, name, text, db)
    assert (tmp_path / f"{name}.toml").read_text(encoding="utf-8") == before
