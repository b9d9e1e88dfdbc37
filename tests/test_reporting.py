"""Who has reported which month, on time or late; quarter completeness; the preview's change table."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data import reporting, store
from data.config import Unit, Units
from data.importer import Upload
from data.reporting import LATE, MISSING, NOT_DUE, REPORTED
from data.schema import VILLAGE
from metrics.periods import parse_period

UNITS = Units({"t": "插甸镇"}, (Unit("V01", "东山村", "village", "t"), Unit("V02", "西河村", "village", "t"),
                                Unit("V03", "南坝村", "village", "t"), Unit("D01", "司法所", "department", "t")))
TODAY = dt.date(2025, 5, 1)  # January to March are due (March on 10 April), April is not yet (10 May)
FULL = [5, 4, 1, 7, 5, 9, 4, 20, 2, 150, 30, 29, 6, 1]


@pytest.fixture
def upload_at(db, monkeypatch, make_xlsx):
    """Import village rows as if uploaded at the given time; returns the upload id."""
    def run(when: str, *rows, sample: bool = False) -> int:
        monkeypatch.setattr(store, "_now", lambda: dt.datetime.fromisoformat(when))
        book = make_xlsx({"村级": [[c.header for c in VILLAGE.columns], *[list(r) for r in rows]]})
        result = store.import_files([Upload(f"{when[:10]}.xlsx", book)], db, user="网页", units=UNITS,
                                    today=dt.date(2026, 11, 26), sample=sample)
        assert result.ok, [p.line() for p in result.problems]
        return result.upload_id
    return run


def months(matrix: pd.DataFrame, *numbers: int) -> dict[str, list[str]]:
    return {code: list(matrix.loc[code, list(numbers)]) for code in matrix.index}


@pytest.mark.parametrize("month, due", [(dt.date(2025, 3, 1), dt.date(2025, 4, 10)),
                                        (dt.date(2025, 12, 1), dt.date(2026, 1, 10))])
def test_a_month_is_due_on_the_late_day_of_the_next_month(month, due):
    assert reporting.deadline(month, 10) == due


def test_the_matrix_says_reported_late_missing_and_not_yet_due(db, upload_at):
    upload_at("2025-02-10 23:59:00", ["东山村", "2025-01", *FULL])  # on the deadline day: on time
    upload_at("2025-02-11 08:00:00", ["西河村", "2025-01", *FULL])
    upload_at("2025-04-02 09:00:00", ["东山村", "2025-03", *FULL], ["西河村", "2025-04", *FULL])
    matrix = reporting.status_matrix(2025, db, today=TODAY, late_day=10, units=UNITS)
    assert list(matrix.index) == ["V01", "V02", "V03", "D01"]
    assert list(matrix.columns) == list(range(1, 13))
    assert months(matrix, 1, 2, 3, 4, 5) == {
        "V01": [REPORTED, MISSING, REPORTED, NOT_DUE, NOT_DUE],
        "V02": [LATE, MISSING, MISSING, REPORTED, NOT_DUE],
        "V03": [MISSING, MISSING, MISSING, NOT_DUE, NOT_DUE],
        "D01": [MISSING, MISSING, MISSING, NOT_DUE, NOT_DUE],
    }
    assert set(matrix.loc[:, 6:].stack()) == {NOT_DUE}


def test_a_later_correction_does_not_make_an_on_time_report_late(db, upload_at):
    upload_at("2025-02-05 10:00:00", ["东山村", "2025-01", *FULL])
    upload_at("2025-04-20 10:00:00", ["东山村", "2025-01", 9, *FULL[1:]])
    assert reporting.status_matrix(2025, db, today=TODAY, late_day=10, units=UNITS).loc["V01", 1] == REPORTED


def test_a_rolled_back_upload_no_longer_counts_as_reported(db, upload_at):
    first = upload_at("2025-02-05 10:00:00", ["东山村", "2025-01", *FULL])
    store.rollback(first, db)
    assert reporting.status_matrix(2025, db, today=TODAY, late_day=10, units=UNITS).loc["V01", 1] == MISSING


def test_sample_data_counts_as_on_time(db, upload_at):
    upload_at("2026-11-26 10:00:00", ["东山村", "2025-01", *FULL], sample=True)
    assert reporting.status_matrix(2025, db, today=TODAY, late_day=10, units=UNITS).loc["V01", 1] == REPORTED


def test_the_late_day_moves_the_deadline(db, upload_at):
    upload_at("2025-02-14 10:00:00", ["东山村", "2025-01", *FULL])
    assert [reporting.status_matrix(2025, db, today=TODAY, late_day=day, units=UNITS).loc["V01", 1]
            for day in (10, 15)] == [LATE, REPORTED]


def test_quarter_completeness_counts_due_unit_months_and_names_the_missing_units(db, upload_at):
    upload_at("2025-02-05 10:00:00", ["东山村", "2025-01", *FULL], ["西河村", "2025-01", *FULL])
    upload_at("2025-03-05 10:00:00", ["东山村", "2025-02", *FULL], ["西河村", "2025-02", *FULL])
    upload_at("2025-04-05 10:00:00", ["东山村", "2025-03", *FULL])
    expected = (5, 12, ["V02", "V03", "D01"])
    for period in ("2025Q1", parse_period("2025Q1"), "2025-02", parse_period("2025-03"), dt.date(2025, 2, 14)):
        assert reporting.quarter_completeness(period, db, today=TODAY, late_day=10, units=UNITS) == expected


def test_a_quarter_still_running_expects_only_the_months_already_due(db, upload_at):
    upload_at("2025-04-03 10:00:00", ["东山村", "2025-04", *FULL])  # early: counted, not missing
    assert reporting.quarter_completeness("2025Q2", db, today=TODAY, late_day=10, units=UNITS) == (1, 1, [])
    assert reporting.quarter_completeness("2025Q2", db, today=dt.date(2025, 5, 11), late_day=10, units=UNITS) == (
        1, 4, ["V02", "V03", "D01"])


def test_the_late_day_comes_from_the_configuration_file(tmp_path):
    (tmp_path / "ok.toml").write_text("late_day = 15\n", encoding="utf-8")
    (tmp_path / "bad.toml").write_text("late_day = 31\n", encoding="utf-8")
    assert reporting.configured_late_day(tmp_path / "ok.toml") == 15
    assert reporting.configured_late_day(tmp_path / "absent.toml") == 10
    with pytest.raises(ValueError, match="late_day 应为 1 到 28 之间的整数"):
        reporting.configured_late_day(tmp_path / "bad.toml")


def test_the_change_table_lists_each_changed_cell_old_and_new_as_text(db, upload_at, make_xlsx):
    upload_at("2025-04-02 09:00:00", ["东山村", "2025-03", *FULL])
    book = make_xlsx({"村级": [[c.header for c in VILLAGE.columns], ["东山村", "2025-03", 7, 4, 1, 7, 5, 9, 4.5, 20, 2, 150,
                                                                       30, 29, 6, None]]})
    plan, = store.import_files([Upload("改.xlsx", book)], db, units=UNITS, today=TODAY, commit=False).plans
    assert reporting.change_table(plan, UNITS).values.tolist() == [
        ["东山村", "2025年3月", "受理矛盾纠纷", "5", "7"],
        ["东山村", "2025年3月", "法律顾问驻村", "4", "4.5"],
        ["东山村", "2025年3月", "法治文化阵地", "1", "（空）"],
    ]
