"""Assessment scoring (SPEC §6) against hand-worked figures and a small configuration typed here.

The shipped config/ is never read: every test runs on the units and assessment.toml below.
"""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

import data.config
from data.config import TOWN, load_units
from data.schema import TEMPLATES
from metrics import scoring, targets
from metrics.compute import evaluate
from metrics.periods import parse_period
from metrics.scoring import appraisal, appraisal_by_type, ranking, score_units, weights_table
from metrics.targets import ConfigError, assessment, target

Q1 = parse_period("2025Q1")
YEAR = parse_period("2025")

UNITS_TOML = """
[[townships]]
code = "chadian"
name = "插甸镇"

[[units]]
code = "V01"
name = "东山村"
kind = "village"

[[units]]
code = "V02"
name = "西河村"
kind = "village"

[[units]]
code = "V03"
name = "南坝村"
kind = "village"

[[units]]
code = "D01"
name = "党政办公室"
kind = "department"

[[units]]
code = "D02"
name = "司法所"
kind = "department"
"""

ASSESSMENT_TOML = """
share = 0.25

[targets]
resolution_rate = { value = 1.0 }
satisfaction = { value = 0.95 }
consultations = { value = 120, per = "year" }
correction_lost = { value = 0 }
resettlement_rate = { value = 1.0 }
appraisal_score = { value = 90 }

[weights.town]
resolution_rate = 50
satisfaction = 50

[weights.village]
resolution_rate = 40
satisfaction = 40
consultations = 20

[weights.department]
correction_lost = 50
resettlement_rate = 50

[weights.D02]
correction_lost = 30
resettlement_rate = 30
appraisal_score = 40

[appraisal_weights]
"人大代表" = 0.4
"政协委员" = 0.1
"群众代表" = 0.3
"镇领导班子" = 0.2
"""


@pytest.fixture(autouse=True)
def config(tmp_path, monkeypatch):
    """This file's units and assessment.toml in place of the shipped ones; returns the directory."""
    (tmp_path / "units.toml").write_text(UNITS_TOML, encoding="utf-8")
    (tmp_path / "assessment.toml").write_text(ASSESSMENT_TOML, encoding="utf-8")
    monkeypatch.setattr(targets, "CONFIG_DIR", tmp_path)
    # targets shares a count target among load_units(), which reads data.config's directory
    monkeypatch.setattr(data.config, "CONFIG_DIR", tmp_path)
    targets._load.cache_clear()
    yield tmp_path
    targets._load.cache_clear()


