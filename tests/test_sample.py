"""The bundled 2025 sample: the report's figures, the same rows from its clean and messy forms, removable."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest

from data import store
from data.config import ROOT, TOWN
from data.importer import Upload
from data.sample import generate, load_sample, write_sample
from data.schema import TEMPLATES
from metrics.compute import evaluate, values_json
from metrics.periods import parse_period

YEAR = parse_period("2025")
QUARTERS = YEAR.children()


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    """The messy form loaded by load_sample, the way the dashboard and the command line load it."""
    db = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    result = load_sample(db)
    assert result.ok, [p.line() for p in result.problems]
    return db


@pytest.fixture(scope="module")
def town(sample_db) -> dict:
    return {code: by_unit[TOWN] for code, by_unit in values_json(YEAR, sample_db)["values"].items()}


@pytest.fixture(scope="module")
def quarterly(sample_db) -> pd.DataFrame:
    return evaluate(QUARTERS, sample_db, codes=["satisfaction", "advisor_days_per_village"])


def test_the_sample_reproduces_the_reports_exact_figures(town):
    exact = {code: town[code] for code in (
        "disputes_received", "resolution_rate", "legal_aid_screened", "publicity_events", "correction_lost",
        "culture_site_coverage", "resettlement_rate", "certification_rate", "legality_review_rate")}
    assert exact == {
        "disputes_received": 136, "resolution_rate": 1.0, "legal_aid_screened": 5, "publicity_events": 28,
        "correction_lost": 0, "culture_site_coverage": pytest.approx(2 / 12), "resettlement_rate": 1.0,
        "certification_rate": 1.0, "legality_review_rate": 1.0,
    }


def test_the_sample_reaches_the_reports_at_least_figures(town):
    floors = {"training_attendance": 800, "consultations": 320, "liaison_services": 400, "exam_mean": 98,
              "mediator_trainings": 15, "training_sessions": 12, "enforcement_satisfaction": 0.95,
              "satisfaction": 0.95, "on_time_rate": 0.99, "advisor_days_per_village": 4}
    assert {code: town[code] >= floor for code, floor in floors.items()} == dict.fromkeys(floors, True)


def test_year_end_stocks_are_60_legal_liaisons_428_mediators_and_2_villages_with_a_culture_site(sample_db):
    december = store.rows("village_monthly", dt.date(2025, 12, 1), dt.date(2025, 12, 1), db=sample_db)
    assert (len(december), december["legal_liaisons"].sum(), december["mediators"].sum(),
            (december["culture_sites"] >= 1).sum()) == (12, 60, 428, 2)


def test_the_training_ledger_has_the_reports_sessions_and_three_exams(sample_db):
    ledger = store.rows("training_ledger", db=sample_db)
    counts = ledger["category"].value_counts()
    exams = ledger[ledger["exam_takers"].notna()]
    assert (counts["中心组学法"], counts["法治讲堂"], len(exams)) == (8, 12, 3)
    assert (exams["exam_mean"] >= 98).all() and (exams["exam_takers"] <= exams["attendees"]).all()


def test_every_unit_is_scored_by_13_anonymous_evaluators_of_the_four_kinds(sample_db):
    scores = store.rows("appraisal_scores", db=sample_db)
    per_unit = scores.groupby("unit")["evaluator_type"].value_counts().unstack()
    assert len(per_unit) == 20
    assert per_unit.drop_duplicates().to_dict("records") == [{"人大代表": 3, "政协委员": 2, "群众代表": 5, "镇领导班子": 3}]
    assert scores["score"].between(80, 98).all()


def test_one_village_lags_on_satisfaction_and_advisor_days_drop_in_q3(quarterly):
    sat = quarterly[quarterly["code"] == "satisfaction"].pivot(index="unit_name", columns="period", values="value")
    lagging = sat.drop(TOWN).lt(0.9).sum(axis=1)
    assert lagging[lagging >= 3].index.tolist() == ["石板村"]
    days = quarterly[(quarterly["code"] == "advisor_days_per_village") & (quarterly["unit"] == TOWN)]
    assert dict(zip(days["period"], days["value"] < 4)) == {"2025Q1": False, "2025Q2": False, "2025Q3": True, "2025Q4": False}


def test_the_sample_is_recorded_as_one_sample_upload(sample_db):
    log = store.history(sample_db)
    assert (len(log), bool(log["sample"].iloc[0]), log["user_name"].iloc[0]) == (1, True, "示例数据")
    assert store.has_sample(sample_db)


def test_clean_and_messy_forms_import_to_identical_rows(sample_db, tmp_path):
    files = write_sample(tmp_path / "clean", messy=False)
    clean_db = tmp_path / "clean.duckdb"
    result = store.import_files([Upload(p.name, p.read_bytes()) for p in files], clean_db, sample=True)
    assert result.ok, [p.line() for p in result.problems]
    for name in TEMPLATES:
        pd.testing.assert_frame_equal(store.rows(name, db=clean_db), store.rows(name, db=sample_db), obj=name)


def test_the_messy_form_looks_like_real_exports(tmp_path):
    files = {p.suffix: p for p in write_sample(tmp_path, messy=True)}
    raw = files[".csv"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert [w for w in ("合计", "填报人：", "(件)", "（件）", "２０２５年", "2025/", "202504") if w not in text] == []


def test_the_sample_is_generated_the_same_every_time():
    assert generate() == generate()


def test_remove_sample_leaves_no_figures(tmp_path):
    db = tmp_path / "x.duckdb"
    assert load_sample(db).ok
    assert store.remove_sample(db) == 1
    values = values_json(YEAR, db)["values"]
    assert {code: by_unit[TOWN] for code, by_unit in values.items()} == dict.fromkeys(values, None)
    assert not store.has_sample(db)


def test_the_sample_command_exits_0(tmp_path):
    done = subprocess.run([sys.executable, "-m", "data", "sample", "--db", str(tmp_path / "cli.duckdb")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert "已载入 2025 年示例数据：新增 551 行" in done.stdout
