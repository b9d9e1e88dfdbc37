"""The indicator catalogue computed against hand-worked figures (SPEC §5), targets and formats."""
from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.config import TOWN, Unit, Units, load_units
from data.importer import Upload
from data.schema import TEMPLATES
from data.store import import_files
from metrics.catalogue import BY_CODE, CATALOGUE, Indicator
from metrics.compute import compute, evaluate, values_json
from metrics.format import fmt_value
from metrics.periods import parse_period
from metrics.targets import attainment, state, target

Q1 = parse_period("2025Q1")
MAR = parse_period("2025-03")
YEAR = parse_period("2025")
V, D, T = "village_monthly", "department_monthly", "training_ledger"

UNITS = Units(
    townships={"chadian": "插甸镇"},
    units=(
        Unit("V01", "东山村", "village", "chadian"),
        Unit("V02", "西河村", "village", "chadian"),
        Unit("V03", "南坝村", "village", "chadian"),
        Unit("D01", "党政办公室", "department", "chadian"),
        Unit("D02", "司法所", "department", "chadian"),
    ),
)
NAMES = {u.code: u.name for u in UNITS.units}
CONFIGURED_VILLAGES = len(load_units().of_kind("village"))


def m(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def frame(template: str, rows) -> pd.DataFrame:
    """A template's frame from tuples in field order, or from dicts naming only the filled fields."""
    fields = TEMPLATES[template].fields
    records = [r if isinstance(r, dict) else dict(zip(fields, r, strict=True)) for r in rows]
    return pd.DataFrame([{f: r.get(f) for f in fields} for r in records], columns=fields)


def empty_frames() -> dict[str, pd.DataFrame]:
    return {name: frame(name, []) for name in (V, D, T)}


def table(code: str, period, frames, units: Units = UNITS) -> dict:
    """evaluate() of one indicator as {unit code: (value, numerator, denominator)}, None where missing."""
    out = evaluate([period], units=units, codes=[code], frames={**empty_frames(), **frames})
    assert set(out["period"]) == {period.label} and set(out["code"]) == {code}
    # value is None where missing; numerator and denominator are NaN there once pandas makes the column float
    return {r.unit: tuple(None if pd.isna(x) else x for x in (r.value, r.numerator, r.denominator))
            for r in out.itertuples()}


def mediators() -> Indicator:
    """A bare stock count (no catalogue entry counts one), to test the stock rule itself."""
    return Indicator("mediators", "调解员", "Mediators", "人", V, "mediators")


# --- the catalogue, every entry against hand-worked figures for 2025Q1 -------------------------

# unit, month, disputes_received, disputes_resolved, disputes_online, mediators, legal_liaisons,
# liaison_services, advisor_days, consultations, publicity_events, publicity_reach, survey_total,
# survey_satisfied, assisted_visits, culture_sites
VILLAGE_ROWS = [
    ("V01", m(2025, 1), 10, 9, 4, 5, 3, 7, 4.0, 6, 2, 100, 20, 19, 1, 0),
    ("V01", m(2025, 3), 6, 6, 1, 6, 3, 5, 5.0, 4, 1, 50, 10, 8, 0, 1),
    ("V02", m(2025, 1), 4, 2, 2, 4, 2, 3, None, 2, 0, 0, 0, 0, 0, 2),
    ("V02", m(2025, 2), 0, 0, 0, 4, 2, 2, 3.5, 1, 1, 30, 5, 5, 0, 0),
    ("V01", m(2025, 4), 100, 0, 0, 9, 9, 99, 0.0, 99, 99, 999, 99, 0, 9, 0),  # after the quarter
    ("V03", m(2024, 12), 50, 50, 50, 9, 9, 99, 31.0, 99, 99, 999, 99, 99, 9, 5),  # before it
]

# unit, month, party_meetings_on_law, law_items_reviewed, major_decisions, decisions_legality_reviewed,
# enforcement_staff, enforcement_certified, enforcement_cases, case_files_reviewed, lenient_cases,
# enforcement_survey_total, enforcement_survey_satisfied, legal_aid_screened, correction_subjects,
# correction_lost, resettlement_subjects, resettled, service_cases, service_on_time
DEPARTMENT_ROWS = [
    ("D01", m(2025, 1), 1, 1, 2, 2, 10, 8, 3, 1, 1, 10, 9, 1, 3, 0, 4, 4, 20, 19),
    ("D01", m(2025, 3), 0, 0, 1, 0, 12, 12, 2, 1, 0, 10, 10, 2, 3, 1, 5, 4, 10, 10),
    ("D02", m(2025, 2), 0, 0, None, None, 4, 3, 0, 0, 0, None, None, 0, 2, 0, 2, 1, 5, 4),
    ("D02", m(2025, 3), 0, 0, 0, 0, None, None, 0, 0, 0, 5, 4, 1, 2, None, None, None, None, None),
    ("D01", m(2025, 4), 9, 9, 9, 0, 20, 1, 9, 9, 9, 99, 0, 9, 9, 9, 9, 0, 99, 0),  # after the quarter
]

# date, unit, title, category, hours, attendees, exam_takers, exam_mean
TRAINING_ROWS = [
    (dt.date(2025, 1, 10), "V01", "民法典宣讲", "法治讲堂", 2.0, 30, 20, 90.0),
    (dt.date(2025, 2, 15), "D01", "调解技能", "调解员培训", 1.5, 10, None, None),
    (dt.date(2025, 3, 20), "D01", "法律明白人履职", "法律明白人培训", 3.0, 12, 10, 96.0),
    (dt.date(2025, 3, 31), "V01", "中心组学法", "中心组学法", 1.0, 8, None, None),
    (dt.date(2025, 4, 1), "V01", "四月讲堂", "调解员培训", 2.0, 50, 50, 60.0),  # after the quarter
    (dt.date(2024, 12, 31), "D01", "年终学法", "调解员培训", 2.0, 50, 50, 60.0),  # before it
]

NO = (None, None, None)

# {unit: (value, numerator, denominator)} for 2025Q1, worked by hand from the rows above.
EXPECTED = {
    "disputes_received": {TOWN: (20, 20, None), "V01": (16, 16, None), "V02": (4, 4, None), "V03": NO},
    "resolution_rate": {TOWN: (17 / 20, 17, 20), "V01": (15 / 16, 15, 16), "V02": (2 / 4, 2, 4), "V03": NO},
    "online_share": {TOWN: (7 / 20, 7, 20), "V01": (5 / 16, 5, 16), "V02": (2 / 4, 2, 4), "V03": NO},
    # V02's January 0 of 0 enters both sums, changing nothing
    "satisfaction": {TOWN: (32 / 35, 32, 35), "V01": (27 / 30, 27, 30), "V02": (5 / 5, 5, 5), "V03": NO},
    "enforcement_satisfaction": {TOWN: (23 / 25, 23, 25), "D01": (19 / 20, 19, 20), "D02": (4 / 5, 4, 5)},
    "training_sessions": {TOWN: (4, 4, None), "V01": (2, 2, None), "V02": NO, "V03": NO,
                          "D01": (2, 2, None), "D02": NO},
    # 2×30 + 1×8 and 1.5×10 + 3×12
    "training_person_hours": {TOWN: (119, 119, None), "V01": (68, 68, None), "V02": NO, "V03": NO,
                              "D01": (51, 51, None), "D02": NO},
    "training_attendance": {TOWN: (60, 60, None), "V01": (38, 38, None), "V02": NO, "V03": NO,
                            "D01": (22, 22, None), "D02": NO},
    # 90×20 and 96×10 over 20 and 10 takers; rows without an exam are left out
    "exam_mean": {TOWN: (2760 / 30, 2760, 30), "V01": (90.0, 1800, 20), "V02": NO, "V03": NO,
                  "D01": (96.0, 960, 10), "D02": NO},
    "mediator_trainings": {TOWN: (2, 2, None), "V01": (0, 0, None), "V02": NO, "V03": NO,
                           "D01": (2, 2, None), "D02": NO},
    # V02's blank January is not a month of zero days
    "advisor_days_per_village": {TOWN: (12.5 / 3, 12.5, 3), "V01": (9 / 2, 9, 2), "V02": (3.5, 3.5, 1), "V03": NO},
    # last reported month: V01 March has 1 site, V02 February has 0 (its 2 in January no longer count)
    # ... over every configured village (V03 reported nothing in the quarter: not counted as covered)
    "culture_site_coverage": {TOWN: (1 / 3, 1, 3)},
    "liaison_services": {TOWN: (17, 17, None), "V01": (12, 12, None), "V02": (5, 5, None), "V03": NO},
    # D02's March is 0 of 0: it enters the town's sums but is no data for D02
    "legality_review_rate": {TOWN: (2 / 3, 2, 3), "D01": (2 / 3, 2, 3), "D02": (None, 0, 0)},
    # stocks: D01 March 12 of 12; D02 left March blank, so February 3 of 4
    "certification_rate": {TOWN: (15 / 16, 15, 16), "D01": (12 / 12, 12, 12), "D02": (3 / 4, 3, 4)},
    "legal_aid_screened": {TOWN: (4, 4, None), "D01": (3, 3, None), "D02": (1, 1, None)},
    "consultations": {TOWN: (13, 13, None), "V01": (10, 10, None), "V02": (3, 3, None), "V03": NO},
    "publicity_events": {TOWN: (4, 4, None), "V01": (3, 3, None), "V02": (1, 1, None), "V03": NO},
    "correction_lost": {TOWN: (1, 1, None), "D01": (1, 1, None), "D02": (0, 0, None)},
    "resettlement_rate": {TOWN: (5 / 7, 5, 7), "D01": (4 / 5, 4, 5), "D02": (1 / 2, 1, 2)},
    "on_time_rate": {TOWN: (33 / 35, 33, 35), "D01": (29 / 30, 29, 30), "D02": (4 / 5, 4, 5)},
}


def catalogue_frames() -> dict[str, pd.DataFrame]:
    return {V: frame(V, VILLAGE_ROWS), D: frame(D, DEPARTMENT_ROWS), T: frame(T, TRAINING_ROWS)}


@pytest.mark.parametrize("code", [i.code for i in CATALOGUE if not i.is_scored])
def test_every_indicator_matches_its_hand_worked_figures_for_a_quarter(code):
    assert table(code, Q1, catalogue_frames()) == EXPECTED[code]


def test_every_hand_worked_indicator_is_still_in_the_catalogue():
    assert sorted(EXPECTED) == sorted(i.code for i in CATALOGUE if not i.is_scored)  # scored ones: test_scoring.py


@pytest.mark.parametrize("code", [i.code for i in CATALOGUE if not i.is_scored])
def test_compute_gives_the_same_town_figures_as_evaluate(code):
    indicator = BY_CODE[code]
    kind = TEMPLATES[indicator.template].unit_kind
    _, town = compute(indicator, catalogue_frames()[indicator.template], Q1, len(UNITS.of_kind(kind)))
    assert town == (EXPECTED[code][TOWN][1], EXPECTED[code][TOWN][2], EXPECTED[code][TOWN][0])


@pytest.mark.parametrize("code", [i.code for i in CATALOGUE])
def test_an_indicator_without_any_rows_is_missing_for_the_town_and_every_unit(code):
    rows = table(code, Q1, empty_frames())
    assert set(rows.values()) == {NO}
    assert TOWN in rows


@pytest.mark.parametrize("code", [i.code for i in CATALOGUE])
def test_an_indicator_with_rows_only_outside_the_period_is_missing(code):
    rows = table(code, parse_period("2025-06"), catalogue_frames())
    assert set(rows.values()) == {NO}


# --- the aggregation rules, one by one ---------------------------------------------------------


def test_a_quarters_rate_is_the_ratio_of_sums_not_the_mean_of_monthly_rates():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 1), "disputes_received": 1, "disputes_resolved": 0},
        {"unit": "V01", "month": m(2025, 2), "disputes_received": 9, "disputes_resolved": 9},
    ])
    # mean of monthly rates would be (0 + 1) / 2 = 0.5
    assert table("resolution_rate", Q1, {V: rows}) == {
        TOWN: (9 / 10, 9, 10), "V01": (9 / 10, 9, 10), "V02": NO, "V03": NO}


