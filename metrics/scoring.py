"""Assessment scoring (SPEC §6): appraisal scores, the rule-of-law score, the points it counts for.

Weights, targets and the share live in config/assessment.toml. Attainment of one indicator is
min(actual ÷ target, 1); for a target of zero it is 1 at zero and 0 otherwise, and the unit is
flagged 一票否决; an indicator without data scores nothing and the unit is flagged incomplete.
"""
from __future__ import annotations

import pandas as pd

from data.config import TOWN, Units
from data.schema import EVALUATOR_TYPES
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
        # Rounded so that equal scores reached by different sums (48.6 vs 48.599999999999994) tie.
        key = out.loc[mask, "score"].astype(float).round(6) - out.loc[mask, "veto"].astype(float) * 1000
        out.loc[mask, "rank"] = key.rank(method="min", ascending=False).astype(int)
    return out


def flags_text(veto: bool, missing: list[str]) -> str:
    """一票否决 and 数据不全（缺：…） in words, as the ranking table shows them; empty when neither."""
    words = (["一票否决"] if veto else []) + (["数据不全（缺：" + "、".join(missing) + "）"] if missing else [])
    return "；".join(words)


def ranking(scores: pd.DataFrame, before: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    """One kind's rows of score_units in rank order, with the change from `before` (the previous
    period's score_units), the gap to the unit ranked just above and the flags in words (remark).

    Units without a score come last; a vetoed unit's gap is not a difference in score, so it is blank (NaN).
    """
    rows = scores[scores["kind"] == kind].copy()
    rows["score"] = rows["score"].astype(float)
    rows = rows.assign(_order=pd.to_numeric(rows["rank"]).fillna(1e9)).sort_values(["_order", "unit"], kind="stable")
    prev = {} if before is None else before.set_index("unit")["score"].astype(float).to_dict()
    rows["change"] = rows["score"] - rows["unit"].map(prev).astype(float)
    rows["gap"] = (rows["score"].shift(1) - rows["score"]).where(~rows["veto"].astype(bool))
    rows["remark"] = [flags_text(v, m) for v, m in zip(rows["veto"], rows["missing"])]
    return rows.drop(columns="_order").reset_index(drop=True)


def scored_codes(kind: str, units: Units) -> list[str]:
    """The indicators that count for any unit of the kind (own weights included), in configuration order."""
    codes = list(weights_for(kind, kind))
    for u in units.of_kind(kind):
        codes += [c for c in weights_for(u.code, kind) if c not in codes]
    return codes


def weights_table(units: Units) -> pd.DataFrame:
    """The weights in use: one row per indicator, one column per weight set (全镇, 各村, 镇直单位, own sets)."""
    table = assessment().weights
    sets = {"全镇": table.get("town", {}), "各村": table.get("village", {}), "镇直单位": table.get("department", {})}
    sets.update({u.name: table[u.code] for u in units.units if u.code in table})
    codes = [c for c in BY_CODE if any(c in w for w in sets.values())]
    out = pd.DataFrame({name: [w.get(c) for c in codes] for name, w in sets.items()}, index=codes)
    return out.rename_axis("code").reset_index().assign(indicator=[BY_CODE[c].name for c in codes])


def appraisal_by_type(frame: pd.DataFrame, period: Period, units: Units) -> pd.DataFrame:
    """Per unit: the mean score of each evaluator type, how many evaluators scored, and the combined score.

    One row per unit with appraisal scores in the period's years, in configuration order.
    """
    rows = frame[(frame["year"] >= period.first.year) & (frame["year"] <= period.end.year)]
    combined, _ = appraisal(frame, period)
    means = rows.pivot_table(index="unit", columns="evaluator_type", values="score", aggfunc="mean")
    counts = rows.groupby("unit")["score"].size()
    records = [{"unit": u.code, "unit_name": u.name, "kind": u.kind,
                **{t: _plain(means.at[u.code, t]) if t in means.columns else None for t in EVALUATOR_TYPES},
                "evaluators": int(counts[u.code]), "score": combined.get(u.code)}
               for u in units.units if u.code in counts.index]
    return pd.DataFrame.from_records(records, columns=["unit", "unit_name", "kind", *EVALUATOR_TYPES,
                                                       "evaluators", "score"])


def _plain(x) -> float | None:
    return None if pd.isna(x) else float(x)
