"""The administrator's configuration files, edited from the 管理 page: validated before they replace the old ones."""
from __future__ import annotations

import os
import tomllib

from data import auth
from data.config import CONFIG_DIR, _load_units

FILES = {"units": "填报单位（units.toml）", "assessment": "考核目标、权重与阈值（assessment.toml）",
         "reporting": "填报期限（reporting.toml）"}


class SettingsError(ValueError):
    """The new text is not valid; nothing was saved."""


def path(name: str):
    return CONFIG_DIR / f"{name}.toml"


def read(name: str) -> str:
    p = path(name)
    return p.read_text(encoding="utf-8") if p.exists() else ""


def _validate(name: str, tmp) -> None:
    try:
        with open(tmp, "rb") as f:
            tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"格式错误：{e}") from None
    try:
        if name == "units":
            _load_units.__wrapped__(tmp, 0.0)
        elif name == "reporting":
            from data.reporting import _late_day

            _late_day.__wrapped__(tmp, 0.0)  # uncached: the same temp path holds new text each time
        elif name == "assessment":
            from metrics.targets import _load  # the same loader the product uses

            _load.__wrapped__(tmp, 0.0)
    except (ValueError, KeyError) as e:
        raise SettingsError(f"内容有误：{e}") from None


def save(user: auth.User, name: str, text: str, db=None) -> None:
    """Validate the new text with the product's own loaders, then replace the file atomically."""
    auth.require(user, "settings")
    if name not in FILES:
        raise SettingsError(f"没有名为“{name}”的配置文件")
    target = path(name)
    tmp = target.with_name(f".{target.name}.new")
    tmp.write_text(text, encoding="utf-8")
    try:
        _validate(name, tmp)
    except SettingsError:
        tmp.unlink(missing_ok=True)
        auth.audit("settings", user.name, False, f"修改 {target.name} 未通过检查", db)
        raise
    os.replace(tmp, target)
    auth.audit("settings", user.name, True, f"修改 {target.name}", db)