def test_the_towns_rate_is_the_ratio_of_sums_not_the_mean_of_village_rates():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 3), "disputes_received": 1, "disputes_resolved": 0},
        {"unit": "V02", "month": m(2025, 3), "disputes_received": 3, "disputes_resolved": 3},
    ])
    assert table("resolution_rate", MAR, {V: rows}) == {
        TOWN: (3 / 4, 3, 4), "V01": (0.0, 0, 1), "V02": (1.0, 3, 3), "V03": NO}


def test_a_stock_takes_the_last_reported_month_not_the_sum_of_months():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 1), "mediators": 10},
        {"unit": "V01", "month": m(2025, 3), "mediators": 12},
        {"unit": "V02", "month": m(2025, 1), "mediators": 7},
        {"unit": "V02", "month": m(2025, 2), "mediators": None},  # a blank month does not end the stock
    ])
    per_unit, town = compute(mediators(), rows, Q1)
    assert per_unit["num"].to_dict() == {"V01": 12, "V02": 7}
    assert per_unit["value"].to_dict() == {"V01": 12, "V02": 7}
    assert town == (19, None, 19)


def test_a_stock_takes_the_last_month_within_the_period_not_a_later_one():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 2), "mediators": 10},
        {"unit": "V01", "month": m(2025, 4), "mediators": 30},
    ])
    assert compute(mediators(), rows, Q1)[1] == (10, None, 10)


