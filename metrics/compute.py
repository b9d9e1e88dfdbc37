"""One generic computation for every indicator of the catalogue (SPEC §5).

Rates are ratios of sums; stocks come from each unit's last reported month in the period
(numerator and denominator from that same month); a blank is never a zero: a row enters a
rate only when both its numerator and its denominator are reported; a zero denominator is
no data (None).
"""
from __future__ import annotations

import math

import pandas as pd

from data import store
from data.config import TOWN, Units, load_units
from data.schema import TEMPLATES
from metrics import scoring
from metrics.catalogue import BY_CODE, CATALOGUE, DERIVED, Indicator
from metrics.periods import Period

RESULT_COLUMNS = ["period", "code", "unit", "unit_name", "value", "numerator", "denominator"]


def _in_period(frame: pd.DataFrame, template: str, period: Period) -> pd.DataFrame:
    col = TEMPLATES[template].period_field
    if col == "year":
        return frame[(frame["year"] >= period.first.year) & (frame["year"] <= period.end.year)]
    days = pd.to_datetime(frame[col])
    return frame[(days >= pd.Timestamp(period.first)) & (days <= pd.Timestamp(period.end))]


def _term(frame: pd.DataFrame, term: str) -> pd.Series:
    if term in DERIVED:
        return DERIVED[term].make(frame)
    return frame[term].astype("Float64")


def compute(indicator: Indicator, frame: pd.DataFrame, period: Period,
            unit_count: int | None = None) -> tuple[pd.DataFrame, tuple]:
    """Per-unit (numerator, denominator, value) of one indicator, and the same for the town.

    unit_count: the configured units of the indicator's kind, for a town denominator that counts
    every unit (SPEC §5: villages with a culture site / villages).
    """
    rows = _in_period(frame, indicator.template, period)
    work = pd.DataFrame({
        "unit": rows["unit"],
        "order": rows[TEMPLATES[indicator.template].period_field],
        "num": _term(rows, indicator.numerator),
        "den": _term(rows, indicator.denominator) if indicator.is_rate else pd.Series(pd.NA, index=rows.index, dtype="Float64"),
    })
    if indicator.is_stock:
        anchor = "den" if indicator.is_rate else "num"
        work = work[work[anchor].notna()].sort_values("order", kind="stable").groupby("unit").tail(1)
    reported = work["num"].notna()
    if indicator.is_rate:
        reported &= work["den"].notna()
    work = work[reported]
    per_unit = work.groupby("unit")[["num", "den"]].sum(min_count=1)
    per_unit["value"] = [_value(indicator, n, d) for n, d in zip(per_unit["num"], per_unit["den"])]
    if per_unit.empty:
        town = (None, None, None)
    else:
        n, d = per_unit["num"].sum(), per_unit["den"].sum(min_count=1)
        if indicator.per_configured_unit and unit_count:
            d = unit_count
        town = (_number(n), _number(d), _value(indicator, n, d))
    return per_unit, town


def _number(x):
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    x = float(x)
    return int(x) if x.is_integer() else x


def _value(indicator: Indicator, num, den):
    num, den = _number(num), _number(den)
    if num is None:
        return None
    if not indicator.is_rate:
        return num
    if not den:
        return None
    return num / den


def units_for(indicator: Indicator, units: Units, township: str | None = None) -> list:
    """The units an indicator is given for (SPEC §5): villages, departments or any host unit."""
    if indicator.town_only:
        return []
    kind = TEMPLATES[indicator.template].unit_kind if indicator.template else None
    return [u for u in units.of_kind(kind) if township is None or u.township == township]


def load_frames(first, last, db=None) -> dict[str, pd.DataFrame]:
    """Current rows of every template, for months first..last."""
    return {name: store.rows(name, first, last, db) for name in TEMPLATES}


def evaluate(periods: list[Period], db=None, *, units: Units | None = None, township: str | None = None,
             codes: list[str] | None = None, frames: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Every indicator (or those in codes) for every period: one row per period × indicator × unit, town included."""
    units = units or load_units()
    if township is not None:
        units = Units(units.townships, tuple(u for u in units.units if u.township == township))
    if frames is None:
        frames = load_frames(min(p.first for p in periods), max(p.last for p in periods), db)
    scope = {u.code for u in units.units}
    frames = {name: frames[name] if name in frames else pd.DataFrame(columns=t.fields) for name, t in TEMPLATES.items()}
    frames = {name: frame[frame["unit"].isin(scope)] for name, frame in frames.items()}
    records = []
    for period in periods:
        rows = []

        def add(indicator, per_unit, town):
            rows.append((period.label, indicator.code, TOWN, TOWN, *town))
            for unit in units_for(indicator, units):
                if unit.code in per_unit.index:
                    r = per_unit.loc[unit.code]
                    value = None if pd.isna(r["value"]) else r["value"]
                    rows.append((period.label, indicator.code, unit.code, unit.name, value,
                                 _number(r["num"]), _number(r["den"])))
                else:
                    rows.append((period.label, indicator.code, unit.code, unit.name, None, None, None))

        for indicator in CATALOGUE:
            if not indicator.is_scored:
                kind = TEMPLATES[indicator.template].unit_kind
                per_unit, (num, den, value) = compute(indicator, frames[indicator.template], period,
                                                      len(units.of_kind(kind)))
                add(indicator, per_unit, (value, num, den))
        per_unit, town = scoring.appraisal(frames["appraisal_scores"], period)
        add(BY_CODE["appraisal_score"], pd.DataFrame({"value": per_unit, "num": None, "den": None}),
            (town, None, None))
        scores = scoring.score_units(pd.DataFrame.from_records(rows, columns=RESULT_COLUMNS), period, units)
        for code, column in (("rule_of_law_score", "score"), ("assessment_points", "points")):
            per_unit = scores.set_index("unit").rename(columns={column: "value"}).assign(num=None, den=None)
            add(BY_CODE[code], per_unit.drop(index=TOWN), (per_unit.at[TOWN, "value"], None, None))
        records += rows
    out = pd.DataFrame.from_records(records, columns=RESULT_COLUMNS)
    if codes is not None:
        out = out[out["code"].isin(codes)].reset_index(drop=True)
    out["value"] = out["value"].astype(object).where(out["value"].notna(), None)
    return out


def values_json(period: Period, db=None, unit: str | None = None, township: str | None = None) -> dict:
    """The `python -m metrics show --json` document: {period, values: {code: {全镇|unit name: value}}}."""
    table = evaluate([period], db, township=township)
    if unit is not None:
        table = table[(table["unit"] == TOWN) | (table["unit_name"] == unit)]
    values: dict[str, dict] = {}
    for r in table.itertuples():
        rate = BY_CODE[r.code].is_rate
        values.setdefault(r.code, {})[r.unit_name] = None if r.value is None else float(r.value) if rate else _number(r.value)
    return {"period": period.label, "values": values}
