"""The store (SPEC §4.5): re-uploads replace and never duplicate, history, rollback, and the
command line, also while another program holds the database."""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data import store
from data.__main__ import main
from data.importer import Upload
from data.schema import TEMPLATES, TRAINING, VILLAGE

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
D = dt.date
VH = [c.header for c in VILLAGE.columns]
TH = [c.header for c in TRAINING.columns]


def current(db) -> dict:
    """What every query of the current figures sees: each template's rows with their provenance."""
    return {name: store.rows(name, db=db, with_meta=True).to_dict("records") for name in TEMPLATES}


def figures(db) -> dict:
    """The current figures alone, without which upload they came from."""
    return {name: store.rows(name, db=db).to_dict("records") for name in TEMPLATES}


def march(make_xlsx, received_east=5, name_suffix="") -> bytes:
    return make_xlsx({"村级" + name_suffix: [
        VH,
        ["东山村", "2025-03", received_east, 4, 2, 7, 5, 9, 4, 20, 2, 150, 30, 29, 6, 1],
        ["西河村", "2025-03", 3, 3, 0, 6, 4, 2, 0, 8, 1, 60, None, None, 1, 0],
    ]})


# --- identity: a re-upload replaces, never duplicates -----------------------------------------


def test_importing_the_same_file_twice_changes_no_figure(do_import, make_xlsx, db):
    book = march(make_xlsx)
    first = do_import(Upload("三月.xlsx", book))
    before = figures(db)

    again = do_import(Upload("三月.xlsx", book))

    assert (first.added, first.replaced, first.unchanged) == (2, 0, 0)
    assert (again.ok, again.added, again.replaced, again.unchanged) == (True, 0, 0, 2)
    assert figures(db) == before
    # the second upload now owns both rows, so rolling back the first can never undo it
    assert {r["upload_id"] for r in current(db)["village_monthly"]} == {again.upload_id}


def test_importing_the_same_rows_in_another_layout_changes_nothing(do_import, make_xlsx, stored):
    do_import(Upload("三月.xlsx", march(make_xlsx)))
    before = stored("village_monthly")
    relaid = make_xlsx({"东山": [["插甸镇2025年3月法治建设工作月报表"], VH,
                                ["东山村委会", "2025年3月", "５", "4", 2, 7, 5, 9, 4, 20, 2, 150, 30, 29, 6, 1]]})

    result = do_import(Upload("东山3月.xlsx", relaid))

    assert (result.added, result.replaced, result.unchanged) == (0, 0, 1)
    assert stored("village_monthly") == before


def test_a_corrected_month_replaces_the_old_figures_and_shows_what_changed(do_import, make_xlsx, stored):
    do_import(Upload("三月.xlsx", march(make_xlsx)))

    fixed = do_import(Upload("三月（更正）.xlsx", march(make_xlsx, received_east=6)))

    assert (fixed.added, fixed.replaced, fixed.unchanged) == (0, 1, 1)
    assert fixed.plans[0].changes.to_dict("records") == [
        {"unit": "V01", "month": pd.Timestamp(2025, 3, 1), "field": "disputes_received", "header": "受理矛盾纠纷", "old": 5, "new": 6}]
    assert stored("village_monthly", "unit", "month", "disputes_received") == [("V01", D(2025, 3, 1), 6), ("V02", D(2025, 3, 1), 3)]


def test_a_figure_blanked_in_a_correction_becomes_null_not_zero(do_import, make_xlsx, stored):
    do_import(Upload("三月.xlsx", march(make_xlsx)))

    do_import(Upload("更正.xlsx", make_xlsx({"s": [VH, ["东山村", "2025-03", 5, 4, 2, 7, 5, 9, None, 20, 2, 150, 30, 29, 6, 1]]})))

    assert stored("village_monthly", "unit", "advisor_days") == [("V01", None), ("V02", 0.0)]


