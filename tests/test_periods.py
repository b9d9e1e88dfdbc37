"""Reporting periods: a month, a quarter or a year, written 2025-03, 2025Q1 or 2025."""
from __future__ import annotations

import datetime as dt

import pytest

from metrics.periods import Period, add_months, parse_period


@pytest.mark.parametrize("text, first, months, last, end, label, label_zh, kind", [
    ("2025-03", dt.date(2025, 3, 1), 1, dt.date(2025, 3, 1), dt.date(2025, 3, 31), "2025-03", "2025年3月", "month"),
    ("2025-3", dt.date(2025, 3, 1), 1, dt.date(2025, 3, 1), dt.date(2025, 3, 31), "2025-03", "2025年3月", "month"),
    ("2024-02", dt.date(2024, 2, 1), 1, dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024-02", "2024年2月", "month"),
    ("2025Q1", dt.date(2025, 1, 1), 3, dt.date(2025, 3, 1), dt.date(2025, 3, 31), "2025Q1", "2025年第一季度", "quarter"),
    ("2025q4", dt.date(2025, 10, 1), 3, dt.date(2025, 12, 1), dt.date(2025, 12, 31), "2025Q4", "2025年第四季度", "quarter"),
    (" 2025 ", dt.date(2025, 1, 1), 12, dt.date(2025, 12, 1), dt.date(2025, 12, 31), "2025", "2025年", "year"),
])
def test_a_period_is_parsed_from_its_label_and_knows_its_bounds(text, first, months, last, end, label, label_zh, kind):
    p = parse_period(text)
    assert (p.first, p.months, p.last, p.end, p.label, p.label_zh, p.kind) == (
        first, months, last, end, label, label_zh, kind)


@pytest.mark.parametrize("text", ["", "25-03", "2025-13", "2025-00", "2025Q5", "2025Q0", "2025H1", "2025-03-01", "Q1"])
def test_anything_else_is_refused_with_a_chinese_message(text):
    with pytest.raises(ValueError, match="无法识别的期间"):
        parse_period(text)


@pytest.mark.parametrize("text, previous", [
    ("2025-01", "2024-12"), ("2025-03", "2025-02"), ("2025Q1", "2024Q4"), ("2025Q3", "2025Q2"), ("2025", "2024"),
])
def test_the_previous_period_is_the_one_of_the_same_length_before_it(text, previous):
    assert parse_period(text).previous().label == previous


@pytest.mark.parametrize("text, children", [
    ("2025", ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]),
    ("2025Q2", ["2025-04", "2025-05", "2025-06"]),
    ("2025-05", ["2025-05"]),
])
def test_a_year_has_quarters_and_a_quarter_has_months(text, children):
    assert [c.label for c in parse_period(text).children()] == children


def test_the_months_of_a_quarter_are_listed_as_their_first_days():
    assert parse_period("2025Q4").month_list() == [dt.date(2025, 10, 1), dt.date(2025, 11, 1), dt.date(2025, 12, 1)]


@pytest.mark.parametrize("day, inside", [
    (dt.date(2024, 12, 31), False), (dt.date(2025, 1, 1), True), (dt.date(2025, 3, 31), True), (dt.date(2025, 4, 1), False),
])
def test_a_quarter_contains_its_first_and_last_day_and_nothing_beyond(day, inside):
    assert parse_period("2025Q1").contains(day) is inside


@pytest.mark.parametrize("day, n, expected", [
    (dt.date(2025, 1, 1), -1, dt.date(2024, 12, 1)),
    (dt.date(2025, 11, 1), 2, dt.date(2026, 1, 1)),
    (dt.date(2025, 3, 1), -27, dt.date(2022, 12, 1)),
    (dt.date(2025, 3, 1), 0, dt.date(2025, 3, 1)),
])
def test_adding_months_crosses_year_ends(day, n, expected):
    assert add_months(day, n) == expected


def test_periods_sort_by_their_first_month():
    labels = ["2025Q2", "2024", "2025-01", "2025Q1"]
    assert [p.label for p in sorted(map(parse_period, labels))] == ["2024", "2025-01", "2025Q1", "2025Q2"]
    assert Period(dt.date(2025, 1, 1), 3) == parse_period("2025Q1")
