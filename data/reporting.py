"""Who has reported which month (SPEC §7 填报), and what an upload would change, as tables.

A month's report is due on `late_day` of the next month (config/reporting.toml). A unit has
reported a month when a current row for it exists; it counts as on time when the first
surviving version of that row came in by the deadline, so a later correction does not turn an
on-time report into a late one. Sample uploads always count as on time.
"""
from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import lru_cache
from pathlib import Path

import pandas as pd

from data import store
from data.config import CONFIG_DIR, TZ, Units, load_units
from data.store import BatchPlan

REPORTED, LATE, MISSING, NOT_DUE = "已报", "逾期补报", "未报", "未到期"
STATES = (REPORTED, LATE, MISSING, NOT_DUE)
MONTHLY_TEMPLATES = ("village_monthly", "department_monthly")
DEFAULT_LATE_DAY = 10
BLANK = "（空）"


@lru_cache(maxsize=4)
def _late_day(path: Path, mtime: float) -> int:
    with open(path, "rb") as f:
        value = tomllib.load(f).get("late_day", DEFAULT_LATE_DAY)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 28:
        raise ValueError(f"{path}：late_day 应为 1 到 28 之间的整数，现在是 {value!r}")
    return value


def configured_late_day(path: Path | None = None) -> int:
    """The deadline day of the next month, from config/reporting.toml (10 when the file is absent)."""
    path = Path(path or CONFIG_DIR / "reporting.toml")
    if not path.exists():
        return DEFAULT_LATE_DAY
    return _late_day(path, path.stat().st_mtime)


def deadline(month: dt.date, late_day: int) -> dt.date:
    """The last day on which the report for `month` is on time."""
    index = month.year * 12 + month.month  # the next month, counted from year 0
    return dt.date(index // 12, index % 12 + 1, late_day)


def _first_reports(first: dt.date, last: dt.date, db) -> dict[tuple[str, dt.date], tuple[bool, dt.datetime | None]]:
    """(unit, month) -> (any sample version, first real upload time) over surviving versions."""
    union = " UNION ALL ".join(
        f"SELECT unit, month, upload_id FROM {t}_rows WHERE NOT retracted AND month BETWEEN ? AND ?"
        for t in MONTHLY_TEMPLATES)
    with store.connect(db) as con:
        found = con.execute(f"""
            SELECT r.unit, r.month, bool_or(u.sample), min(u.uploaded_at) FILTER (WHERE NOT u.sample)
            FROM ({union}) r JOIN uploads u ON u.id = r.upload_id
            GROUP BY ALL""", [first, last] * len(MONTHLY_TEMPLATES)).fetchall()
    return {(unit, month): (sample, at) for unit, month, sample, at in found}


def _state(found, due: dt.date, today: dt.date) -> str:
    if found is None:
        return MISSING if today > due else NOT_DUE
    sample, at = found
    return REPORTED if sample or at.date() <= due else LATE


def status_matrix(year: int, db=None, today: dt.date | None = None, late_day: int | None = None,
                  units: Units | None = None) -> pd.DataFrame:
    """Unit code × month number (1–12) of `year`, each cell 已报, 逾期补报, 未报 or 未到期.

    late_day None reads config/reporting.toml; today defaults to today in the township's time zone.
    """
    units = units or load_units()
    today = today or dt.datetime.now(TZ).date()
    late_day = late_day or configured_late_day()
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    found = _first_reports(months[0], months[-1], db)
    cells = [[_state(found.get((u.code, m)), deadline(m, late_day), today) for m in months] for u in units.units]
    return pd.DataFrame(cells, index=pd.Index([u.code for u in units.units], name="unit"),
                        columns=pd.Index(range(1, 13), name="month"))


_LABEL = re.compile(r"^(\d{4})(?:[Qq]([1-4])|-(\d{1,2}))?$")


def _months_of(period) -> list[dt.date]:
    """A quarter's or year's months; for a month or a day, the months of its quarter."""
    if isinstance(period, str):
        m = _LABEL.match(period.strip())
        if not m:
            raise ValueError(f"无法识别的期间“{period}”，应写作 2025、2025Q1 或 2025-03")
        year, quarter, month = int(m[1]), m[2], m[3]
        if quarter is None and month is None:
            return [dt.date(year, k, 1) for k in range(1, 13)]
        first = 3 * int(quarter) - 2 if quarter else (int(month) - 1) // 3 * 3 + 1
        return [dt.date(year, first + k, 1) for k in range(3)]
    if getattr(period, "months", None) in (3, 12):
        return [dt.date(period.first.year, period.first.month + k, 1) for k in range(period.months)]
    day = getattr(period, "first", period)
    first = (day.month - 1) // 3 * 3 + 1
    return [dt.date(day.year, first + k, 1) for k in range(3)]


def quarter_completeness(period_or_quarter, db=None, today: dt.date | None = None,
                         late_day: int | None = None, units: Units | None = None) -> tuple[int, int, list[str]]:
    """(reported, expected, missing unit codes) for a quarter (or year) of unit-months that are due.

    Accepts a metrics Period, a label (2025Q1, 2025, 2025-03) or a date; a month means its quarter.
    Expected counts the unit-months whose deadline has passed plus any reported early.
    """
    units = units or load_units()
    months = _months_of(period_or_quarter)
    matrix = status_matrix(months[0].year, db, today, late_day, units)[[m.month for m in months]]
    reported = int(matrix.isin([REPORTED, LATE]).sum().sum())
    missing = matrix.eq(MISSING)
    return reported, reported + int(missing.sum().sum()), [code for code in matrix.index if missing.loc[code].any()]


# --- an upload's plan, as the preview shows it ------------------------------------------------


def show_value(value) -> str:
    """A stored value as a clerk wrote it: 12 not 12.0, dates as 2025-03-05, blank as （空）."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return BLANK
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        value = value.date()
    return str(value)


def _period_text(record: dict) -> str:
    if "month" in record:
        month = record["month"]
        return f"{month.year}年{month.month}月"
    if "date" in record:
        return show_value(record["date"])
    return f"{record['year']}年"


def change_table(plan: BatchPlan, units: Units | None = None) -> pd.DataFrame:
    """The values a replacing upload changes: one row per changed cell, old → new, as text."""
    units = units or load_units()
    names = {u.code: u.name for u in units.units}
    extra = [f for f in plan.template.identity if f not in ("unit", "month", "date", "year")]
    out = []
    for record in plan.changes.to_dict("records"):
        out.append({
            "unit": names.get(record["unit"], record["unit"]),
            "period": _period_text(record),
            "record": " ".join(show_value(record[f]) for f in extra),
            "header": record["header"],
            "old": show_value(record["old"]),
            "new": show_value(record["new"]),
        })
    frame = pd.DataFrame(out, columns=["unit", "period", "record", "header", "old", "new"])
    return frame if extra else frame.drop(columns="record")


def upload_files(db=None) -> pd.DataFrame:
    """Every stored file of every upload: upload_id, file_name, sha256, size."""
    with store.connect(db) as con:
        return con.execute("SELECT upload_id, file_name, sha256, size FROM upload_files "
                           "ORDER BY upload_id DESC, file_name").df()
