"""Targets, attainment and the state words of SPEC §7, from config/assessment.toml."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from data.config import CONFIG_DIR, TOWN, load_units
from data.schema import TEMPLATES
from metrics.catalogue import BY_CODE
from metrics.format import fmt_value
from metrics.periods import Period

OK, WARN, BAD, NONE = "达标", "预警", "未达标", "无数据"
NO_TARGET = "无目标"
# The state's colour (Okabe–Ito, colour-blind safe) and the mark that carries it without colour.
STATE_COLOR = {OK: "009E73", WARN: "E69F00", BAD: "D55E00", NONE: "8C8C8C", NO_TARGET: "8C8C8C"}
STATE_MARK = {OK: "✔", WARN: "!", BAD: "✘", NONE: "—", NO_TARGET: ""}


@dataclass(frozen=True)
class Assessment:
    share: float
    ok: float
    warn: float
    targets: dict[str, tuple[float, str | None]]  # code -> (value, per)
    weights: dict[str, dict[str, float]]  # town | village | department | unit code -> code -> weight (sum 100)
    appraisal_weights: dict[str, float]  # evaluator type -> weight


class ConfigError(ValueError):
    """The administrator's configuration file is inconsistent; the message says where, in Chinese."""


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float, units_path: Path | None = None) -> Assessment:
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    codes = {u.code for u in load_units(units_path).units}
    targets = {}
    for code, entry in raw.get("targets", {}).items():
        if code not in BY_CODE:
            raise ConfigError(f"{path}：[targets] 中的指标代码“{code}”不存在")
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), (int, float)):
            raise ConfigError(f"{path}：[targets] 中“{code}”应写成 {code} = {{ value = 数值 }}")
        per = entry.get("per")
        if per not in (None, "year"):
            raise ConfigError(f"{path}：指标“{code}”的 per 只能是 \"year\" 或不填")
        targets[code] = (float(entry["value"]), per)
    states = raw.get("states", {})
    weights = {}
    for kind, table in raw.get("weights", {}).items():
        if kind not in ("town", "village", "department") and kind not in codes:
            raise ConfigError(f"{path}：[weights.{kind}] 无效：应为 town、village、department 或已配置的单位代码")
        for code, w in table.items():
            if code not in BY_CODE or code in ("rule_of_law_score", "assessment_points"):
                raise ConfigError(f"{path}：[weights.{kind}] 中的指标代码“{code}”不存在或不能计分")
            if code not in targets:
                raise ConfigError(f"{path}：[weights.{kind}] 中的“{BY_CODE[code].name}”没有设定目标，无法计算完成率")
            if not isinstance(w, (int, float)) or w < 0:
                raise ConfigError(f"{path}：[weights.{kind}] 中“{BY_CODE[code].name}”的权重必须是非负数")
        total = sum(table.values())
        if abs(total - 100) > 1e-9:
            raise ConfigError(f"{path}：[weights.{kind}] 的权重之和为 {total:g}，应为 100")
        weights[kind] = {code: float(w) for code, w in table.items()}
    appraisal = {str(k): float(v) for k, v in raw.get("appraisal_weights", {}).items()}
    from data.schema import EVALUATOR_TYPES

    unknown = set(appraisal) - set(EVALUATOR_TYPES)
    if unknown:
        raise ConfigError(f"{path}：[appraisal_weights] 中的评议人类别“{'、'.join(sorted(unknown))}”不存在")
    share = float(raw.get("share", 0.25))
    if not 0 <= share <= 1:
        raise ConfigError(f"{path}：share 必须在 0 到 1 之间（25% 写作 0.25）")
    return Assessment(share, float(states.get("ok", 1.0)), float(states.get("warn", 0.9)), targets, weights,
                      appraisal or {t: 1.0 for t in EVALUATOR_TYPES})


def assessment(path: Path | None = None) -> Assessment:
    path = Path(path or CONFIG_DIR / "assessment.toml")
    return _load(path, path.stat().st_mtime)


def target(code: str, period: Period, per_unit: bool = False) -> float | None:
    """The target for this period; a yearly target is prorated by the months in the period.

    Rates and averages apply to each unit as they are. A count target is the town's: a village
    or department gets an equal share of it, and a training host unit gets none.
    """
    entry = assessment().targets.get(code)
    if entry is None:
        return None
    value, per = entry
    goal = value * period.months / 12 if per == "year" else value
    ind = BY_CODE[code]
    if per_unit and ind.fmt == "int" and ind.direction != "zero":
        kind = TEMPLATES[ind.template].unit_kind
        if kind is None:
            return None
        goal /= max(1, len(load_units().of_kind(kind)))
    return goal


def attainment(code: str, value: float | None, period: Period, per_unit: bool = False) -> float | None:
    """actual ÷ target (uncapped) for higher-is-better; 1 or 0 for a target of zero; None without data."""
    goal = target(code, period, per_unit)
    if goal is None or value is None or value != value:  # None or NaN: no data
        return None
    if BY_CODE[code].direction == "zero" or goal == 0:
        return 1.0 if value == 0 else 0.0
    return value / goal


def state(att: float | None) -> str:
    if att is None:
        return NONE
    cfg = assessment()
    return OK if att >= cfg.ok - 1e-9 else WARN if att >= cfg.warn - 1e-9 else BAD


def annotate(table, period: Period):
    """Add attainment (uncapped) and state columns to rows of compute.evaluate for one period."""
    out = table.copy()
    out["attainment"] = [attainment(c, v, period, per_unit=u != TOWN)
                         for c, v, u in zip(out["code"], out["value"], out["unit"])]
    out["state"] = [state(a) for a in out["attainment"]]
    return out


def rank(table, period: Period, codes: list[str]):
    """Units ranked by mean attainment (each capped at 100%) over the given indicators with a target.

    A unit is ranked on the indicators it has data for; how many that is travels with the rank,
    so that a unit with gaps is visibly not compared like for like.
    """
    rows = annotate(table[table["code"].isin(codes)], period)
    rows = rows[rows["attainment"].notna()]
    rows["capped"] = rows["attainment"].clip(upper=1.0)
    rows["met"] = rows["state"] == OK
    out = rows.groupby(["unit", "unit_name"], as_index=False).agg(
        score=("capped", "mean"), met=("met", "sum"), counted=("capped", "size"))
    out = out.sort_values(["score", "met"], ascending=False, kind="stable").reset_index(drop=True)
    out["rank"] = out["score"].rank(method="min", ascending=False).astype(int)
    return out


def target_text(code: str, period: Period, per_unit: bool = False) -> str:
    """目标 ≥ 95.0%, 目标 0, 无目标: the target as cards, slides and reports word it."""
    goal = target(code, period, per_unit)
    if goal is None:
        return NO_TARGET
    ind = BY_CODE[code]
    if ind.direction == "zero":
        return "目标 0"
    return "目标 " + ("≥ " if ind.fmt != "pct" or goal < 1 else "") + fmt_value(goal, ind.fmt, ind.unit)