def test_a_stock_rate_takes_numerator_and_denominator_from_the_same_month():
    rows = frame(D, [
        {"unit": "D01", "month": m(2025, 1), "enforcement_staff": 10, "enforcement_certified": 10},
        {"unit": "D01", "month": m(2025, 3), "enforcement_staff": 12, "enforcement_certified": 6},
        # D02 reported its staff last in February; March's blank is not a month of 0 staff
        {"unit": "D02", "month": m(2025, 2), "enforcement_staff": 4, "enforcement_certified": 4},
        {"unit": "D02", "month": m(2025, 3)},
    ])
    assert table("certification_rate", Q1, {D: rows}) == {
        TOWN: (10 / 16, 10, 16), "D01": (6 / 12, 6, 12), "D02": (4 / 4, 4, 4)}


def test_a_stock_rate_whose_last_denominator_month_has_no_numerator_is_missing():
    # the earlier month's numerator is not borrowed: it would belong to another month's denominator
    rows = frame(D, [
        {"unit": "D01", "month": m(2025, 1), "resettlement_subjects": 4, "resettled": 4},
        {"unit": "D01", "month": m(2025, 3), "resettlement_subjects": 5, "resettled": None},
    ])
    assert table("resettlement_rate", Q1, {D: rows}) == {TOWN: NO, "D01": NO, "D02": NO}