def test_the_replaced_version_stays_in_the_store_marked_as_superseded(do_import, make_xlsx, db):
    do_import(Upload("三月.xlsx", march(make_xlsx)))
    do_import(Upload("更正.xlsx", march(make_xlsx, received_east=6)))

    with store.connect(db) as con:
        versions = con.execute("SELECT unit, disputes_received, upload_id, superseded_by, retracted "
                               "FROM village_monthly_rows ORDER BY upload_id, unit").fetchall()
    # every upload owns a version of each row it carried; the unchanged V02 row too
    assert versions == [("V01", 5, 1, 2, False), ("V02", 3, 1, 2, False),
                        ("V01", 6, 2, None, False), ("V02", 3, 2, None, False)]


def test_a_training_session_is_identified_by_date_unit_and_title(do_import, make_xlsx, stored):
    do_import(Upload("台账.xlsx", make_xlsx({"s": [TH, ["2025-03-05", "司法所", "民法典讲座", "法治讲堂", 2, 45, None, None]]})))

    result = do_import(Upload("台账2.xlsx", make_xlsx({"s": [TH,
                                                            ["2025/3/5", "司法所", "民法典讲座", "法治讲堂", 2, 50, None, None],
                                                            ["2025/3/5", "司法所", "宪法讲座", "法治讲堂", 1, 30, None, None]]})))

    assert (result.added, result.replaced) == (1, 1)
    assert stored("training_ledger", "title", "attendees") == [("宪法讲座", 30), ("民法典讲座", 50)]


def test_rows_selects_the_months_of_a_period(do_import, make_xlsx, stored, db):
    do_import(Upload("季.xlsx", make_xlsx({"s": [VH] + [["东山村", f"2025-{m:02d}", m] for m in range(1, 7)]})))

    frame = store.rows("village_monthly", D(2025, 2, 1), D(2025, 4, 1), db=db)

    assert frame["disputes_received"].tolist() == [2, 3, 4]


# --- history and originals -----------------------------------------------------------------------


def test_each_upload_is_logged_with_user_file_hash_and_counts(baseline, do_import, make_xlsx, db):
    book = march(make_xlsx, received_east=6)
    do_import(Upload("三月（更正）.xlsx", book), user="东山村填报员")

    log = store.history(db)[["id", "user_name", "sample", "rows_added", "rows_replaced", "rows_unchanged",
                             "rolled_back_by", "files", "sha256"]].to_dict("records")
    assert log == [
        {"id": 2, "user_name": "东山村填报员", "sample": False, "rows_added": 0, "rows_replaced": 1, "rows_unchanged": 1,
         "rolled_back_by": None, "files": "三月（更正）.xlsx", "sha256": Upload("", book).sha256},
        {"id": 1, "user_name": "管理员", "sample": False, "rows_added": 5, "rows_replaced": 0, "rows_unchanged": 0,
         "rolled_back_by": None, "files": "基线.xlsx", "sha256": log[1]["sha256"]},
    ]


def test_the_uploaded_original_is_kept_byte_for_byte(do_import, make_xlsx, db):
    book = march(make_xlsx)
    result = do_import(Upload("三月.xlsx", book))

    assert store.original(result.upload_id, "三月.xlsx", db) == book


def test_a_preview_plans_the_upload_and_writes_nothing(baseline, do_import, make_xlsx, db):
    before = current(db), store.history(db).to_dict("records")

    preview = do_import(Upload("三月（更正）.xlsx", march(make_xlsx, received_east=6)), commit=False)

    assert (preview.ok, preview.upload_id, preview.added, preview.replaced, preview.unchanged) == (True, None, 0, 1, 1)
    assert (current(db), store.history(db).to_dict("records")) == before


def test_a_clerk_may_upload_only_their_own_units(baseline, do_import, make_xlsx, snapshot):
    result = do_import(Upload("三月.xlsx", march(make_xlsx, received_east=6)), allowed_units={"V01"})

    assert [(p.file, p.sheet, p.row, p.column, p.reason) for p in result.problems] == [
        ("三月.xlsx", "村级", 3, "A「村委会」", "包含其他单位（西河村）的数据，您只能上传本单位的数据")]
    assert snapshot() == baseline


