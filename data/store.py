"""The DuckDB store: current figures, every earlier version, the upload log and the originals.

Each template has a `<name>_rows` table holding every version of every row; the view
`<name>` shows the current ones. An upload supersedes the rows it replaces (never deletes
them), so a rollback restores exactly what was there. The database is opened only for the
length of one operation, so the dashboard and the command line can share the file.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from data.config import TZ, Units, db_path, load_units, originals_dir
from data.importer import Problem, Upload, read_uploads
from data.schema import TEMPLATES, Template

BUSY_WAIT_SECONDS = 5.0
META = ("upload_id", "file_name", "sheet", "excel_row")
_SQL_TYPES = {"unit": "VARCHAR", "month": "DATE", "date": "DATE", "year": "INTEGER", "int": "BIGINT",
              "number": "DOUBLE", "text": "VARCHAR", "choice": "VARCHAR"}


class StoreBusy(Exception):
    """The database file is held by another program for longer than we wait."""


class RollbackRefused(Exception):
    """A rollback that cannot restore exactly what was there."""


def _ddl() -> list[str]:
    statements = [
        "CREATE SEQUENCE IF NOT EXISTS upload_ids START 1",
        """CREATE TABLE IF NOT EXISTS uploads (
            id INTEGER PRIMARY KEY, uploaded_at TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL,
            sample BOOLEAN NOT NULL DEFAULT FALSE, rows_added INTEGER NOT NULL,
            rows_replaced INTEGER NOT NULL, rows_unchanged INTEGER NOT NULL,
            rolled_back_at TIMESTAMP, rolled_back_by VARCHAR)""",
        """CREATE TABLE IF NOT EXISTS upload_files (
            upload_id INTEGER NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
            size BIGINT NOT NULL, stored_as VARCHAR NOT NULL)""",
    ]
    for t in TEMPLATES.values():
        cols = ", ".join(f"{c.field} {_SQL_TYPES[c.kind]}" for c in t.columns)
        statements.append(
            f"""CREATE TABLE IF NOT EXISTS {t.name}_rows ({cols}, upload_id INTEGER NOT NULL,
                file_name VARCHAR, sheet VARCHAR, excel_row INTEGER,
                superseded_by INTEGER, retracted BOOLEAN NOT NULL DEFAULT FALSE)""")
        statements.append(
            f"""CREATE VIEW IF NOT EXISTS {t.name} AS SELECT * EXCLUDE (superseded_by, retracted)
                FROM {t.name}_rows WHERE superseded_by IS NULL AND NOT retracted""")
    return statements


def _open(db, wait: float | None = None):
    """Open the database, waiting for a busy file, then saying so in Chinese; the schema is ensured."""
    wait = BUSY_WAIT_SECONDS if wait is None else wait
    path = db_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise
            if time.monotonic() >= deadline:
                raise StoreBusy(f"数据库文件 {path} 正被另一个程序占用（已等待 {wait:g} 秒），请稍后再试") from None
            time.sleep(0.1)
    try:
        if not con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'appraisal_scores'").fetchall()[0][0]:
            for statement in _DDL:
                con.execute(statement)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def connect(db: str | os.PathLike | None = None, wait: float | None = None, opening: Future | None = None):
    """A connection for one operation (or the one `opening` is already opening in the background)."""
    con = opening.result() if opening is not None else _open(db, wait)  # noqa: the future's own errors surface here
    try:
        yield con
    finally:
        con.close()


_DDL = _ddl()


def data_version(db: str | os.PathLike | None = None) -> tuple:
    """Changes whenever the database file changes: the key for the dashboard's caches."""
    path = db_path(db)
    stamps = []
    for p in (path, Path(str(path) + ".wal")):
        try:
            st = p.stat()
            stamps.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            stamps.append(None)
    return tuple(stamps)


def _now() -> dt.datetime:
    return dt.datetime.now(TZ).replace(tzinfo=None, microsecond=0)


# --- planning: what an upload would add and replace ------------------------------------------


@dataclass
class BatchPlan:
    """What one recognised sheet would do to the store."""

    file: str
    sheet: str
    template: Template
    units: list[str]  # unit codes
    periods: list[str]
    added: int
    replaced: int
    unchanged: int
    changes: pd.DataFrame  # identity fields, field, header, old, new — for replaced rows


@dataclass
class ImportResult:
    ok: bool
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plans: list[BatchPlan] = field(default_factory=list)
    upload_id: int | None = None

    @property
    def added(self) -> int:
        return sum(p.added for p in self.plans)

    @property
    def replaced(self) -> int:
        return sum(p.replaced for p in self.plans)

    @property
    def unchanged(self) -> int:
        return sum(p.unchanged for p in self.plans)