def test_a_row_with_a_blank_numerator_is_left_out_of_both_sums():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 1), "disputes_received": 10, "disputes_resolved": None},
        {"unit": "V01", "month": m(2025, 3), "disputes_received": 4, "disputes_resolved": 4},
        {"unit": "V02", "month": m(2025, 1), "disputes_received": 6, "disputes_resolved": 3},
    ])
    assert table("resolution_rate", Q1, {V: rows}) == {
        TOWN: (7 / 10, 7, 10), "V01": (4 / 4, 4, 4), "V02": (3 / 6, 3, 6), "V03": NO}


def test_a_row_with_a_blank_denominator_is_left_out_of_both_sums():
    rows = frame(D, [
        {"unit": "D01", "month": m(2025, 1), "service_cases": None, "service_on_time": 5},
        {"unit": "D01", "month": m(2025, 2), "service_cases": 8, "service_on_time": 6},
    ])
    assert table("on_time_rate", Q1, {D: rows}) == {TOWN: (6 / 8, 6, 8), "D01": (6 / 8, 6, 8), "D02": NO}


def test_a_count_left_blank_all_period_is_missing_not_zero():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 1), "disputes_received": None},
        {"unit": "V02", "month": m(2025, 1), "disputes_received": 0},
    ])
    assert table("disputes_received", Q1, {V: rows}) == {
        TOWN: (0, 0, None), "V01": NO, "V02": (0, 0, None), "V03": NO}


def test_a_zero_denominator_is_no_data_never_zero_or_full():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 3), "survey_total": 0, "survey_satisfied": 0},
        {"unit": "V02", "month": m(2025, 3), "survey_total": 0, "survey_satisfied": 0},
    ])
    assert table("satisfaction", MAR, {V: rows}) == {
        TOWN: (None, 0, 0), "V01": (None, 0, 0), "V02": (None, 0, 0), "V03": NO}


def test_a_unit_without_rows_is_missing_while_the_others_are_counted():
    rows = frame(V, [{"unit": "V01", "month": m(2025, 3), "consultations": 5}])
    assert table("consultations", MAR, {V: rows}) == {
        TOWN: (5, 5, None), "V01": (5, 5, None), "V02": NO, "V03": NO}


