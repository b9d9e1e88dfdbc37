"""Assessment scoring (SPEC §6): appraisal scores, the rule-of-law score, the points it counts for.

Weights, targets and the share live in config/assessment.toml. Attainment of one indicator is
min(actual ÷ target, 1); for a target of zero it is 1 at zero and 0 otherwise, and the unit is
flagged 一票否决; an indicator without data scores nothing and the unit is flagged incomplete.
"""
from __future__ import annotations

import pandas as pd

from data.config import TOWN, Units
from metrics.catalogue import BY_CODE
from metrics.periods import Period
from metrics.targets import assessment, attainment

SCORE_COLUMNS = ["unit", "unit_name", "kind", "score", "points", "veto", "missing", "rank"]


def appraisal(frame: pd.DataFrame, period: Period) -> tuple[pd.Series, float | None]:
    """Per-unit and town appraisal score: mean per evaluator type, then the weighted mean over types.

    Types without scores drop out and the remaining weights are renormalised.
    """
    weights = assessment().appraisal_weights
    rows = frame[(frame["year"] >= period.first.year) & (frame["year"] <= period.end.year)]
    rows = rows[rows["evaluator_type"].isin(list(weights))]

    def combine(means: pd.Series):
        w = pd.Series({t: weights[t] for t in means.index})
        return None if w.sum() == 0 or means.empty else float((means * w).sum() / w.sum())

    per_unit = {unit: combine(g.groupby("evaluator_type")["score"].mean())
                for unit, g in rows.groupby("unit")}
    town = combine(rows.groupby("evaluator_type")["score"].mean()) if len(rows) else None
    return pd.Series(per_unit, dtype=object), town


def weights_for(unit: str, kind: str) -> dict[str, float]:
    """A unit's own weights if the administrator set them, else those of its kind."""
    table = assessment().weights
    return table.get(unit) or table.get(kind, {})


def score(values: dict[str, float | None], weights: dict[str, float], kind: str, period: Period) -> dict:
    """One unit's (or the town's) rule-of-law score with each indicator's contribution and its flags."""
    per_unit = kind != "town"
    contributions, missing, veto = {}, [], False
    for code, weight in weights.items():
        att = attainment(code, values.get(code), period, per_unit)
        if att is None:
            missing.append(code)
            contributions[code] = 0.0
            continue
        if BY_CODE[code].direction == "zero" and att == 0:
            veto = True
        contributions[code] = weight * min(att, 1.0)
    # Nothing to score at all is no data, not a score of 0.
    total = sum(contributions.values()) if weights and len(missing) < len(weights) else None
    return {"score": total, "contributions": contributions, "missing": missing, "veto": veto}


def score_units(table: pd.DataFrame, period: Period, units: Units) -> pd.DataFrame:
    """Score, points, flags, rank and per-indicator contributions of every unit and the town for one period.

    Ties share a rank; a unit flagged 一票否决 ranks after every unit that is not.
    """
    rows = table[table["period"] == period.label]
    share = assessment().share
    who = [(TOWN, TOWN, "town")] + [(u.code, u.name, u.kind) for u in units.units]
    records = []
    for code, name, kind in who:
        values = rows[rows["unit"] == code].set_index("code")["value"].to_dict()
        result = score(values, weights_for(code, kind), kind, period)
        records.append({"unit": code, "unit_name": name, "kind": kind, "score": result["score"],
                        "points": None if result["score"] is None else result["score"] * share,
                        "veto": result["veto"], "missing": [BY_CODE[c].name for c in result["missing"]],
                        **{f"c_{c}": v for c, v in result["contributions"].items()}})
    out = pd.DataFrame.from_records(records)
    out["rank"] = None
    for kind in ("village", "department"):
        mask = (out["kind"] == kind) & out["score"].notna()
        key = out.loc[mask, "score"] - out.loc[mask, "veto"].astype(float) * 1000
        out.loc[mask, "rank"] = key.rank(method="min", ascending=False).astype(int)
    return out
