"""The administrator's configuration files, edited from the 管理 page: validated before they replace the old ones."""
from __future__ import annotations

import os
import re
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
    """Load the new text with the product's own (uncached) loaders; any failure is a Chinese SettingsError."""
    try:
        with open(tmp, "rb") as f:
            tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        where = re.search(r"line (\d+), column (\d+)", str(e))
        at = f"第 {where[1]} 行第 {where[2]} 列附近" if where else "某处"
        raise SettingsError(f"格式错误：{at}不符合 TOML 写法（注意引号、等号和方括号）") from None
    try:
        if name == "units":
            _load_units.__wrapped__(tmp, 0.0)
            from metrics.targets import CONFIG_DIR as targets_dir, _load

            # the weights name unit codes: a units file that drops one would break the scoring
            _load.__wrapped__(targets_dir / "assessment.toml", 0.0, units_path=tmp)
        elif name == "reporting":
            from data.reporting import _late_day

            _late_day.__wrapped__(tmp, 0.0)  # uncached: the same temp path holds new text each time
        elif name == "assessment":
            from metrics.targets import _load  # the same loader the product uses

            _load.__wrapped__(tmp, 0.0)
    except SettingsError:
        raise
    except KeyError as e:
        raise SettingsError(f"内容有误：缺少必填项 {e}") from None
    except Exception as e:  # a wrong type anywhere: say so rather than crash the page
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