def test_training_sessions_count_the_ledger_rows_dated_within_the_period():
    rows = frame(T, [
        (dt.date(2025, 2, 28), "V01", "a", "普法培训", 1.0, 5, None, None),
        (dt.date(2025, 3, 1), "V01", "b", "普法培训", 1.0, 5, None, None),
        (dt.date(2025, 3, 31), "D02", "c", "调解员培训", 1.0, 5, None, None),
        (dt.date(2025, 3, 31), "D02", "d", "法律明白人培训", 1.0, 5, None, None),
        (dt.date(2025, 4, 1), "D02", "e", "调解员培训", 1.0, 5, None, None),
    ])
    assert table("training_sessions", MAR, {T: rows}) == {
        TOWN: (3, 3, None), "V01": (1, 1, None), "V02": NO, "V03": NO, "D01": NO, "D02": (2, 2, None)}
    assert table("mediator_trainings", MAR, {T: rows}) == {
        TOWN: (2, 2, None), "V01": (0, 0, None), "V02": NO, "V03": NO, "D01": NO, "D02": (2, 2, None)}


def test_person_hours_multiply_hours_by_attendees_row_by_row():
    rows = frame(T, [
        (dt.date(2025, 3, 3), "V01", "a", "普法培训", 2.5, 10, None, None),
        (dt.date(2025, 3, 4), "V01", "b", "普法培训", 0.5, 40, None, None),
    ])
    # not (2.5 + 0.5) × (10 + 40) = 150
    assert table("training_person_hours", MAR, {T: rows})["V01"] == (45, 45, None)


def test_the_exam_mean_is_weighted_by_exam_takers():
    rows = frame(T, [
        (dt.date(2025, 3, 3), "V01", "a", "法治讲堂", 1.0, 10, 10, 80.0),
        (dt.date(2025, 3, 4), "V01", "b", "法治讲堂", 1.0, 30, 30, 100.0),
        (dt.date(2025, 3, 5), "V01", "c", "法治讲堂", 1.0, 50, None, None),  # no exam
    ])
    # the plain mean of the two means would be 90
    assert table("exam_mean", MAR, {T: rows})["V01"] == (95.0, 3800, 40)


def test_advisor_days_divide_by_the_village_months_reported_only():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 1), "advisor_days": 4.0},
        {"unit": "V01", "month": m(2025, 2), "advisor_days": None},
        {"unit": "V01", "month": m(2025, 3), "advisor_days": 6.0},
        {"unit": "V02", "month": m(2025, 3), "advisor_days": 0.0},  # a reported zero does count
    ])
    assert table("advisor_days_per_village", Q1, {V: rows}) == {
        TOWN: (10 / 3, 10, 3), "V01": (5.0, 10, 2), "V02": (0.0, 0, 1), "V03": NO}


def test_culture_site_coverage_is_given_for_the_town_only():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 3), "culture_sites": 2},
        {"unit": "V02", "month": m(2025, 3), "culture_sites": 0},
        {"unit": "V03", "month": m(2025, 3), "culture_sites": 1},
    ])
    assert table("culture_site_coverage", MAR, {V: rows}) == {TOWN: (2 / 3, 2, 3)}


def test_culture_site_coverage_counts_covered_villages_by_their_last_month_over_every_village():
    rows = frame(V, [
        {"unit": "V01", "month": m(2025, 1), "culture_sites": 1},
        {"unit": "V01", "month": m(2025, 2), "culture_sites": 0},  # the site closed
        {"unit": "V02", "month": m(2025, 1), "culture_sites": 0},
        {"unit": "V02", "month": m(2025, 3), "culture_sites": 1},  # a site opened
        {"unit": "V03", "month": m(2025, 3), "culture_sites": None},  # not reported: not counted as covered
    ])
    assert table("culture_site_coverage", Q1, {V: rows}) == {TOWN: (1 / 3, 1, 3)}


def test_culture_site_coverage_is_no_data_when_no_village_reported_it():
    rows = frame(V, [{"unit": "V01", "month": m(2025, 1), "disputes_received": 2}])
    assert table("culture_site_coverage", Q1, {V: rows}) == {TOWN: NO}


def test_a_months_figures_come_from_that_month_only():
    assert table("disputes_received", MAR, catalogue_frames()) == {
        TOWN: (6, 6, None), "V01": (6, 6, None), "V02": NO, "V03": NO}