# --- rollback ---------------------------------------------------------------------------------


def test_rolling_back_a_correction_restores_exactly_what_it_replaced(baseline, do_import, make_xlsx, db):
    before = current(db)
    fix = do_import(Upload("更正.xlsx", march(make_xlsx, received_east=6)))
    assert current(db) != before

    done = store.rollback(fix.upload_id, db, user="管理员")

    assert done == {"upload_id": 2, "removed": 2, "restored": 2}  # the changed row and the unchanged one
    assert current(db) == before
    (rolled_by,) = store.history(db).query("id == 2")["rolled_back_by"]
    assert rolled_by == "管理员"


def test_rolling_back_the_first_upload_leaves_no_current_rows(baseline, db):
    store.rollback(1, db)

    assert {name: len(rows) for name, rows in current(db).items()} == dict.fromkeys(TEMPLATES, 0)


def test_a_rolled_back_month_can_be_uploaded_again(baseline, do_import, make_xlsx, stored, db):
    store.rollback(1, db)

    again = do_import(Upload("三月.xlsx", march(make_xlsx)))

    assert (again.added, again.replaced) == (2, 0)
    assert stored("village_monthly", "unit", "disputes_received") == [("V01", 5), ("V02", 3)]


@pytest.mark.parametrize("steps, upload_id, message", [
    ([], 9, "没有编号为 9 的上传记录"),
    (["fix"], 1, "第1次上传的部分数据已被之后的第2次上传替换；请先撤销第2次上传，才能准确恢复"),
    (["rollback 1"], 1, "第1次上传已于 "),
])
def test_a_rollback_that_cannot_restore_exactly_is_refused_in_chinese(steps, upload_id, message, baseline, do_import, make_xlsx, db):
    for step in steps:
        if step == "fix":
            do_import(Upload("更正.xlsx", march(make_xlsx, received_east=6)))
        else:
            store.rollback(1, db)
    before = current(db)

    with pytest.raises(store.RollbackRefused, match=message):
        store.rollback(upload_id, db)
    assert current(db) == before


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, db, capsys):
    """main() as `python -m data`, against the test database and units; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr("data.config.CONFIG_DIR", FIXTURES)

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(["--db", str(db), *args])
        except SystemExit as e:
            code = e.code
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_the_command_line_import_exits_0_and_says_what_it_did(cli, tmp_path, make_xlsx, db):
    path = tmp_path / "三月.xlsx"
    path.write_bytes(march(make_xlsx))

    code, out, err = cli("import", "--user", "司法所", str(path))

    assert (code, err) == (0, "")
    assert out == f"导入成功（上传编号 1）：新增 2 行，替换 0 行，未变化 0 行。数据库：{db}\n"


def test_the_command_line_prints_every_problem_on_its_own_line_and_exits_1(baseline, cli, tmp_path, make_xlsx, db):
    before = current(db), store.history(db).to_dict("records")
    path = tmp_path / "错.xlsx"
    path.write_bytes(make_xlsx({"东山": [VH, ["东山村", "2026-12", "五"], ["月亮村", "2025-03"]]}))

    code, out, err = cli("import", str(path))

    assert code == 1
    assert sorted(out.splitlines()) == [
        "文件「错.xlsx」，工作表「东山」，第2行，B「月份」列：值“2026-12”是未来的月份。只能填报本月及以前的月份，请检查年份和月份。",
        "文件「错.xlsx」，工作表「东山」，第2行，C「受理矛盾纠纷」列：值“五”不是数字。请填写阿拉伯数字；不适用或未统计请留空，不要填“/”“无”或文字。",
        "文件「错.xlsx」，工作表「东山」，第3行，A「村委会」列：值“月亮村”不是已配置的村。请填写已配置的名称之一：东山村、西河村、南坝村、龙潭村、龙潭村；如确为新单位，请联系管理员添加。",
    ]
    assert err == "导入被拒绝：共 3 处问题，未写入任何数据。\n"
    assert (current(db), store.history(db).to_dict("records")) == before


@pytest.mark.parametrize("args, says", [
    ([], "参数错误"),
    (["导入"], "参数错误"),
    (["import"], "参数错误"),
    (["rollback", "一"], "参数错误"),
    (["import", "不存在.xlsx"], "文件「不存在.xlsx」不存在"),
])
def test_a_usage_error_exits_2_with_a_chinese_message(args, says, cli):
    code, out, err = cli(*args)

    assert code == 2
    assert says in err


@pytest.mark.parametrize("args", [[], ["导入"], ["rollback", "一"]])
def test_a_usage_error_is_worded_in_chinese(args, cli):
    code, out, err = cli(*args)

    assert code == 2
    assert not re.search(r"\b(usage|the following|required|invalid|argument|choose)\b", err), err


def test_history_and_rollback_work_from_the_command_line(baseline, cli):
    assert cli("rollback", "1") == (0, "已撤销第1次上传：移除 5 行，恢复 0 行。\n", "")
    code, out, err = cli("history")
    assert code == 0 and "基线.xlsx" in out and "撤销" in out
    assert cli("rollback", "1")[0] == 1


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def run_cli_while_held(db: Path, file: Path, seconds: float) -> subprocess.CompletedProcess:
    """`python -m data import` in its own process while another process holds the database."""
    env = {**os.environ, "FAZHI_CONFIG": str(FIXTURES)}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        return subprocess.run([sys.executable, "-m", "data", "--db", str(db), "import", str(file)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    finally:
        holder.kill()
        holder.wait()


def test_the_command_line_waits_for_a_brief_hold_on_the_database_and_imports(baseline, tmp_path, make_xlsx, db):
    path = tmp_path / "三月.xlsx"
    path.write_bytes(march(make_xlsx, received_east=6))

    done = run_cli_while_held(db, path, 2.5)  # longer than the command takes to start, shorter than 5 s

    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("导入成功（上传编号 2）：新增 0 行，替换 1 行，未变化 1 行。")


def test_the_command_line_gives_up_on_a_long_hold_with_a_chinese_message_and_exit_1(baseline, tmp_path, make_xlsx, db, snapshot):
    path = tmp_path / "三月.xlsx"
    path.write_bytes(march(make_xlsx, received_east=6))

    done = run_cli_while_held(db, path, 30)

    assert done.returncode == 1
    assert done.stderr == f"错误：数据库文件 {db} 正被另一个程序占用（已等待 5 秒），请稍后再试\n"
    assert snapshot() == baseline


def test_rolling_back_an_upload_never_undoes_a_later_one_that_resent_the_same_figures(do_import, make_xlsx, db):
    do_import(Upload("三月.xlsx", march(make_xlsx)))
    second = do_import(Upload("更正.xlsx", march(make_xlsx, received_east=9)))
    do_import(Upload("再报.xlsx", march(make_xlsx, received_east=9, name_suffix="2")))  # same figures again

    with pytest.raises(store.RollbackRefused, match="已被之后的第3次上传替换"):
        store.rollback(second.upload_id, db)
    assert dict(zip(*zip(*[(r["unit"], r["disputes_received"]) for r in figures(db)["village_monthly"]]))) == {
        "V01": 9, "V02": 3}


def test_the_sample_cannot_be_loaded_over_real_uploads(do_import, make_xlsx, db):
    do_import(Upload("三月.xlsx", march(make_xlsx)))
    before = figures(db)

    from data.sample import load_sample

    result = load_sample(db)

    assert not result.ok and "已有真实上传的数据" in result.problems[0].line()
    assert figures(db) == before
