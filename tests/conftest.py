"""Shared fixtures: a throw-away database, the test units, a fixed today and an .xlsx builder."""
from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data import store
from data.config import load_units, originals_dir
from data.importer import Upload
from data.schema import TEMPLATES

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TODAY = dt.date(2026, 11, 26)
HEADERS = {name: [c.header for c in t.columns] for name, t in TEMPLATES.items()}


@pytest.fixture(scope="session")
def today() -> dt.date:
    """The clock the importer sees: uploads may cover November 2026 but not December."""
    return TODAY


@pytest.fixture(scope="session")
def units():
    """The units of tests/fixtures/units.toml (not the administrator's file)."""
    return load_units(FIXTURES / "units.toml")


@pytest.fixture
def db(tmp_path) -> Path:
    """A database file of this test's own; its uploaded originals go beside it."""
    return tmp_path / "fazhi.duckdb"


def make_xlsx(rows_by_sheet: dict[str, list[list]], merged: dict[str, list[str]] | None = None) -> bytes:
    """An .xlsx with one sheet per key, the rows appended from A1; datetimes become date cells."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in rows_by_sheet.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for cells in (merged or {}).get(name, []):
            ws.merge_cells(cells)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(name="make_xlsx")
def make_xlsx_fixture():
    return make_xlsx


@pytest.fixture
def do_import(db, units, today):
    """import_files against the test database, units and today."""
    def run(*uploads: Upload, **kw) -> store.ImportResult:
        return store.import_files(list(uploads), db, units=units, today=today, **kw)
    return run


def _records(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(_plain(v) for v in rec) for rec in frame.astype(object).itertuples(index=False)]


def _plain(value):
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    return None if pd.isna(value) else value


@pytest.fixture
def stored(db):
    """The current rows of a template as plain tuples in field order (dates as date, blanks as None)."""
    def read(template: str, *fields: str) -> list[tuple]:
        frame = store.rows(template, db=db)
        return _records(frame[list(fields or TEMPLATES[template].fields)])
    return read


def state_of(db) -> dict:
    """Everything the database holds, as plain values that compare with ==.

    Every version of every row (current, superseded and retracted), the upload log, the kept
    originals and the file's own stamp: if these are equal, every query answers as before.
    """
    shot = {"file": store.data_version(db)}
    with store.connect(db) as con:
        for table in [f"{name}_rows" for name in TEMPLATES] + ["uploads", "upload_files"]:
            shot[table] = _records(con.execute(f"SELECT * FROM {table} ORDER BY ALL").df())
    originals = originals_dir(db)
    shot["originals"] = sorted(p.name for p in originals.iterdir()) if originals.exists() else []
    return shot


@pytest.fixture
def snapshot(db):
    """state_of the test database, taken when called."""
    return lambda: state_of(db)


@pytest.fixture(scope="session")
def baseline_file(tmp_path_factory, units, today) -> tuple[Path, dict]:
    """A database after a first good upload of all four templates, built once and copied per test."""
    v, d = HEADERS["village_monthly"], HEADERS["department_monthly"]
    book = make_xlsx({
        "村级": [v,
                 ["东山村", "2025-03", 5, 4, 2, 7, 5, 9, 4, 20, 2, 150, 30, 29, 6, 1],
                 ["西河村", "2025-03", 3, 3, 0, 6, 4, 2, 0, 8, 1, 60, None, None, 1, 0]],
        "镇直": [d, ["司法所", "2025-03", 1, 2, 2, 2, 6, 5, 12, 3, 4, 20, 19, 1, 8, 0, 5, 5, 40, 39]],
        "培训": [HEADERS["training_ledger"], ["2025-03-05", "司法所", "民法典专题讲座", "法治讲堂", 2, 45, 40, 96.5]],
        "评议": [HEADERS["appraisal_scores"], [2025, "东山村", "群众代表", "R01", 92]],
    })
    path = tmp_path_factory.mktemp("baseline") / "fazhi.duckdb"
    result = store.import_files([Upload("基线.xlsx", book)], path, user="管理员", units=units, today=today)
    assert result.ok, [p.line() for p in result.problems]
    assert (result.added, result.upload_id) == (5, 1)
    return path, state_of(path)


@pytest.fixture
def baseline(baseline_file, db) -> dict:
    """The test database starts as the baseline upload; returns everything it holds (state_of)."""
    path, state = baseline_file
    shutil.copy2(path, db)  # copy2 keeps the file's stamp, part of the state
    shutil.copytree(originals_dir(path), originals_dir(db))
    return state