def test_a_years_figures_take_every_month_of_the_year_and_the_year_end_stock():
    frames = catalogue_frames()
    assert table("disputes_received", YEAR, frames)[TOWN] == (120, 120, None)
    assert table("certification_rate", YEAR, frames) == {
        TOWN: (4 / 24, 4, 24), "D01": (1 / 20, 1, 20), "D02": (3 / 4, 3, 4)}


def test_evaluate_names_each_row_with_the_period_code_and_unit_name():
    out = evaluate([MAR, Q1], units=UNITS, codes=["disputes_received"], frames=catalogue_frames())
    assert out[["period", "code", "unit", "unit_name", "value"]].values.tolist() == [
        ["2025-03", "disputes_received", TOWN, TOWN, 6],
        ["2025-03", "disputes_received", "V01", "东山村", 6],
        ["2025-03", "disputes_received", "V02", "西河村", None],
        ["2025-03", "disputes_received", "V03", "南坝村", None],
        ["2025Q1", "disputes_received", TOWN, TOWN, 20],
        ["2025Q1", "disputes_received", "V01", "东山村", 16],
        ["2025Q1", "disputes_received", "V02", "西河村", 4],
        ["2025Q1", "disputes_received", "V03", "南坝村", None],
    ]


# --- properties --------------------------------------------------------------------------------

VILLAGES = ["V01", "V02", "V03"]
FAST = settings(max_examples=40, deadline=None, database=None)


@st.composite
def resolution_rows(draw, min_den: int = 0):
    """Village-months of (received, resolved ≤ received) in 2025, each unit at most once a month."""
    rows = []
    for unit in VILLAGES:
        months = draw(st.lists(st.integers(1, 12), unique=True, max_size=4))
        for month in months:
            received = draw(st.integers(min_den, 40))
            rows.append({"unit": unit, "month": m(2025, month), "disputes_received": received,
                         "disputes_resolved": draw(st.integers(0, received))})
    return rows


@FAST
@given(resolution_rows())
def test_the_towns_rate_is_the_sum_of_unit_numerators_over_the_sum_of_unit_denominators(rows):
    per_unit, (num, den, value) = compute(BY_CODE["resolution_rate"], frame(V, rows), YEAR)
    n = sum(r["disputes_resolved"] for r in rows)
    d = sum(r["disputes_received"] for r in rows)
    assert (num, den, value) == ((n, d, n / d if d else None) if rows else NO)
    for unit, r in per_unit.iterrows():
        own = [x for x in rows if x["unit"] == unit]
        assert (r["num"], r["den"]) == (sum(x["disputes_resolved"] for x in own),
                                        sum(x["disputes_received"] for x in own))


@FAST
@given(st.integers(1, 50), st.lists(st.integers(0, 50), min_size=1, max_size=3))
def test_with_equal_denominators_the_towns_rate_is_the_mean_of_unit_rates(den, nums):
    rows = [{"unit": unit, "month": m(2025, 3), "disputes_received": den, "disputes_resolved": min(n, den)}
            for unit, n in zip(VILLAGES, nums)]
    per_unit, (_, _, value) = compute(BY_CODE["resolution_rate"], frame(V, rows), MAR)
    assert value == pytest.approx(sum(per_unit["value"]) / len(per_unit))


@FAST
@given(resolution_rows(min_den=1))
def test_the_towns_rate_lies_between_the_lowest_and_highest_unit_rate(rows):
    per_unit, (_, _, value) = compute(BY_CODE["resolution_rate"], frame(V, rows), YEAR)
    rates = [v for v in per_unit["value"] if v is not None]
    if rates:
        assert min(rates) <= value <= max(rates)
    else:
        assert value is None


@FAST
@given(st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=12), min_size=1, max_size=3))
def test_splitting_a_units_flow_across_months_does_not_change_its_sum(monthly):
    whole = [{"unit": u, "month": m(2025, 6), "consultations": sum(xs)} for u, xs in zip(VILLAGES, monthly)]
    split = [{"unit": u, "month": m(2025, i + 1), "consultations": x}
             for u, xs in zip(VILLAGES, monthly) for i, x in enumerate(xs)]
    indicator = BY_CODE["consultations"]
    by_month, town_by_month = compute(indicator, frame(V, split), YEAR)
    in_one, town_in_one = compute(indicator, frame(V, whole), YEAR)
    assert town_by_month == town_in_one == (sum(map(sum, monthly)), None, sum(map(sum, monthly)))
    assert by_month["num"].to_dict() == in_one["num"].to_dict()


