"""Accounts, roles, lockout and the audit trail; the one place that decides who may write what.

Passwords are hashed with scrypt (memory-hard, in Python's standard library: no extra
dependency to keep patched) and never stored or logged in plain text. Every write path of
the product goes through `allowed_units`/`require` here, whatever page or command calls it.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import math
import os
import secrets
from dataclasses import dataclass

import pandas as pd

from data.config import TZ, load_units
from data.store import connect

ROLES = {"admin": "管理员", "leader": "领导", "clerk": "填报员"}
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_MINUTES = 120
MIN_PASSWORD = 8
_SCRYPT = dict(n=2**15, r=8, p=1, maxmem=64 * 1024 * 1024, dklen=32)

_DDL = [
    """CREATE TABLE IF NOT EXISTS users (
        name VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, unit VARCHAR, password VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL, failures INTEGER NOT NULL DEFAULT 0, locked_until TIMESTAMP)""",
    "CREATE SEQUENCE IF NOT EXISTS audit_ids START 1",
    """CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY, logged_at TIMESTAMP NOT NULL, user_name VARCHAR, action VARCHAR NOT NULL,
        ok BOOLEAN NOT NULL, detail VARCHAR)""",
]

ACTIONS = {"login": "登录", "logout": "退出", "upload": "上传", "rollback": "撤销上传", "export": "导出",
           "settings": "修改设置", "user_add": "添加账号", "sample": "示例数据"}


class AuthError(Exception):
    """Refused: wrong password, locked account, or a role that may not do this. The message is Chinese."""


@dataclass(frozen=True)
class User:
    name: str
    role: str  # admin | leader | clerk
    unit: str | None = None  # unit code, clerks only

    @property
    def role_zh(self) -> str:
        return ROLES[self.role]


LOCAL_ADMIN = User("本机用户", "admin")  # FAZHI_AUTH=off: single-user laptop mode


def auth_enabled() -> bool:
    return os.environ.get("FAZHI_AUTH", "on").strip().lower() not in ("off", "0", "false", "no")


def _now() -> dt.datetime:
    return dt.datetime.now(TZ).replace(tzinfo=None, microsecond=0)


def _ensure(con) -> None:
    for statement in _DDL:
        con.execute(statement)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)
    return "scrypt$%d$%d$%d$%s$%s" % (_SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"],
                                       base64.b64encode(salt).decode(), base64.b64encode(digest).decode())


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=_SCRYPT["maxmem"], dklen=len(base64.b64decode(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def audit(action: str, user: str | None, ok: bool = True, detail: str = "", db=None, con=None) -> None:
    """One line of the audit trail. Never pass a password in detail."""
    def write(c):
        _ensure(c)
        c.execute("INSERT INTO audit VALUES (nextval('audit_ids'), ?, ?, ?, ?, ?)",
                  [_now(), user, action, ok, detail[:500]])
    if con is not None:
        write(con)
    else:
        with connect(db) as c:
            write(c)


def audit_log(db=None) -> pd.DataFrame:
    with connect(db) as con:
        _ensure(con)
        return con.execute("SELECT id, logged_at, user_name, action, ok, detail FROM audit ORDER BY id DESC").df()


def has_users(db=None) -> bool:
    with connect(db) as con:
        _ensure(con)
        return con.execute("SELECT count(*) FROM users").fetchall()[0][0] > 0


def add_user(name: str, role: str, password: str, unit: str | None = None, db=None, by: str | None = None) -> User:
    """Create an account; a clerk is bound to one configured unit (name or code)."""
    name = name.strip()
    if not name:
        raise AuthError("用户名不能为空")
    if role not in ROLES:
        raise AuthError(f"角色“{role}”无效，应为 admin（管理员）、leader（领导）或 clerk（填报员）")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"密码至少 {MIN_PASSWORD} 位")
    code = None
    if role == "clerk":
        if not unit:
            raise AuthError("填报员必须绑定一个单位（--unit）")
        units = load_units()
        found = [u for u in units.units if u.code == unit] or units.match(unit)
        if len(found) != 1:
            raise AuthError(f"单位“{unit}”未配置")
        code = found[0].code
    elif unit:
        raise AuthError("只有填报员绑定单位；管理员和领导可查看全部单位")
    with connect(db) as con:
        _ensure(con)
        if con.execute("SELECT count(*) FROM users WHERE name = ?", [name]).fetchall()[0][0]:
            raise AuthError(f"用户名“{name}”已存在")
        con.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, 0, NULL)", [name, role, code, hash_password(password), _now()])
        audit("user_add", by or name, True, f"{name}（{ROLES[role]}{'，' + code if code else ''}）", con=con)
    return User(name, role, code)


def users(db=None) -> pd.DataFrame:
    with connect(db) as con:
        _ensure(con)
        return con.execute("SELECT name, role, unit, created_at, failures, locked_until FROM users ORDER BY name").df()


def login(name: str, password: str, db=None) -> User:
    """The user, or AuthError; five wrong passwords in a row lock the account for a while."""
    now = _now()
    with connect(db) as con:
        _ensure(con)
        row = next(iter(con.execute("SELECT role, unit, password, failures, locked_until FROM users WHERE name = ?",
                                    [name]).fetchall()), None)
        if row is None:
            audit("login", name, False, "用户名不存在", con=con)
            raise AuthError("用户名或密码错误")
        role, unit, stored, failures, locked_until = row
        if locked_until is not None and locked_until > now:
            audit("login", name, False, "账号锁定中", con=con)
            minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
            raise AuthError(f"密码连续输错 {MAX_FAILURES} 次，账号已锁定，请 {minutes} 分钟后再试，或联系管理员")
        if not check_password(password, stored):
            failures += 1
            lock = now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
            con.execute("UPDATE users SET failures = ?, locked_until = ? WHERE name = ?",
                        [0 if lock else failures, lock, name])
            audit("login", name, False, "密码错误" + ("，账号已锁定" if lock else ""), con=con)
            if lock:
                raise AuthError(f"密码连续输错 {MAX_FAILURES} 次，账号已锁定 {LOCK_MINUTES} 分钟")
            raise AuthError(f"用户名或密码错误（再错 {MAX_FAILURES - failures} 次将锁定账号）")
        con.execute("UPDATE users SET failures = 0, locked_until = NULL WHERE name = ?", [name])
        audit("login", name, True, "", con=con)
    return User(name, role, unit)


# --- permissions: every write path asks here -----------------------------------------------


def require(user: User | None, action: str) -> None:
    """Refuse an action the user's role does not allow."""
    if user is None:
        raise AuthError("请先登录")
    allowed = {"upload": ("admin", "clerk"), "rollback": ("admin", "clerk"), "export": ("admin", "leader"),
               "settings": ("admin",), "user_add": ("admin",), "sample": ("admin",),
               "history": ("admin", "leader", "clerk")}
    if user.role not in allowed[action]:
        raise AuthError(f"{user.role_zh}没有“{ACTIONS.get(action, action)}”的权限")


def allowed_templates(user: User) -> set[str] | None:
    """The templates a user may upload; None means all. Units must not score themselves."""
    return None if user.role == "admin" else {"village_monthly", "department_monthly", "training_ledger"}


def allowed_units(user: User) -> set[str] | None:
    """The unit codes a user may write; None means every unit."""
    return {user.unit} if user.role == "clerk" else None
