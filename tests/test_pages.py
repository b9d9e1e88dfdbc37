"""The 总览, 村庄 and 指标 pages through AppTest: what they show equals what metrics.compute gives.

One sample database per module (loaded once); tests that need an empty or gappy database point
FAZHI_DB elsewhere with monkeypatch. Expected figures come from values_json, never typed in,
except the 2025 report's own: 136 disputes received, all of them resolved.
"""
from __future__ import annotations

import io
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import pytest
from openpyxl import Workbook
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from data import sample, store
from data.config import TOWN, load_units
from data.importer import Upload
from data.sample import load_sample
from data.schema import VILLAGE
from metrics.catalogue import BY_CODE, CATALOGUE
from metrics.compute import values_json
from metrics.format import DASH, fmt_value
from metrics.periods import parse_period
from metrics.targets import BAD, OK, WARN, attainment, state, target

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "dashboard.py"
VILLAGES = [u.name for u in load_units().of_kind("village")]
QUARTERS_ZH = ["一季度", "二季度", "三季度", "四季度"]
LEVEL = {BAD: 0, WARN: 1, OK: 2}
SLAB = "石板村"
SLAB_GAP = (11, 12)  # the months 石板村 has not reported in the gappy database


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def app_settings():
    """Single-user mode, full error details in failures, and st.navigation as a running server sees it.

    A folder named pages/ beside the entry script puts Streamlit in its legacy multipage mode
    until st.navigation is first called. AppTest resets that flag before every run, so from the
    second run on the sidebar (and with it every filter) disappears. A running server clears it
    once for good; the patch does the same, so the tests see what users see after the first visit.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    with pytest.MonkeyPatch.context() as mp, patch_config_options({"client.showErrorDetails": "full"}):
        mp.setenv("FAZHI_AUTH", "off")
        mp.setattr(PagesManager, "__init__", init)
        yield


@pytest.fixture(scope="module", autouse=True)
def sample_db(tmp_path_factory, app_settings) -> str:
    """The 2025 sample in a database of its own; FAZHI_DB points at it for the whole module."""
    path = tmp_path_factory.mktemp("sample") / "fazhi.duckdb"
    assert load_sample(path).ok
    old = os.environ.get("FAZHI_DB")
    os.environ["FAZHI_DB"] = str(path)
    yield str(path)
    if old is None:
        os.environ.pop("FAZHI_DB", None)
    else:
        os.environ["FAZHI_DB"] = old


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> str:
    path = str(tmp_path / "fazhi.duckdb")
    monkeypatch.setenv("FAZHI_DB", path)
    return path


@pytest.fixture(scope="module")
def gap_db_file(tmp_path_factory) -> str:
    """Only the villages' 2025 monthly reports, without 石板村's November and December."""
    rows = [r for r in sample.generate()[VILLAGE.name]
            if not (r["unit"] == SLAB and r["month"].month in SLAB_GAP)]
    wb = Workbook()
    ws = wb.active
    ws.title = VILLAGE.title
    ws.append([c.header for c in VILLAGE.columns])
    for r in rows:
        ws.append([f"{r[c.field]:%Y-%m}" if c.kind == "month" else r[c.field] for c in VILLAGE.columns])
    book = io.BytesIO()
    wb.save(book)
    path = tmp_path_factory.mktemp("gap") / "fazhi.duckdb"
    result = store.import_files([Upload("村级月报.xlsx", book.getvalue())], path)
    assert result.ok, [p.line() for p in result.problems]
    return str(path)


@pytest.fixture
def gap_db(gap_db_file, monkeypatch) -> str:
    monkeypatch.setenv("FAZHI_DB", gap_db_file)
    return gap_db_file


# --- helpers ---------------------------------------------------------------------------------


def no_exception(at: AppTest) -> AppTest:
    assert not at.exception, [(e.message, e.stack_trace[-2:]) for e in at.exception]
    return at


def open_app(page: str | None = None, **query) -> AppTest:
    """The dashboard after its first run, on the given page file (pages/….py)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    no_exception(at.run())
    if page:
        no_exception(at.switch_page(page).run())
    return at