@st.composite
def staff_rows(draw):
    """Each department's December staff, certified ≤ staff, and any earlier months of any figures."""
    last, earlier = [], []
    for unit in ("D01", "D02"):
        staff = draw(st.integers(1, 30))
        last.append({"unit": unit, "month": m(2025, 12), "enforcement_staff": staff,
                     "enforcement_certified": draw(st.integers(0, staff)), "correction_subjects": staff})
        for month in draw(st.lists(st.integers(1, 11), unique=True, max_size=5)):
            s = draw(st.none() | st.integers(0, 30))
            c = None if s is None else draw(st.none() | st.integers(0, s))
            earlier.append({"unit": unit, "month": m(2025, month), "enforcement_staff": s,
                            "enforcement_certified": c, "correction_subjects": s})
    return last, earlier


@FAST
@given(staff_rows())
def test_a_stocks_town_value_is_unchanged_by_earlier_months(rows):
    last, earlier = rows
    for indicator in (BY_CODE["certification_rate"],
                      Indicator("correction_subjects", "社区矫正对象", "Correction subjects", "人", D,
                                "correction_subjects")):
        alone = frame(D, last)
        with_history = frame(D, earlier + last)
        assert compute(indicator, with_history, YEAR)[1] == compute(indicator, alone, YEAR)[1]
    n = sum(r["enforcement_certified"] for r in last)
    d = sum(r["enforcement_staff"] for r in last)
    assert compute(BY_CODE["certification_rate"], frame(D, earlier + last), YEAR)[1] == (n, d, n / d)


# --- values_json end to end, through an imported workbook and a real DuckDB file ---------------


