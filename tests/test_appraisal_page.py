"""The 考核 page and the projector's 会议投影 page, driven by AppTest over the bundled sample."""
from __future__ import annotations

import io
import shutil

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data import store
from data.config import load_units
from data.importer import Upload
from data.sample import load_sample
from data.schema import TEMPLATES
from metrics.compute import evaluate
from metrics.periods import parse_period
from metrics.scoring import score_units

LATEST = parse_period("2025Q4")  # the sample's last quarter, the page's default period


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("appraisal") / "fazhi.duckdb"
    load_sample(path)
    return str(path)


@pytest.fixture
def app(sample_db, monkeypatch):
    """The dashboard on the sample, opened at a page: app('pages/appraisal.py')."""
    monkeypatch.setenv("FAZHI_DB", sample_db)

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file("../dashboard.py", default_timeout=60).run()
        at.switch_page(page).run()
        assert not at.exception, [e.message for e in at.exception]
        return at
    return open_page


@pytest.fixture(scope="module")
def expected(sample_db) -> pd.DataFrame:
    return score_units(evaluate([LATEST], sample_db), LATEST, load_units())


def ranking_table(at: AppTest, kind: str) -> pd.DataFrame:
    """The ranking table (the one with remarks) of the villages or of the departments."""
    names = {u.name for u in load_units().of_kind(kind)}
    return next(d.value for d in at.dataframe if "remark" in d.value.columns and set(d.value.unit_name) <= names)


# --- 考核 --------------------------------------------------------------------------------------


def test_the_appraisal_page_is_titled_with_the_period(app):
    at = app("pages/appraisal.py")
    assert [t.value for t in at.title] == ["法治建设考核 · 2025年第四季度"]
    assert [s.value for s in at.subheader] == ["考核权重", "述职评议得分"]


def test_the_village_ranking_lists_the_12_villages_with_the_scores_of_score_units(app, expected):
    table = ranking_table(app("pages/appraisal.py"), "village")
    villages = expected[expected.kind == "village"]
    assert len(table) == 12
    assert dict(zip(table.unit_name, table.score)) == pytest.approx(dict(zip(villages.unit_name, villages.score)))
    assert dict(zip(table.unit_name, table["rank"])) == dict(zip(villages.unit_name, villages["rank"]))
    assert list(table["rank"]) == sorted(table["rank"])
    assert list(table.points) == pytest.approx(list(table.score * 0.25))


def test_the_department_ranking_lists_the_8_departments_with_ties_sharing_a_rank(app, expected):
    table = ranking_table(app("pages/appraisal.py"), "department")
    departments = expected[expected.kind == "department"]
    assert dict(zip(table.unit_name, table.score)) == pytest.approx(dict(zip(departments.unit_name, departments.score)))
    top = table[table.score == 100.0]
    assert len(top) > 1 and set(top["rank"]) == {1}


def test_the_ranking_table_shows_the_flags_in_words(sample_db, monkeypatch):
    # in December some villages reported no dispute, so their resolution rate is no data
    monkeypatch.setenv("FAZHI_DB", sample_db)
    at = AppTest.from_file("../dashboard.py", default_timeout=60)
    # the sidebar's period picker, set as a person leaves it (AppTest loses a segmented_control's set_value)
    at.session_state["f_grain"], at.session_state["f_sub_grain"], at.session_state["f_sub"] = "月", (2025, "月"), "2025-12"
    at.run()
    at.switch_page("pages/appraisal.py").run()
    assert not at.exception
    table = ranking_table(at, "village")
    assert "数据不全（缺：矛盾纠纷化解率）" in set(table.remark)
    assert at.title[0].value == "法治建设考核 · 2025年12月"
    flagged = table[table.remark != ""]
    assert len(flagged) and flagged["rank"].notna().all()  # flagged, and still ranked on what they have


@pytest.fixture(scope="module")
def vetoed_db(sample_db, tmp_path_factory) -> str:
    """The sample with 司法所 re-reporting December 2025 with one community-correction subject lost."""
    path = tmp_path_factory.mktemp("vetoed") / "fazhi.duckdb"
    shutil.copy2(sample_db, path)
    row = dict.fromkeys(TEMPLATES["department_monthly"].fields, 0) | {
        "unit": "司法所", "month": "2025-12", "enforcement_staff": 2, "enforcement_certified": 2,
        "correction_subjects": 8, "correction_lost": 1, "resettlement_subjects": 5, "resettled": 5}
    wb = openpyxl.Workbook()
    wb.active.append([c.header for c in TEMPLATES["department_monthly"].columns])
    wb.active.append([row[c.field] for c in TEMPLATES["department_monthly"].columns])
    book = io.BytesIO()
    wb.save(book)
    result = store.import_files([Upload("司法所12月.xlsx", book.getvalue())], path)
    assert result.ok, [p.line() for p in result.problems]
    return str(path)


