"""Round trip: each generated template, filled by a test with openpyxl and separately saved through
LibreOffice (`soffice --headless --convert-to`), imports cleanly.

A clerk downloads a template, types a few rows in Excel, WPS or LibreOffice and uploads it; the
file that comes back is the template as rewritten by that program. openpyxl stands in for the
typing; LibreOffice rewrites the filled file as .xlsx, .ods and .xls. Every version must import
with nothing but the typed rows, and the same rows.
"""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
from pathlib import Path

import openpyxl
import pytest

from data import store
from data.importer import Upload, norm_header
from data.schema import TEMPLATES
from data.template_xlsx import write_template

D = dt.date
TODAY = dt.date(2026, 11, 26)
SOFFICE_TIMEOUT = 120
FORMATS = ("xlsx", "ods", "xls")  # what LibreOffice saves the filled template as
SOURCES = ("openpyxl", *(f"libreoffice.{f}" for f in FORMATS))

# What the clerk types, cell by cell in the template's column order, and what the store must then hold.
TYPED = {
    "village_monthly": [
        ["东山村", "2025-10", 5, 4, 1, 7, 5, 9, 4.5, 20, 2, 150, 30, 29, 6, 1],
        ["西河村", "2025-10", 3, 3, 0, 6, 4, 2, 0, 8, 1, 60, None, None, 1, 0],
        ["东山村", "2025-11", 0, 0, 0, 7, 5, 3, 2, 11, 0, 0, 12, 12, 2, 1],
    ],
    "department_monthly": [
        ["司法所", "2025-03", 1, 2, 2, 2, 6, 5, 12, 3, 4, 20, 19, 1, 8, 0, 5, 5, 40, 39],
        ["政务服务中心", "2026-10", *[None] * 16, 120, 118],
    ],
    "training_ledger": [
        [D(2025, 3, 5), "司法所", "民法典专题讲座", "法治讲堂", 2, 45, 40, 96.5],
        [D(2025, 10, 12), "党政办公室", "中心组学法（第四季度）", "中心组学法", 1.5, 18, None, None],
        [D(2026, 11, 20), "东山村", "调解员业务培训", "调解员培训", 3, 25, 25, 98],
    ],
    "appraisal_scores": [
        [2025, "东山村", "群众代表", "R01", 92],
        [2025, "司法所", "人大代表", "R02", 88.5],
    ],
}
STORED = {
    "village_monthly": [
        ("V01", D(2025, 10, 1), 5, 4, 1, 7, 5, 9, 4.5, 20, 2, 150, 30, 29, 6, 1),
        ("V01", D(2025, 11, 1), 0, 0, 0, 7, 5, 3, 2.0, 11, 0, 0, 12, 12, 2, 1),
        ("V02", D(2025, 10, 1), 3, 3, 0, 6, 4, 2, 0.0, 8, 1, 60, None, None, 1, 0),
    ],
    "department_monthly": [
        ("D02", D(2025, 3, 1), 1, 2, 2, 2, 6, 5, 12, 3, 4, 20, 19, 1, 8, 0, 5, 5, 40, 39),
        ("D06", D(2026, 10, 1), *[None] * 16, 120, 118),
    ],
    "training_ledger": [
        (D(2025, 3, 5), "D02", "民法典专题讲座", "法治讲堂", 2.0, 45, 40, 96.5),
        (D(2025, 10, 12), "D01", "中心组学法（第四季度）", "中心组学法", 1.5, 18, None, None),
        (D(2026, 11, 20), "V01", "调解员业务培训", "调解员培训", 3.0, 25, 25, 98.0),
    ],
    "appraisal_scores": [
        (2025, "D02", "人大代表", "R02", 88.5),
        (2025, "V01", "群众代表", "R01", 92.0),
    ],
}


def fill(name: str, path: Path) -> None:
    """The blank template `name`, with TYPED[name] entered below its header, saved to path."""
    write_template(name, path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    header = [norm_header(c.value) for c in ws[1]]
    assert header == [c.header for c in TEMPLATES[name].columns]  # so the typed order is the header order
    for r, values in enumerate(TYPED[name], start=2):
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    wb.save(path)


def soffice_convert(files: list[Path], fmt: str, outdir: Path) -> None:
    """All files to fmt in one LibreOffice run, with a profile of its own so parallel runs do not clash."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is not installed: the round-trip test needs it; "
                    "install libreoffice-calc-nogui (.ci/run does)", pytrace=False)
    profile = Path(f"/tmp/lo-profile-{uuid.uuid4()}")
    try:
        done = subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}", "--convert-to", fmt,
             "--outdir", str(outdir), *map(str, files)],
            check=False, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    missing = [f.name for f in files if not (outdir / f"{f.stem}.{fmt}").exists()]
    assert done.returncode == 0 and not missing, (
        f"soffice --convert-to {fmt} failed (exit {done.returncode}, missing {missing}):\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> Path:
    """A folder with every template filled by openpyxl: <name>.xlsx."""
    folder = tmp_path_factory.mktemp("openpyxl")
    for name in TEMPLATES:
        fill(name, folder / f"{name}.xlsx")
    return folder


@pytest.fixture(scope="module")
def saved(filled, tmp_path_factory) -> dict[str, Path]:
    """The filled files and the same files as LibreOffice saves them: {source: folder of <name>.<format>}."""
    folders = {"openpyxl": filled}
    for fmt in FORMATS:
        folders[f"libreoffice.{fmt}"] = tmp_path_factory.mktemp(fmt)
        soffice_convert(sorted(filled.glob("*.xlsx")), fmt, folders[f"libreoffice.{fmt}"])
    return folders


def test_every_template_is_round_tripped():
    assert sorted(TYPED) == sorted(STORED) == sorted(TEMPLATES)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("name", TEMPLATES)
def test_a_filled_template_imports_exactly_the_typed_rows(request, name, source, db, stored):
    folder = request.getfixturevalue("filled") if source == "openpyxl" else request.getfixturevalue("saved")[source]
    path = folder / f"{name}.{source.rsplit('.', 1)[-1] if '.' in source else 'xlsx'}"

    result = store.import_files([Upload(path.name, path.read_bytes())], db, today=TODAY)

    assert result.ok, [p.line() for p in result.problems]
    assert [(p.template.name, p.sheet, p.added, p.replaced) for p in result.plans] == [
        (name, TEMPLATES[name].title, len(TYPED[name]), 0)]
    assert stored(name) == STORED[name]


def test_the_templates_own_guide_and_option_sheets_are_skipped_without_a_note(filled, db):
    notes = {name: store.import_files([Upload(f"{name}.xlsx", (filled / f"{name}.xlsx").read_bytes())],
                                      db, commit=False, today=TODAY).notes
             for name in TEMPLATES}
    assert notes == {name: [] for name in TEMPLATES}