def scores(values: dict[str, dict[str, float | None]], period=Q1) -> dict[str, dict]:
    """score_units over a table typed as {unit: {code: value}}, as {unit: result without NaN contributions}."""
    units = load_units()
    names = {TOWN: TOWN} | {u.code: u.name for u in units.units}
    rows = [(period.label, code, unit, names[unit], value)
            for unit, by_code in values.items() for code, value in by_code.items()]
    table = pd.DataFrame(rows, columns=["period", "code", "unit", "unit_name", "value"])
    out = score_units(table, period, units)
    return {r["unit"]: {"score": None if pd.isna(r["score"]) else r["score"],
                        "points": None if pd.isna(r["points"]) else r["points"],
                        "veto": r["veto"], "missing": r["missing"], "rank": r["rank"],
                        "contributions": {k[2:]: v for k, v in r.items() if k.startswith("c_") and not pd.isna(v)}}
            for r in out.to_dict("records")}


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, NaN (pandas' blank) as None."""
    return [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
            for r in frame.to_dict("records")]


def bad_config(tmp_path, text: str):
    path = tmp_path / "bad" / "assessment.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


# --- attainment and weights --------------------------------------------------------------------


def test_attainment_above_the_target_counts_as_the_full_weight_and_no_more():
    # satisfaction 99% of a 95% target and 25 consultations of a 10 target are both worth their weight only
    got = scores({"V01": {"resolution_rate": 1.0, "satisfaction": 0.99, "consultations": 25}})["V01"]
    assert got == {"score": 100.0, "points": 25.0, "veto": False, "missing": [], "rank": 1,
                   "contributions": {"resolution_rate": 40.0, "satisfaction": 40.0, "consultations": 20.0}}


def test_a_count_target_is_shared_equally_among_the_configured_villages():
    # 120 a year is 30 for the quarter, 10 for each of the 3 villages
    assert target("consultations", Q1) == 30
    assert target("consultations", Q1, per_unit=True) == 10
    got = scores({"V02": {"resolution_rate": 0.9, "satisfaction": 0.855, "consultations": 5}})["V02"]
    assert got["contributions"] == pytest.approx({"resolution_rate": 36.0, "satisfaction": 36.0, "consultations": 10.0})
    assert got["score"] == pytest.approx(82.0)


def test_the_town_is_scored_on_its_own_weights_against_the_whole_target():
    got = scores({TOWN: {"resolution_rate": 0.5, "satisfaction": 0.95, "consultations": 5}})[TOWN]
    assert got == {"score": 75.0, "points": 18.75, "veto": False, "missing": [], "rank": None,
                   "contributions": {"resolution_rate": 25.0, "satisfaction": 50.0}}


def test_a_department_with_its_own_weights_is_scored_on_them_not_on_the_departments_weights():
    got = scores({"D01": {"correction_lost": 0, "resettlement_rate": 0.5, "appraisal_score": 72.0},
                  "D02": {"correction_lost": 0, "resettlement_rate": 0.5, "appraisal_score": 72.0}})
    assert got["D01"]["contributions"] == {"correction_lost": 50.0, "resettlement_rate": 25.0}
    assert got["D01"]["score"] == 75.0
    # [weights.D02]: 30 × 1 + 30 × 0.5 + 40 × 72 / 90
    assert got["D02"]["contributions"] == pytest.approx(
        {"correction_lost": 30.0, "resettlement_rate": 15.0, "appraisal_score": 32.0})
    assert got["D02"]["score"] == pytest.approx(77.0)


# --- veto --------------------------------------------------------------------------------------


def test_a_unit_that_lost_a_correction_subject_scores_nothing_for_it_and_is_vetoed():
    got = scores({"D01": {"correction_lost": 1, "resettlement_rate": 1.0}})["D01"]
    assert got == {"score": 50.0, "points": 12.5, "veto": True, "missing": [], "rank": 1,
                   "contributions": {"correction_lost": 0.0, "resettlement_rate": 50.0}}


def test_a_vetoed_unit_ranks_after_every_unit_that_is_not_even_with_a_higher_score():
    got = scores({"D01": {"correction_lost": 1, "resettlement_rate": 1.0},  # 0 + 50, vetoed
                  "D02": {"correction_lost": 0, "resettlement_rate": 0.0, "appraisal_score": 18.0}})  # 30 + 0 + 8
    assert (got["D01"]["score"], got["D01"]["rank"]) == (50.0, 2)
    assert (got["D02"]["score"], got["D02"]["rank"]) == (pytest.approx(38.0), 1)


# --- incomplete data ---------------------------------------------------------------------------


def test_an_indicator_without_data_scores_nothing_and_is_listed_as_missing():
    got = scores({"V03": {"resolution_rate": 1.0, "satisfaction": None}})["V03"]
    assert got == {"score": 40.0, "points": 10.0, "veto": False, "missing": ["群众满意度", "法律咨询次数"],
                   "rank": 1, "contributions": {"resolution_rate": 40.0, "satisfaction": 0.0, "consultations": 0.0}}


def test_a_rate_that_is_nan_is_no_data_like_none():
    got = scores({"V03": {"resolution_rate": 1.0, "satisfaction": math.nan, "consultations": 10}})["V03"]
    assert (got["score"], got["missing"]) == (60.0, ["群众满意度"])


def test_a_unit_without_any_data_has_no_score_rather_than_zero_and_no_rank():
    got = scores({"V01": {"resolution_rate": 1.0}})
    assert got["V02"] == {"score": None, "points": None, "veto": False,
                          "missing": ["矛盾纠纷化解率", "群众满意度", "法律咨询次数"], "rank": None,
                          "contributions": {"resolution_rate": 0.0, "satisfaction": 0.0, "consultations": 0.0}}
    assert got["V01"]["rank"] == 1


# --- ranks -------------------------------------------------------------------------------------


def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped():
    got = scores({"V01": {"resolution_rate": 0.9, "satisfaction": 0.95, "consultations": 10},   # 36 + 40 + 20
                  "V02": {"resolution_rate": 0.73, "satisfaction": 0.95, "consultations": 9},  # 29.2 + 40 + 18
                  "V03": {"resolution_rate": 0.83, "satisfaction": 0.95, "consultations": 7}})  # 33.2 + 40 + 14
    assert {u: (r["score"], r["rank"]) for u, r in got.items() if u.startswith("V")} == {
        "V01": (96.0, 1), "V02": (pytest.approx(87.2), 2), "V03": (pytest.approx(87.2), 2)}


def test_villages_and_departments_are_ranked_separately():
    got = scores({"V01": {"resolution_rate": 0.5, "satisfaction": 0.5, "consultations": 1},
                  "D01": {"correction_lost": 0, "resettlement_rate": 1.0}})
    assert (got["V01"]["rank"], got["D01"]["rank"]) == (1, 1)


# --- assessment points through evaluate --------------------------------------------------------


def frame(template: str, rows: list[dict]) -> pd.DataFrame:
    fields = TEMPLATES[template].fields
    return pd.DataFrame([{f: r.get(f) for f in fields} for r in rows], columns=fields)


def test_evaluate_gives_the_score_and_the_points_as_score_times_share():
    village = frame("village_monthly", [
        {"unit": "V01", "month": dt.date(2025, 1, 1), "disputes_received": 10, "disputes_resolved": 8,
         "survey_total": 20, "survey_satisfied": 19, "consultations": 5},
    ])
    out = evaluate([Q1], units=load_units(), frames={"village_monthly": village},
                   codes=["rule_of_law_score", "assessment_points"])
    got = {(r.code, r.unit): r.value for r in out.itertuples() if r.unit in (TOWN, "V01", "V02")}
    # V01: 40 × 0.8 + 40 × 1 + 20 × 5 / 10; the town: 50 × 0.8 + 50 × 1
    assert got == {("rule_of_law_score", TOWN): pytest.approx(90.0), ("assessment_points", TOWN): pytest.approx(22.5),
                   ("rule_of_law_score", "V01"): pytest.approx(82.0), ("assessment_points", "V01"): pytest.approx(20.5),
                   ("rule_of_law_score", "V02"): None, ("assessment_points", "V02"): None}


# --- the configuration -------------------------------------------------------------------------


def test_weights_that_do_not_sum_to_100_are_refused_naming_the_table_and_the_sum(tmp_path):
    path = bad_config(tmp_path, ASSESSMENT_TOML.replace("consultations = 20", "consultations = 10"))
    with pytest.raises(ConfigError) as e:
        assessment(path)
    assert str(e.value) == f"{path}：[weights.village] 的权重之和为 90，应为 100"


def test_an_unknown_indicator_code_in_the_weights_is_refused(tmp_path):
    path = bad_config(tmp_path, ASSESSMENT_TOML.replace("consultations = 20", "consultation = 20"))
    with pytest.raises(ConfigError) as e:
        assessment(path)
    assert str(e.value) == f"{path}：[weights.village] 中的指标代码“consultation”不存在或不能计分"


def test_an_unknown_indicator_code_in_the_targets_is_refused(tmp_path):
    path = bad_config(tmp_path, ASSESSMENT_TOML.replace("consultations = { value", "consultation = { value"))
    with pytest.raises(ConfigError, match="\\[targets\\] 中的指标代码“consultation”不存在"):
        assessment(path)


def test_weights_for_an_unconfigured_unit_are_refused(tmp_path):
    path = bad_config(tmp_path, ASSESSMENT_TOML.replace("[weights.D02]", "[weights.D09]"))
    with pytest.raises(ConfigError, match="\\[weights.D09\\] 无效"):
        assessment(path)


def test_the_weights_table_shows_every_weight_set_in_use():
    table = weights_table(load_units())
    assert {k: [None if pd.isna(v) else v for v in column] for k, column in table.to_dict("list").items()} == {
        "code": ["resolution_rate", "satisfaction", "consultations", "correction_lost", "resettlement_rate",
                 "appraisal_score"],
        "全镇": [50.0, 50.0, None, None, None, None],
        "各村": [40.0, 40.0, 20.0, None, None, None],
        "镇直单位": [None, None, None, 50.0, 50.0, None],
        "司法所": [None, None, None, 30.0, 30.0, 40.0],
        "indicator": ["矛盾纠纷化解率", "群众满意度", "法律咨询次数", "社区矫正脱管漏管", "安置帮教率", "述职评议得分"],
    }


# --- appraisal scores --------------------------------------------------------------------------


def appraisal_rows(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=TEMPLATES["appraisal_scores"].fields)


APPRAISAL = appraisal_rows(
    (2025, "D01", "人大代表", "R01", 90.0), (2025, "D01", "人大代表", "R02", 80.0),
    (2025, "D01", "群众代表", "Q01", 96.0),
    (2025, "D01", "镇领导班子", "L01", 70.0), (2025, "D01", "镇领导班子", "L02", 80.0),
    (2025, "D01", "镇领导班子", "L03", 90.0),
    (2025, "V01", "人大代表", "R01", 80.0), (2025, "V01", "政协委员", "Z01", 90.0),
    (2025, "V01", "群众代表", "Q01", 70.0), (2025, "V01", "镇领导班子", "L01", 100.0),
    (2024, "V02", "人大代表", "R01", 10.0),  # another year
)


def test_the_appraisal_score_is_the_weighted_mean_of_the_mean_per_evaluator_type():
    per_unit, _ = appraisal(APPRAISAL, Q1)
    # 0.4 × 80 + 0.1 × 90 + 0.3 × 70 + 0.2 × 100; a plain mean of the four scores would be 85
    assert per_unit["V01"] == pytest.approx(82.0)


def test_the_appraisal_weights_are_renormalised_over_the_types_that_scored():
    per_unit, _ = appraisal(APPRAISAL, Q1)
    # no 政协委员: (0.4 × 85 + 0.3 × 96 + 0.2 × 80) / 0.9; the mean of all six scores would be 84.3
    assert per_unit["D01"] == pytest.approx(78.8 / 0.9)


def test_the_towns_appraisal_score_takes_every_evaluator_of_a_type_together():
    _, town = appraisal(APPRAISAL, Q1)
    # 人大代表 (90+80+80)/3, 政协委员 90, 群众代表 (96+70)/2, 镇领导班子 (70+80+90+100)/4
    assert town == pytest.approx(0.4 * 250 / 3 + 0.1 * 90 + 0.3 * 83 + 0.2 * 85)


def test_appraisal_scores_of_another_year_do_not_count():
    per_unit, _ = appraisal(APPRAISAL, Q1)
    assert sorted(per_unit.index) == ["D01", "V01"]
    assert appraisal(APPRAISAL, parse_period("2024"))[0].to_dict() == {"V02": 10.0}


def test_no_appraisal_scores_give_no_town_score():
    assert appraisal(appraisal_rows(), YEAR)[1] is None


def test_appraisal_by_type_gives_each_units_mean_per_type_the_evaluators_and_the_combined_score():
    got = appraisal_by_type(APPRAISAL, YEAR, load_units())
    assert records(got) == [
        {"unit": "V01", "unit_name": "东山村", "kind": "village", "人大代表": 80.0, "政协委员": 90.0,
         "群众代表": 70.0, "镇领导班子": 100.0, "evaluators": 4, "score": pytest.approx(82.0)},
        {"unit": "D01", "unit_name": "党政办公室", "kind": "department", "人大代表": 85.0, "政协委员": None,
         "群众代表": 96.0, "镇领导班子": 80.0, "evaluators": 6, "score": pytest.approx(78.8 / 0.9)},
    ]


# --- the ranking table -------------------------------------------------------------------------


def test_the_ranking_orders_one_kind_with_change_gap_and_flags_in_words():
    units = load_units()

    def table(values, period):
        rows = [(period.label, c, u, units.by_code(u).name, v) for u, by in values.items() for c, v in by.items()]
        return score_units(pd.DataFrame(rows, columns=["period", "code", "unit", "unit_name", "value"]), period, units)

    q4 = parse_period("2024Q4")
    before = table({"V01": {"resolution_rate": 1.0, "satisfaction": 0.95, "consultations": 10},
                    "V02": {"resolution_rate": 0.5, "satisfaction": 0.95, "consultations": 10}}, q4)
    now = table({"V01": {"resolution_rate": 0.95, "satisfaction": 0.95, "consultations": 10},
                 "V02": {"resolution_rate": 0.9, "satisfaction": 0.95}}, Q1)
    got = ranking(now, before, "village")
    assert records(got[["unit", "rank", "score", "change", "gap", "remark"]]) == [
        {"unit": "V01", "rank": 1, "score": 98.0, "change": -2.0, "gap": None, "remark": ""},
        {"unit": "V02", "rank": 2, "score": 76.0, "change": -4.0, "gap": 22.0, "remark": "数据不全（缺：法律咨询次数）"},
        {"unit": "V03", "rank": None, "score": None, "change": None, "gap": None,
         "remark": "数据不全（缺：矛盾纠纷化解率、群众满意度、法律咨询次数）"},
    ]


def test_a_vetoed_units_gap_is_not_shown_as_a_difference_in_score():
    units = load_units()
    rows = [(Q1.label, c, u, units.by_code(u).name, v) for u, by in {
        "D01": {"correction_lost": 2, "resettlement_rate": 1.0},
        "D02": {"correction_lost": 0, "resettlement_rate": 0.0, "appraisal_score": 18.0}}.items() for c, v in by.items()]
    got = ranking(score_units(pd.DataFrame(rows, columns=["period", "code", "unit", "unit_name", "value"]), Q1, units),
                  None, "department")
    assert records(got[["unit", "rank", "gap", "change", "remark"]]) == [
        {"unit": "D02", "rank": 1, "gap": None, "change": None, "remark": ""},
        {"unit": "D01", "rank": 2, "gap": None, "change": None, "remark": "一票否决"},
    ]


def test_scored_codes_list_every_indicator_that_counts_for_a_kind():
    assert scoring.scored_codes("department", load_units()) == ["correction_lost", "resettlement_rate",
                                                                "appraisal_score"]


def test_appraisal_by_type_without_scores_is_an_empty_table():
    got = appraisal_by_type(appraisal_rows(), YEAR, load_units())
    assert got.empty and list(got.columns) == ["unit", "unit_name", "kind", "人大代表", "政协委员", "群众代表",
                                                "镇领导班子", "evaluators", "score"]