def test_a_vetoed_department_is_flagged_and_ranked_after_the_others(vetoed_db, monkeypatch):
    monkeypatch.setenv("FAZHI_DB", vetoed_db)
    at = AppTest.from_file("../dashboard.py", default_timeout=60).run()
    at.switch_page("pages/appraisal.py").run()
    assert not at.exception
    table = ranking_table(at, "department")
    justice = table[table.unit_name == "司法所"].iloc[0]
    # [weights.D02]: correction_lost 30 of 100 lost
    assert (justice.remark, justice["rank"], justice.score) == ("一票否决", 8, pytest.approx(70.0))


def test_the_appraisal_page_shows_the_evaluators_mean_per_type_for_every_unit(app):
    at = app("pages/appraisal.py")
    table = next(d.value for d in at.dataframe if "evaluators" in d.value.columns)
    assert len(table) == 20
    assert list(table.columns) == ["unit_name", "人大代表", "政协委员", "群众代表", "镇领导班子", "evaluators", "score"]
    assert table[["人大代表", "政协委员", "群众代表", "镇领导班子"]].notna().all().all()


def test_the_appraisal_page_says_so_when_there_is_no_data(tmp_path, monkeypatch):
    monkeypatch.setenv("FAZHI_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file("../dashboard.py", default_timeout=60).run()
    at.switch_page("pages/appraisal.py").run()
    assert not at.exception
    assert [i.value for i in at.info] == ["还没有数据，无法计算考核得分。请先在“填报”页上传报表，或在“总览”页载入示例数据。"]
    assert not at.dataframe


# --- 会议投影 ----------------------------------------------------------------------------------


def counter(at: AppTest) -> str:
    return next(m.value for m in at.markdown if " / " in m.value)


def test_the_presentation_starts_with_the_overall_slide(app):
    at = app("pages/present.py")
    assert [t.value for t in at.title] == ["法治建设总览 · 2025年第四季度"]
    assert counter(at) == "**1 / 18**"
    assert at.button(key="prev").disabled
    assert at.query_params["slide"] == "1"


def test_the_next_button_advances_the_counter_and_changes_the_title(app):
    at = app("pages/present.py")
    at.button(key="next").click().run()
    assert counter(at) == "**2 / 18**"
    assert [t.value for t in at.title] == ["矛盾纠纷化解率 · 2025年第四季度"]
    assert at.query_params["slide"] == "2"
    at.button(key="prev").click().run()
    assert [t.value for t in at.title] == ["法治建设总览 · 2025年第四季度"]


def test_the_slides_go_overall_then_headline_indicators_then_rankings_then_each_village(app):
    at = app("pages/present.py")
    titles = [at.title[0].value]
    while not at.button(key="next").disabled:
        at.button(key="next").click().run()
        assert not at.exception
        titles.append(at.title[0].value)
    period = " · 2025年第四季度"
    villages = [u.name for u in load_units().of_kind("village")]
    assert titles == (["法治建设总览" + period, "矛盾纠纷化解率" + period, "群众满意度" + period, "培训学时" + period,
                       "各村法治建设考核得分排名" + period, "镇直单位法治建设考核得分排名" + period]
                      + [f"{v} · 各项考核指标完成情况" for v in villages])
    assert counter(at) == "**18 / 18**"


def test_the_slide_query_parameter_opens_that_slide(sample_db, monkeypatch):
    monkeypatch.setenv("FAZHI_DB", sample_db)
    at = AppTest.from_file("../dashboard.py", default_timeout=60)
    at.query_params["slide"] = "5"
    at.run()
    at.switch_page("pages/present.py").run()
    assert counter(at) == "**5 / 18**"
    assert at.title[0].value.startswith("各村法治建设考核得分排名")


def test_the_presentation_says_so_when_there_is_no_data(tmp_path, monkeypatch):
    monkeypatch.setenv("FAZHI_DB", str(tmp_path / "empty.duckdb"))
    at = AppTest.from_file("../dashboard.py", default_timeout=60).run()
    at.switch_page("pages/present.py").run()
    assert not at.exception
    assert [i.value for i in at.info] == ["还没有数据。请先在“填报”页上传报表，或在“总览”页载入示例数据。"]
    assert not at.button