def choose_period(at: AppTest, label: str) -> AppTest:
    """Set the sidebar's 粒度 and 期间 to a period label (2025, 2025Q3, 2025-03)."""
    period = parse_period(label)
    grain = {12: "年", 3: "季度", 1: "月"}[period.months]
    if at.button_group(key="f_grain").value != grain:
        no_exception(at.button_group(key="f_grain").set_value(grain).run())
    if at.selectbox(key="f_sub").value != label:
        no_exception(at.selectbox(key="f_sub").set_value(label).run())
    assert at.selectbox(key="f_sub").value == label
    return at


def choose_unit(at: AppTest, name: str) -> AppTest:
    return no_exception(at.selectbox(key="f_unit").set_value(name).run())


def cards(at: AppTest) -> dict[str, str]:
    """{indicator name: value with its unit}: a card shows the unit in its label, 受理矛盾纠纷数（件） 136."""
    shown = {}
    for m in at.main.metric:
        name, _, unit = m.label.partition("（")
        unit = unit.rstrip("）")
        shown[name] = f"{m.value} {unit}" if unit and m.value != DASH else m.value
    return shown


def chart(at: AppTest, key: str) -> dict:
    """The figure JSON (data, layout) of the plotly chart with this key."""
    found = [c for c in at.get("plotly_chart") if c.key == key]
    assert found, f"no chart {key!r} among {[c.key for c in at.get('plotly_chart')]}"
    return json.loads(found[0].proto.spec)


def look_at(at: AppTest) -> str:
    """The village the 村庄 page's detail section shows (its 查看村 box)."""
    return next(s.value for s in at.main.selectbox if s.label == "查看村")


def markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.main.markdown]


@lru_cache(maxsize=None)
def computed(label: str, db: str, unit: str | None = None) -> dict:
    """values_json's {code: {全镇|unit name: value}} for a period."""
    return values_json(parse_period(label), db, unit=unit)["values"]


def same(actual: list, expected: list) -> bool:
    """Element-wise equality of chart values, floats to 1e-9, None as JSON null."""
    return len(actual) == len(expected) and all(
        a is None and e is None or a is not None and e is not None and abs(a - e) < 1e-9
        for a, e in zip(actual, expected))


def expected_cards(label: str, db: str, unit: str | None = None) -> dict[str, str]:
    who = unit or TOWN
    return {BY_CODE[code].name: fmt_value(by_unit[who], BY_CODE[code].fmt, BY_CODE[code].unit)
            for code, by_unit in computed(label, db, unit).items() if who in by_unit}


def state_of(code: str, value, label: str, per_unit: bool) -> str:
    return state(attainment(code, value, parse_period(label), per_unit))


# --- navigation and filters ------------------------------------------------------------------