def workbook(sheets: dict[str, list]) -> bytes:
    """An .xlsx whose sheets hold the template headers, then the rows with unit codes written as names."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for template, rows in sheets.items():
        ws = wb.create_sheet(TEMPLATES[template].title)
        ws.append([c.header for c in TEMPLATES[template].columns])
        for row in rows:
            cells = []
            for col, value in zip(TEMPLATES[template].columns, row, strict=True):
                if col.kind == "unit":
                    value = NAMES[value]
                elif col.kind == "month":
                    value = f"{value:%Y-%m}"
                elif col.kind == "date":
                    value = f"{value:%Y-%m-%d}"
                cells.append(value)
            ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def imported_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("metrics") / "fazhi.duckdb"
    data = workbook({V: VILLAGE_ROWS, D: DEPARTMENT_ROWS, T: TRAINING_ROWS})
    result = import_files([Upload("2025年一季度.xlsx", data)], db, today=dt.date(2026, 11, 26))
    assert result.ok, [p.line() for p in result.problems]
    assert result.added == len(VILLAGE_ROWS) + len(DEPARTMENT_ROWS) + len(TRAINING_ROWS)
    return db


def test_values_json_gives_the_town_and_every_configured_unit_for_a_few_indicators(imported_db):
    doc = values_json(Q1, imported_db)
    villages = {u.name: None for u in load_units().of_kind("village")}
    departments = {u.name: None for u in load_units().of_kind("department")}
    assert doc["period"] == "2025Q1"
    assert {code: doc["values"][code] for code in
            ("disputes_received", "resolution_rate", "advisor_days_per_village", "culture_site_coverage",
             "certification_rate", "training_sessions")} == {
        "disputes_received": {TOWN: 20, **villages, "东山村": 16, "西河村": 4},
        "resolution_rate": {TOWN: 0.85, **villages, "东山村": 0.9375, "西河村": 0.5},
        "advisor_days_per_village": {TOWN: 12.5 / 3, **villages, "东山村": 4.5, "西河村": 3.5},
        "culture_site_coverage": {TOWN: 1 / CONFIGURED_VILLAGES},  # 1 covered of the 12 configured
        "certification_rate": {TOWN: 15 / 16, **departments, "党政办公室": 1.0, "司法所": 0.75},
        "training_sessions": {TOWN: 4, **villages, **departments, "东山村": 2, "党政办公室": 2},
    }


def test_values_json_keys_are_the_town_and_the_units_of_each_indicators_template(imported_db):
    doc = values_json(Q1, imported_db)
    units = load_units()
    kinds = {V: "village", D: "department", T: None, "appraisal_scores": None, "": None}
    assert list(doc["values"]) == [i.code for i in CATALOGUE]
    for indicator in CATALOGUE:
        names = [] if indicator.town_only else [u.name for u in units.of_kind(kinds[indicator.template])]
        assert list(doc["values"][indicator.code]) == [TOWN, *names], indicator.code


def test_values_json_agrees_with_the_hand_worked_figures_of_the_catalogue(imported_db):
    values = values_json(Q1, imported_db)["values"]
    for code, expected in EXPECTED.items():
        for unit, (value, numerator, _) in expected.items():
            if BY_CODE[code].per_configured_unit:  # the database side counts the 12 configured villages
                value = numerator / CONFIGURED_VILLAGES
            assert values[code][NAMES.get(unit, unit)] == value, (code, unit)


def test_values_json_rates_are_plain_floats_between_0_and_1_and_counts_are_ints(imported_db):
    doc = values_json(Q1, imported_db)
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    for code, by_unit in doc["values"].items():
        for value in by_unit.values():
            if value is None:
                continue
            if BY_CODE[code].fmt == "pct":
                assert type(value) is float and 0 <= value <= 1, (code, value)
            elif BY_CODE[code].fmt == "int":
                assert type(value) is int, (code, value)
            else:
                assert type(value) in (int, float), (code, value)


def test_values_json_for_one_unit_keeps_only_the_town_and_that_unit(imported_db):
    values = values_json(Q1, imported_db, unit="东山村")["values"]
    assert values["disputes_received"] == {TOWN: 20, "东山村": 16}
    assert values["certification_rate"] == {TOWN: 15 / 16}
    assert values["culture_site_coverage"] == {TOWN: 1 / CONFIGURED_VILLAGES}


# --- targets and formats -----------------------------------------------------------------------


@pytest.mark.parametrize("code, period, expected", [
    ("training_sessions", "2025", 12),
    ("training_sessions", "2025Q1", 3),
    ("training_sessions", "2025-03", 1),
    ("training_attendance", "2025Q2", 200),
    ("resolution_rate", "2025Q1", 1.0),  # a rate is not prorated
    ("advisor_days_per_village", "2025-03", 4),
    ("correction_lost", "2025Q1", 0),
    ("disputes_received", "2025", None),  # no target configured
])
def test_a_yearly_target_is_prorated_by_the_months_of_the_period(code, period, expected):
    assert target(code, parse_period(period)) == expected


@pytest.mark.parametrize("value, expected", [(0, 1.0), (1, 0.0), (3, 0.0), (None, None)])
def test_attainment_of_a_zero_target_is_all_or_nothing(value, expected):
    assert attainment("correction_lost", value, Q1) == expected


@pytest.mark.parametrize("code, value, expected", [
    ("training_sessions", 3, 1.0),
    ("training_sessions", 6, 2.0),  # uncapped
    ("satisfaction", 0.855, 0.9),
    ("satisfaction", None, None),
    ("disputes_received", 20, None),  # no target, no attainment
])
def test_attainment_is_the_value_over_the_periods_target(code, value, expected):
    assert attainment(code, value, Q1) == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("att, word", [
    (None, "无数据"),
    (2.0, "达标"),
    (1.0, "达标"),
    (0.95 / 0.95, "达标"),
    (0.9999, "预警"),
    (0.9, "预警"),
    (0.855 / 0.95, "预警"),  # 0.8999999999999999 in floating point
    (0.8999, "未达标"),
    (0.0, "未达标"),
])
def test_the_state_word_changes_at_the_thresholds(att, word):
    assert state(att) == word


@pytest.mark.parametrize("fmt", ["int", "pct", "dec1"])
def test_no_data_is_shown_as_a_dash_in_every_format(fmt):
    assert fmt_value(None, fmt) == "—"
    assert fmt_value(float("nan"), fmt, "件") == "—"


@pytest.mark.parametrize("value, fmt, unit, text", [
    (0.95, "pct", "", "95.0%"),
    (0.95, "pct", "%", "95.0%"),
    (0, "pct", "%", "0.0%"),
    (1234, "int", "", "1,234"),
    (1234, "int", "件", "1,234 件"),
    (0, "int", "人", "0 人"),
    (4.3, "dec1", "天", "4.3 天"),
    (12345.0, "dec1", "", "12,345.0"),
])
def test_values_are_formatted_with_thousands_separators_and_their_unit(value, fmt, unit, text):
    assert fmt_value(value, fmt, unit) == text