def _stage(con, batch_frames: list[pd.DataFrame], template: Template) -> None:
    frame = pd.concat(batch_frames, ignore_index=True)
    con.register("incoming", frame)
    cols = ", ".join(f"CAST({c.field} AS {_SQL_TYPES[c.kind]}) AS {c.field}" for c in template.columns)
    ids = " AND ".join(f"cur.{f} = s.{f}" for f in template.identity)
    differs = " OR ".join(f"cur.{f} IS DISTINCT FROM s.{f}" for f in template.value_fields)
    con.execute("DROP TABLE IF EXISTS stage")
    con.execute(f"CREATE TEMP TABLE stage AS SELECT {cols}, batch, file_name, sheet, excel_row FROM incoming")
    con.unregister("incoming")
    con.execute("""ALTER TABLE stage ADD COLUMN status VARCHAR""")
    con.execute(f"""UPDATE stage s SET status = CASE
        WHEN NOT EXISTS (SELECT 1 FROM {template.name} cur WHERE {ids}) THEN 'added'
        WHEN EXISTS (SELECT 1 FROM {template.name} cur WHERE {ids} AND ({differs})) THEN 'replaced'
        ELSE 'unchanged' END""")


def _plan_template(con, template: Template, batches) -> list[BatchPlan]:
    frames = []
    for i, batch in enumerate(batches):
        frame = batch.frame.copy()
        frame["batch"] = i
        frame["file_name"] = batch.file
        frame["sheet"] = batch.sheet
        frame["excel_row"] = batch.rows
        frames.append(frame)
    _stage(con, frames, template)
    counts = con.execute("SELECT batch, status, count(*) FROM stage GROUP BY ALL").fetchall()
    ids = ", ".join(f"s.{f}" for f in template.identity)
    join = " AND ".join(f"cur.{f} = s.{f}" for f in template.identity)
    olds = con.execute(f"""SELECT s.batch, {ids}, {', '.join(f'cur.{f} AS old_{f}, s.{f} AS new_{f}' for f in template.value_fields)}
        FROM stage s JOIN {template.name} cur ON {join} WHERE s.status = 'replaced' ORDER BY s.batch, s.excel_row""").df()
    plans = []
    for i, batch in enumerate(batches):
        by_status = {status: n for b, status, n in counts if b == i}
        changes = []
        for rec in olds[olds["batch"] == i].to_dict("records"):
            for f in template.value_fields:
                old, new = rec[f"old_{f}"], rec[f"new_{f}"]
                if not (pd.isna(old) and pd.isna(new)) and (pd.isna(old) or pd.isna(new) or old != new):
                    changes.append({**{k: rec[k] for k in template.identity}, "field": f,
                                    "header": template.column(f).header,
                                    "old": None if pd.isna(old) else old, "new": None if pd.isna(new) else new})
        periods = sorted({_period_label(v) for v in batch.frame[template.period_field].drop_duplicates()})
        plans.append(BatchPlan(batch.file, batch.sheet, template, sorted(set(batch.frame["unit"])), periods,
                               by_status.get("added", 0), by_status.get("replaced", 0), by_status.get("unchanged", 0),
                               pd.DataFrame(changes, columns=[*template.identity, "field", "header", "old", "new"])))
    return plans


def _period_label(value) -> str:
    if isinstance(value, (dt.date, pd.Timestamp)):
        return f"{value.year}-{value.month:02d}"
    return str(value)


# --- the public operations -------------------------------------------------------------------