def test_every_page_file_is_listed_in_the_navigation():
    listed = set(re.findall(r"""["']pages/(\w+)\.py["']""", APP.read_text(encoding="utf-8")))
    files = {p.stem for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")}
    assert files - listed == set(), "page files missing from dashboard.py's st.navigation"
    assert listed - files == set(), "dashboard.py lists page files that do not exist"


def test_the_unit_filter_survives_a_switch_to_every_other_page():
    at = choose_unit(open_app(), SLAB)
    for page in ("pages/villages.py", "pages/indicator.py", "pages/overview.py"):
        no_exception(at.switch_page(page).run())
        assert at.selectbox(key="f_unit").value == SLAB, page
    no_exception(at.switch_page("pages/villages.py").run())
    assert look_at(at) == SLAB


def test_the_period_filter_survives_a_page_switch():
    at = choose_period(open_app(), "2025Q3")
    no_exception(at.switch_page("pages/indicator.py").run())
    assert at.selectbox(key="f_sub").value == "2025Q3"
    assert at.title[0].value.endswith("· 2025年第三季度")


def test_projector_mode_from_the_address_turns_the_toggle_on_and_enlarges_type():
    normal, big = open_app(), open_app(big="1")
    assert (normal.toggle(key="f_big").value, big.toggle(key="f_big").value) == (False, True)
    sizes = [chart(at, "trend_resolution_rate")["layout"]["template"]["layout"]["font"]["size"] for at in (normal, big)]
    assert sizes[1] > sizes[0]
    assert "font-size: 16px" in normal.html[0].value and "font-size: 21px" in big.html[0].value


# --- 总览 ------------------------------------------------------------------------------------


def test_overview_for_the_year_2025_reports_136_disputes_all_resolved(sample_db):
    at = choose_period(open_app(), "2025")
    assert at.title[0].value == "法治建设总览 · 2025年"
    shown = cards(at)
    assert (shown["受理矛盾纠纷数"], shown["矛盾纠纷化解率"]) == ("136 件", "100.0%")


@pytest.mark.parametrize("label", ["2025Q4", "2025Q3", "2025", "2025-03"])
def test_overview_cards_show_what_metrics_compute_for_the_period(sample_db, label):
    at = choose_period(open_app(), label)
    assert at.title[0].value == f"法治建设总览 · {parse_period(label).label_zh}"
    assert cards(at) == expected_cards(label, sample_db)


@pytest.mark.parametrize("label", ["2025Q4", "2025Q3"])
def test_overview_warning_lists_exactly_the_indicators_off_target(sample_db, label):
    at = choose_period(open_app(), label)
    values = computed(label, sample_db)
    states = {i.code: state_of(i.code, values[i.code][TOWN], label, False) for i in CATALOGUE if i.code in values}
    bad = [BY_CODE[c].name for c, s in states.items() if s == BAD]
    warn = [BY_CODE[c].name for c, s in states.items() if s == WARN]
    assert bad or warn, "the sample should have something off target in this period"
    [text] = [w.value for w in at.main.warning]
    listed = {kind: names.split("、") for kind, names in re.findall(r"(未达标|预警) \d+ 项\*\*：([^；]+)", text)}
    assert listed == {k: v for k, v in (("未达标", bad), ("预警", warn)) if v}
    for kind, names in listed.items():
        assert f"{kind} {len(names)} 项" in text


def test_overview_trend_charts_plot_the_four_quarters_of_the_town(sample_db):
    at = open_app()
    headline = [BY_CODE[k] for k in [key.removeprefix("trend_") for key in
                                     (c.key for c in at.get("plotly_chart")) if key.startswith("trend_")]]
    assert [i.name for i in headline] == list(cards(at))[:len(headline)], "one trend per headline card, same order"
    for ind in headline:
        fig = chart(at, f"trend_{ind.code}")
        assert fig["layout"]["title"]["text"] == f"{ind.name}·各季度"
        assert fig["data"][0]["x"] == QUARTERS_ZH
        expected = [computed(f"2025Q{q}", sample_db)[ind.code][TOWN] for q in range(1, 5)]
        assert same(fig["data"][0]["y"], expected), ind.code


def test_overview_names_the_units_that_pull_each_off_target_indicator_down(sample_db):
    label = "2025Q4"
    at = open_app()
    values = computed(label, sample_db)
    expected = {}
    for ind in CATALOGUE:
        if ind.town_only or ind.code not in values:
            continue
        if state_of(ind.code, values[ind.code][TOWN], label, False) not in (BAD, WARN):
            continue
        units = {u: v for u, v in values[ind.code].items() if u != TOWN}
        if target(ind.code, parse_period(label), per_unit=True) is None:
            continue  # a town-wide target (training): explained in words, no unit chart
        rows = {u: v for u, v in units.items() if state_of(ind.code, v, label, True) in (BAD, WARN)}
        if rows:
            expected[ind.code] = rows
    assert "未达标指标：哪些单位拉低了全镇" in [s.value for s in at.subheader]
    drawn = {c.key.removeprefix("low_"): json.loads(c.proto.spec)["data"][0]
             for c in at.get("plotly_chart") if c.key.startswith("low_")}
    assert set(drawn) == set(expected)
    for code, bars in drawn.items():
        assert dict(zip(bars["y"], bars["x"])) == pytest.approx({u: v or 0 for u, v in expected[code].items()}), code


def test_overview_explains_every_off_target_indicator_under_the_units_section(sample_db):
    label = "2025Q4"
    at = open_app()
    values = computed(label, sample_db)
    off = [i for i in CATALOGUE if i.code in values
           and state_of(i.code, values[i.code][TOWN], label, False) in (BAD, WARN)]
    charted = {c.key.removeprefix("low_") for c in at.get("plotly_chart") if c.key.startswith("low_")}
    explained = {i.code for i in off if any(m.startswith((f"**{i.name}** 只按全镇统计", f"**{i.name}** 按全镇考核"))
                                            for m in markdown(at))}
    assert [i.name for i in off if i.code not in charted | explained] == []


def test_overview_for_one_village_shows_its_own_values_and_no_town_breakdown(sample_db):
    at = choose_unit(open_app(), SLAB)
    assert f"单位：{SLAB}（只显示适用于该单位的指标）" in [c.value for c in at.main.caption]
    assert cards(at) == expected_cards("2025Q4", sample_db, SLAB)
    assert "未达标指标：哪些单位拉低了全镇" not in [s.value for s in at.subheader]
    assert not [c.key for c in at.get("plotly_chart") if c.key.startswith("low_")]


def test_overview_without_data_explains_the_first_run_and_offers_the_sample(empty_db):
    at = open_app()
    assert any("欢迎使用法治指标看板" in m for m in markdown(at))
    assert [p.value for p in at.get("page_link")] == ["下载填报模板", "上传报表"]
    assert [b.label for b in at.main.button] == ["载入 2025 年示例数据"]
    assert not at.main.metric and not at.get("plotly_chart")


def test_loading_the_sample_from_the_first_run_screen_fills_the_cards(empty_db):
    at = open_app()
    no_exception(at.main.button[0].click().run())
    assert store.has_sample(empty_db)
    assert any("示例数据" in i.value for i in at.main.info)
    assert cards(at) == expected_cards("2025Q4", empty_db)
    assert cards(choose_period(at, "2025"))["受理矛盾纠纷数"] == "136 件"


# --- 村庄 ------------------------------------------------------------------------------------


def test_villages_heat_map_has_a_row_per_village_and_a_cell_per_targeted_indicator(sample_db):
    label = "2025Q4"
    at = open_app("pages/villages.py")
    assert at.title[0].value == "村庄 · 2025年第四季度"
    codes = [i.code for i in CATALOGUE if i.template == VILLAGE.name and not i.town_only
             and target(i.code, parse_period(label)) is not None]
    heat = chart(at, "heat")["data"][0]
    assert heat["y"] == VILLAGES
    assert heat["x"] == [BY_CODE[c].name for c in codes]
    values = computed(label, sample_db)
    for row, village in enumerate(VILLAGES):
        for col, code in enumerate(codes):
            v = values[code][village]
            assert heat["text"][row][col].startswith(fmt_value(v, BY_CODE[code].fmt)), (village, code)
            assert heat["z"][row][col] == LEVEL.get(state_of(code, v, label, True)), (village, code)


def test_villages_ranking_lists_each_of_the_12_villages_once(sample_db):
    at = open_app("pages/villages.py")
    ranking = at.main.dataframe[0].value
    assert len(ranking) == 12
    assert sorted(ranking["unit_name"]) == sorted(VILLAGES)
    assert ranking["rank"].iloc[0] == 1 and ranking["rank"].is_monotonic_increasing
    assert ranking["score"].is_monotonic_decreasing


def test_village_detail_follows_the_unit_filter_and_shows_its_twelve_monthly_reports(sample_db):
    at = choose_unit(open_app(), SLAB)
    no_exception(at.switch_page("pages/villages.py").run())
    assert look_at(at) == SLAB
    assert f"{SLAB} · 2025年" in [s.value for s in at.subheader]
    monthly = at.main.dataframe[-1].value
    stored = store.rows(VILLAGE.name, db=sample_db)
    stored = stored[stored.unit == load_units().by_name(SLAB).code]
    assert list(monthly["月份"]) == [f"{m}月" for m in range(1, 13)]
    for col in VILLAGE.columns[2:]:
        assert list(monthly[col.header]) == list(stored[col.field]), col.header
    assert set(monthly["来源文件"]) != {None}
    fig = chart(at, "village_trend")
    assert [t["name"] for t in fig["data"]] == [SLAB, TOWN]
    for trace, who in zip(fig["data"], (SLAB, TOWN)):
        expected = [computed(f"2025Q{q}", sample_db, SLAB)["resolution_rate"][who] for q in range(1, 5)]
        assert same(trace["y"], expected), who


def test_a_village_with_missing_months_is_warned_about_them(gap_db):
    at = choose_unit(open_app(), SLAB)
    no_exception(at.switch_page("pages/villages.py").run())
    assert [w.value for w in at.main.warning] == [f"{SLAB} 未填报的月份：11月、12月"]
    assert list(at.main.dataframe[-1].value["月份"]) == [f"{m}月" for m in range(1, 11)]


def test_villages_without_data_say_where_to_get_some(empty_db):
    at = open_app("pages/villages.py")
    assert [i.value for i in at.main.info] == ["还没有数据。请先在“填报”页上传报表，或在“总览”页载入示例数据。"]
    assert not at.get("plotly_chart") and not at.main.dataframe


# --- 指标 ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def indicator_app(sample_db) -> AppTest:
    """One 指标 page shared by the catalogue-wide test below (each case picks its indicator)."""
    return open_app("pages/indicator.py")


@pytest.mark.parametrize("code", [i.code for i in CATALOGUE])
def test_indicator_page_shows_value_definition_and_formula_of_every_indicator(indicator_app, sample_db, code):
    ind = BY_CODE[code]
    at = no_exception(indicator_app.selectbox(key="indicator_code").set_value(code).run())
    assert at.title[0].value == f"{ind.name} · 2025年第四季度"
    assert cards(at) == {ind.name: fmt_value(computed("2025Q4", sample_db)[code][TOWN], ind.fmt, ind.unit)}
    text = markdown(at)
    assert f"**定义**　{ind.definition}" in text
    assert f"**公式**　{ind.formula}" in text
    goal = target(code, parse_period("2025Q4"))
    [line] = [m for m in text if m.startswith("**目标**")]
    assert (fmt_value(goal, ind.fmt) in line) if goal is not None else ("无目标" in line)


def test_indicator_monthly_table_has_a_dash_exactly_where_a_month_has_no_value(sample_db):
    at = open_app("pages/indicator.py")
    no_exception(at.selectbox(key="indicator_code").set_value("resolution_rate").run())
    table = at.main.dataframe[-1].value
    assert list(table.columns) == [f"{m}月" for m in range(1, 13)]
    assert list(table.index) == [TOWN] + VILLAGES
    expected = {f"{m}月": [fmt_value(computed(f"2025-{m:02d}", sample_db)["resolution_rate"][who], "pct")
                           for who in table.index] for m in range(1, 13)}
    assert table.to_dict("list") == expected
    assert (table == DASH).any().any(), "months without disputes have no resolution rate"


def test_indicator_monthly_table_has_a_dash_for_months_a_village_did_not_report(gap_db):
    at = open_app("pages/indicator.py")
    table = at.main.dataframe[-1].value
    assert [table.at[SLAB, f"{m}月"] for m in SLAB_GAP] == [DASH, DASH]
    assert DASH not in list(table.loc[SLAB, [f"{m}月" for m in range(1, 11)]])


def test_indicator_bar_chart_shows_every_village_and_highlights_the_filtered_one(sample_db):
    at = choose_unit(open_app(), SLAB)
    no_exception(at.switch_page("pages/indicator.py").run())
    bars = chart(at, "by_unit")["data"][0]
    assert dict(zip(bars["y"], bars["x"])) == {v: computed("2025Q4", sample_db)["disputes_received"][v]
                                               for v in VILLAGES}
    solid = [name for name, colour in zip(bars["y"], bars["marker"]["color"]) if len(colour) == 7]
    assert solid == [SLAB]
    quarters = chart(at, "by_quarter")
    assert quarters["layout"]["title"]["text"] == f"{SLAB}受理矛盾纠纷数：2025年各季度"
    expected = [computed(f"2025Q{q}", sample_db, SLAB)["disputes_received"][SLAB] for q in range(1, 5)]
    assert same(quarters["data"][0]["y"], expected)


def test_indicator_page_without_data_says_where_to_get_some(empty_db):
    at = open_app("pages/indicator.py")
    assert [i.value for i in at.main.info] == ["还没有数据。请先在“填报”页上传报表，或在“总览”页载入示例数据。"]
    assert not at.get("plotly_chart") and not at.main.metric


# --- 填报 (being rewritten elsewhere: only that it opens) --------------------------------------


def test_upload_page_opens_with_its_title(sample_db):
    at = open_app("pages/upload.py")
    assert at.title[0].value == "填报"
