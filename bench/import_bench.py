"""Import throughput on a large generated workbook, against a bare pd.read_excel(engine="calamine").

Not a test: run `python bench/import_bench.py [--villages 2000] [--months 24]` and copy the numbers
into the README. Uses its own units configuration (many villages) and a throw-away database.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_config(directory: Path, villages: int) -> None:
    lines = ['[[townships]]\ncode = "t"\nname = "测试镇"\n']
    for i in range(villages):
        lines.append(f'[[units]]\ncode = "V{i:05d}"\nname = "测试{i:05d}村"\nkind = "village"\ntownship = "t"\n')
    (directory / "units.toml").write_text("\n".join(lines), encoding="utf-8")
    shutil.copy(ROOT / "config" / "assessment.toml", directory / "assessment.toml")


def make_workbook(path: Path, villages: int, months: int) -> int:
    import openpyxl

    from data.schema import TEMPLATES

    template = TEMPLATES["village_monthly"]
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("村级法治工作月报")
    ws.append([f"{c.header}({c.unit})" if c.unit else c.header for c in template.columns])
    n = 0
    for m in range(months):
        month = f"{2023 + m // 12}-{m % 12 + 1:02d}"
        for v in range(villages):
            r = (v * 7 + m * 13) % 11
            ws.append([f"测试{v:05d}村", month, r + 2, r + 1, r // 2, 30 + r, 5, 20 + r, 4, 25, 2, 300 + r,
                       20, 19, 15, r % 2])
            n += 1
    wb.save(path)
    return n


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--villages", type=int, default=2000)
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    make_config(work, args.villages)
    os.environ["FAZHI_CONFIG"] = str(work)

    import pandas as pd

    from data import store
    from data.config import load_units
    from data.importer import Upload, read_uploads

    book = work / "big.xlsx"
    rows = make_workbook(book, args.villages, args.months)
    data = book.read_bytes()
    units = load_units()
    today = dt.date(2026, 11, 26)
    bare = best_of(args.runs, lambda: pd.read_excel(book, engine="calamine", sheet_name=None))
    parse = best_of(args.runs, lambda: read_uploads([Upload(book.name, data)], units, today))

    databases = []
    for i in range(args.runs):  # the product's database exists: create each one empty, untimed
        databases.append(work / f"bench-{i}.duckdb")
        store.history(databases[-1])

    def full():
        result = store.import_files([Upload(book.name, data)], databases.pop(), units=units, today=today)
        assert result.ok and result.added == rows, result.problems[:3]

    whole = best_of(args.runs, full)
    cells = rows * 16
    print(f"workbook: {rows:,} rows × 16 columns = {cells:,} cells, {len(data) / 1e6:.1f} MB")
    print(f"bare pd.read_excel(engine='calamine'): {bare:.2f} s")
    print(f"read + validate (data.importer):       {parse:.2f} s  ({parse / bare:.2f}×)")
    print(f"whole import into an empty database:   {whole:.2f} s  ({whole / bare:.2f}×, {rows / whole:,.0f} rows/s)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