def import_files(uploads: list[Upload], db=None, *, user: str = "cli", sample: bool = False,
                 commit: bool = True, units: Units | None = None, today: dt.date | None = None,
                 allowed_units: set[str] | None = None, allowed_templates: set[str] | None = None) -> ImportResult:
    """Validate all files, then write all of them in one transaction, or nothing.

    commit=False only plans (the preview); allowed_units restricts a clerk to their own units.
    """
    units = units or load_units()
    # Opening the database overlaps reading the files; a database that does not exist yet is only
    # created once the upload has passed every check.
    opening = _OPENER.submit(_open, db) if db_path(db).exists() else None
    try:
        parsed = read_uploads(uploads, units, today)
    except BaseException:
        _close_when_open(opening)
        raise
    problems = list(parsed.problems)
    if allowed_templates is not None:
        for batch in parsed.batches:
            if batch.template.name not in allowed_templates:
                problems.append(Problem(batch.file, f"“{batch.template.title}”只能由管理员上传",
                                        "请把评议打分表交给党政办或司法所的管理员上传", batch.sheet))
    if allowed_units is not None:
        for batch in parsed.batches:
            for code, row in zip(batch.frame["unit"], batch.rows):
                if code not in allowed_units:
                    name = next(u.name for u in units.units if u.code == code)
                    problems.append(Problem(batch.file, f"包含其他单位（{name}）的数据，您只能上传本单位的数据",
                                            "请删除不属于本单位的行后再上传", batch.sheet, row, batch.columns.get("unit"),
                                            name))
    if not problems and not any(len(b.frame) for b in parsed.batches):
        names = "、".join(dict.fromkeys(u.name for u in uploads)) or "（全部文件）"
        problems = [Problem(names, "只有表头，没有可导入的数据行", "请在表头下方填写数据后再上传")]
    if problems:
        _close_when_open(opening)
        return ImportResult(False, problems, parsed.notes)
    with connect(db, opening=opening) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            if sample and con.execute("SELECT count(*) FROM uploads WHERE NOT sample AND rolled_back_at IS NULL"
                                      ).fetchall()[0][0]:
                # Sample rows replacing real ones could not be removed cleanly later.
                con.execute("ROLLBACK")
                return ImportResult(False, [Problem("示例数据", "数据库中已有真实上传的数据，不能再载入示例数据",
                                                    "示例数据只用于空数据库的演示")], parsed.notes)
            upload_id = con.execute("SELECT nextval('upload_ids')").fetchall()[0][0] if commit else None
            plans: list[BatchPlan] = []
            for template in TEMPLATES.values():
                batches = [b for b in parsed.batches if b.template is template]
                if batches:
                    plans += _plan_template(con, template, batches)
                    if commit:
                        _apply(con, template, upload_id)
            result = ImportResult(True, [], parsed.notes, plans)
            if not commit:
                con.execute("ROLLBACK")
                return result
            con.execute("INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                        [upload_id, _now(), user, sample, result.added, result.replaced, result.unchanged])
            store_dir = originals_dir(db_path(db))
            for upload in uploads:
                stored = _keep_original(store_dir, upload)
                con.execute("INSERT INTO upload_files VALUES (?, ?, ?, ?, ?)",
                            [upload_id, upload.name, upload.sha256, len(upload.data), stored])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    result.upload_id = upload_id
    return result


_OPENER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fazhi-open")


def _close_when_open(opening: Future | None) -> None:
    """A rejected upload does not wait for the database; it is closed once it has opened."""
    if opening is not None:
        opening.add_done_callback(lambda f: f.exception() is None and f.result().close())


def _apply(con, template: Template, upload_id: int) -> None:
    """Write a new version of every row the upload carried, unchanged ones included: the upload then
    owns them, so rolling back an earlier upload can never silently undo a later one."""
    join = " AND ".join(f"r.{f} = s.{f}" for f in template.identity)
    con.execute(f"""UPDATE {template.name}_rows r SET superseded_by = ? FROM stage s
        WHERE {join} AND s.status <> 'added' AND r.superseded_by IS NULL AND NOT r.retracted""", [upload_id])
    fields = ", ".join(template.fields)
    con.execute(f"""INSERT INTO {template.name}_rows ({fields}, upload_id, file_name, sheet, excel_row)
        SELECT {fields}, ?, file_name, sheet, excel_row FROM stage""", [upload_id])


def _keep_original(store_dir: Path, upload: Upload) -> str:
    """The uploaded bytes, kept once per content under their SHA-256; never overwritten."""
    store_dir.mkdir(parents=True, exist_ok=True)
    name = upload.sha256 + upload.suffix
    target = store_dir / name
    if not target.exists():
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(upload.data)
        tmp.replace(target)
    return name


def original(upload_id: int, file_name: str, db=None) -> bytes:
    """The bytes of a file exactly as it was uploaded."""
    with connect(db) as con:
        row = con.execute("SELECT stored_as FROM upload_files WHERE upload_id = ? AND file_name = ?",
                          [upload_id, file_name]).fetchall()
        row = row[0] if row else None
    if row is None:
        raise KeyError(f"第{upload_id}次上传中没有文件「{file_name}」")
    return (originals_dir(db_path(db)) / row[0]).read_bytes()


def rollback(upload_id: int, db=None, *, user: str = "cli") -> dict:
    """Undo one upload: its rows are retracted and the rows it replaced are current again."""
    with connect(db) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            row = next(iter(con.execute("SELECT rolled_back_at FROM uploads WHERE id = ?", [upload_id]).fetchall()), None)
            if row is None:
                raise RollbackRefused(f"没有编号为 {upload_id} 的上传记录")
            if row[0] is not None:
                raise RollbackRefused(f"第{upload_id}次上传已于 {row[0]:%Y-%m-%d %H:%M} 撤销过")
            later = sorted({r[0] for t in TEMPLATES for r in con.execute(
                f"SELECT DISTINCT superseded_by FROM {t}_rows WHERE upload_id = ? AND superseded_by IS NOT NULL "
                "AND NOT retracted", [upload_id]).fetchall()})
            if later:
                ids = "、".join(f"第{i}次" for i in later)
                raise RollbackRefused(f"第{upload_id}次上传的部分数据已被之后的{ids}上传替换；"
                                      f"请先撤销{ids}上传，才能准确恢复")
            restored = removed = 0
            for t in TEMPLATES:
                removed += con.execute(f"UPDATE {t}_rows SET retracted = TRUE WHERE upload_id = ? AND NOT retracted",
                                       [upload_id]).fetchall()[0][0]
                restored += con.execute(f"UPDATE {t}_rows SET superseded_by = NULL WHERE superseded_by = ?",
                                        [upload_id]).fetchall()[0][0]
            con.execute("UPDATE uploads SET rolled_back_at = ?, rolled_back_by = ? WHERE id = ?",
                        [_now(), user, upload_id])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return {"upload_id": upload_id, "removed": removed, "restored": restored}


def upload_units(upload_id: int, db=None) -> set[str]:
    """The unit codes of every row an upload wrote."""
    with connect(db) as con:
        return {r[0] for t in TEMPLATES for r in con.execute(
            f"SELECT DISTINCT unit FROM {t}_rows WHERE upload_id = ?", [upload_id]).fetchall()}


def remove_sample(db=None) -> int:
    """Delete every sample upload and its rows in one step; real uploads stay as they are."""
    with connect(db) as con:
        con.execute("BEGIN TRANSACTION")
        ids = [r[0] for r in con.execute("SELECT id FROM uploads WHERE sample").fetchall()]
        if ids:
            for t in TEMPLATES:
                con.execute(f"DELETE FROM {t}_rows WHERE list_contains(?, upload_id)", [ids])
                con.execute(f"UPDATE {t}_rows SET superseded_by = NULL WHERE list_contains(?, superseded_by)", [ids])
            con.execute("DELETE FROM upload_files WHERE list_contains(?, upload_id)", [ids])
            con.execute("DELETE FROM uploads WHERE list_contains(?, id)", [ids])
        con.execute("COMMIT")
    return len(ids)


def history(db=None) -> pd.DataFrame:
    """Every upload, newest first, with its files."""
    with connect(db) as con:
        return con.execute("""
            SELECT u.id, u.uploaded_at, u.user_name, u.sample, u.rows_added, u.rows_replaced, u.rows_unchanged,
                   u.rolled_back_at, u.rolled_back_by,
                   string_agg(f.file_name, '、' ORDER BY f.file_name) AS files,
                   string_agg(f.sha256, ' ' ORDER BY f.file_name) AS sha256
            FROM uploads u LEFT JOIN upload_files f ON f.upload_id = u.id
            GROUP BY ALL ORDER BY u.id DESC""").df()


def has_sample(db=None) -> bool:
    with connect(db) as con:
        return con.execute("SELECT count(*) FROM uploads WHERE sample AND rolled_back_at IS NULL").fetchall()[0][0] > 0


def months_with_data(db=None) -> list[dt.date]:
    """Months that hold at least one current monthly report, oldest first."""
    with connect(db) as con:
        return [r[0] for r in con.execute(
            "SELECT month FROM village_monthly UNION SELECT month FROM department_monthly "
            "UNION SELECT date_trunc('month', date)::DATE FROM training_ledger ORDER BY 1").fetchall()]


def rows(template: str, first: dt.date | None = None, last: dt.date | None = None, db=None,
         with_meta: bool = False) -> pd.DataFrame:
    """Current rows of one template whose month (or date, or year) falls in [first, last]."""
    t = TEMPLATES[template]
    key = t.period_field
    if key != "year":
        where, args = f"{key} BETWEEN ? AND ?", [first or dt.date(1900, 1, 1), _month_end(last) if last else dt.date(9999, 12, 31)]
    else:
        where, args = "year BETWEEN ? AND ?", [first.year if first else 0, last.year if last else 9999]
    cols = ", ".join(t.fields + (list(META) if with_meta else []))
    with connect(db) as con:
        return con.execute(f"SELECT {cols} FROM {t.name} WHERE {where} ORDER BY ALL", args).df()


def _month_end(month: dt.date) -> dt.date:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)
