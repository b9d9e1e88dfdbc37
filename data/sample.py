"""The bundled 2025 sample (SPEC §8): a generated year for the configured villages and departments.

The rows are generated once, deterministically, then written as the four templates, either
clean (the product's own headers) or as messy real-world exports; the sample is loaded from
the messy form through the same importer as any upload, so it also exercises that importer.
Yearly totals reproduce the 2025 report where it gives a figure; every dashboard figure is
computed from these rows.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import tempfile
from collections import Counter
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from data.config import Unit, Units, load_units, unit_key
from data.importer import Upload
from data.schema import APPRAISAL, DEPARTMENT, EVALUATOR_TYPES, TEMPLATES, TRAINING, VILLAGE, Template

YEAR = 2025
SEED = 2025
USER = "示例数据"
TOWNSHIP = "插甸镇"
MONTHS = [dt.date(YEAR, m, 1) for m in range(1, 13)]

# The report's figures (2025-annual-report.zh.txt) the sample's yearly totals reproduce.
DISPUTES = 136
MEDIATORS = 428  # year-end stock
LEGAL_LIAISONS = 60  # year-end stock
LIAISON_SERVICES = 412  # 400余次
CONSULTATIONS = 328  # 320余次
ASSISTED_VISITS = 214  # 200余次
PUBLICITY_BY_MONTH = {1: 1, 3: 6, 4: 1, 5: 1, 6: 7, 8: 1, 9: 1, 10: 1, 11: 1, 12: 8}  # 28, around 3·15, 6·26, 12·4
LEGAL_AID_MONTHS = (2, 4, 7, 9, 11)  # 5 screenings
PARTY_MEETING_MONTHS = (1, 3, 6, 8, 10, 12)  # 6 meetings
LAW_ITEMS = (1, 1, 2, 0, 1, 1, 2, 1, 0, 1, 1, 1)  # 12 items
MAJOR_DECISIONS = (0, 1, 1, 0, 1, 2, 0, 1, 1, 0, 1, 1)
EVALUATORS = {"人大代表": ("R", 3), "政协委员": ("Z", 2), "群众代表": ("Q", 5), "镇领导班子": ("L", 3)}

# Which village (by position in the configuration) plays which part; the default names in brackets.
HOTSPOTS = {2: 1.7, 8: 1.5, 5: 0.6}  # disputes cluster in 南坝村 and 松林村, 新民村 is quiet
LAGGARD = 7  # 石板村: satisfaction below 90% in most quarters
SITE_ALL_YEAR, SITE_FROM_JULY = 6, 0  # 龙潭村 has a culture site all year, 东山村 opens one in July


# --- generating the rows ------------------------------------------------------------------


def _draw(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """total items dropped one by one into the cells, with probability by weight: clustered counts."""
    counts = Counter(rng.choices(range(len(weights)), weights=weights, k=total))
    return [counts.get(i, 0) for i in range(len(weights))]


def _split(total: int, weights: list[float]) -> list[int]:
    """total split in proportion to weights, largest remainder first: exact and even."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: out[i] - raw[i])[: total - sum(out)]:
        out[i] += 1
    return out


def _quarter(month: dt.date) -> int:
    return (month.month - 1) // 3 + 1


def _village_rows(rng: random.Random, villages: list[Unit]) -> list[dict]:
    n = len(villages)
    homes = [v.households or 500 for v in villages]
    cells = [(i, m) for i in range(n) for m in range(12)]  # village-months, village-major

    season = [1.6, 1.8, 1.2, 1.0, 0.8, 0.6, 0.6, 0.7, 1.0, 1.4, 0.9, 1.1]  # 春节返乡, 秋收土地纠纷
    received = _draw(rng, DISPUTES, [homes[i] * HOTSPOTS.get(i, 1.0) * season[m] for i, m in cells])
    online = [sum(rng.random() < 0.30 + 0.04 * m for _ in range(received[k])) for k, (_, m) in enumerate(cells)]

    def stock(total: int, spread: float, growth: range, steps: range) -> list[list[int]]:
        ends = _split(total, [h * (1 - spread + 2 * spread * rng.random()) for h in homes])
        out = []
        for end in ends:
            start, step = end - rng.choice(growth), rng.choice(steps)
            out.append([start if m < step else end for m in range(12)])
        return out

    mediators = stock(MEDIATORS, 0.15, range(0, 4), range(2, 10))
    liaisons = stock(LEGAL_LIAISONS, 0.10, range(0, 3), range(1, 6))
    services = _draw(rng, LIAISON_SERVICES, [liaisons[i][m] for i, m in cells])
    consult_season = [1.4, 1.4, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8, 0.8, 1.1, 1.0, 1.0]
    consultations = _draw(rng, CONSULTATIONS, [homes[i] * consult_season[m] for i, m in cells])
    visits = _draw(rng, ASSISTED_VISITS, homes)  # per village, then over its months
    visits = [c for i in range(n) for c in _draw(rng, visits[i], [1.0] * 12)]
    events = [[0] * 12 for _ in range(n)]
    for month, count in PUBLICITY_BY_MONTH.items():
        for i in rng.choices(range(n), weights=homes, k=count):
            events[i][month - 1] += 1
    base_rate = [0.942 + 0.035 * rng.random() for _ in range(n)]
    laggard_rate = {1: 0.86, 2: 0.87, 3: 0.85, 4: 0.91}  # improves in Q4, after rectification

    rows = []
    for k, (i, m) in enumerate(cells):
        month = MONTHS[m]
        q = _quarter(month)
        if q == 3:  # rainy season and the adviser's court calendar: fewer days in the villages
            days = rng.choice([2, 3, 3, 3.5, 4, 4])
        else:
            days = rng.choice([4, 4, 4, 4.5, 5, 5, 6])
        if i == LAGGARD and rng.random() < 0.5:
            days = max(1, days - 1)
        surveyed = rng.randint(12, 24)
        rate = laggard_rate[q] if i == LAGGARD else base_rate[i]
        rate = min(1.0, rate + rng.uniform(-0.02, 0.02))
        sites = 1 if i == SITE_ALL_YEAR or (i == SITE_FROM_JULY and m >= 6) else 0
        rows.append({
            "unit": villages[i].name, "month": month,
            "disputes_received": received[k], "disputes_resolved": received[k], "disputes_online": online[k],
            "mediators": mediators[i][m], "legal_liaisons": liaisons[i][m], "liaison_services": services[k],
            "advisor_days": days, "consultations": consultations[k],
            "publicity_events": events[i][m],
            "publicity_reach": sum(rng.randint(200, 420) for _ in range(events[i][m])),
            "survey_total": surveyed, "survey_satisfied": min(surveyed, round(surveyed * rate)),
            "assisted_visits": visits[k], "culture_sites": sites,
        })
    return rows


def _department_rows(rng: random.Random, departments: list[Unit]) -> list[dict]:
    """Each department fills only its own columns (SPEC §4.2); the rest stay blank."""
    fill = {
        "D01": _party_office, "D02": _justice_office, "D03": _enforcer(8, 8, (3, 8), 0.975),
        "D04": _enforcer(5, 5, (2, 6), 0.97), "D06": _service_centre,
        "D07": _enforcer(10, 8, (4, 12), 0.94, reviews_files=True),
    }
    rows = []
    for unit in departments:
        make = fill.get(unit.code)
        for m, month in enumerate(MONTHS):
            values = make(rng, m) if make else {}
            rows.append({"unit": unit.name, "month": month, **{f: values.get(f) for f in DEPARTMENT.value_fields}})
    return rows


def _party_office(rng, m):
    return {"party_meetings_on_law": int(m + 1 in PARTY_MEETING_MONTHS), "law_items_reviewed": LAW_ITEMS[m],
            "major_decisions": MAJOR_DECISIONS[m], "decisions_legality_reviewed": MAJOR_DECISIONS[m]}


def _justice_office(rng, m):
    correction = (6, 6, 7, 7, 7, 6, 6, 5, 5, 6, 6, 6)[m]
    resettlement = (9, 9, 9, 10, 10, 10, 11, 11, 11, 11, 12, 12)[m]
    return {"legal_aid_screened": int(m + 1 in LEGAL_AID_MONTHS), "correction_subjects": correction,
            "correction_lost": 0, "resettlement_subjects": resettlement, "resettled": resettlement}


def _enforcer(staff: int, certified_at_start: int, cases: tuple[int, int], satisfaction: float,
              reviews_files: bool = False):
    """An enforcing department; uncertified staff pass the 执法资格 exam in May and August."""

    def fill(rng, m):
        certified = min(staff, certified_at_start + (m >= 4) + (m >= 7))
        n = rng.randint(*cases)
        surveyed = rng.randint(10, 18)
        values = {"enforcement_staff": staff, "enforcement_certified": certified, "enforcement_cases": n,
                  "lenient_cases": rng.randint(0, min(2, n)), "enforcement_survey_total": surveyed,
                  "enforcement_survey_satisfied": min(surveyed, round(surveyed * (satisfaction + rng.uniform(-0.03, 0.03))))}
        if reviews_files and (m + 1) % 3 == 0:  # a case-file review each quarter: 案卷评查4 in the year
            values["case_files_reviewed"] = rng.randint(5, 8)
        return values

    return fill


def _service_centre(rng, m):
    cases = rng.randint(320, 480)
    late = {2: 1, 8: 1}.get(m, 0)
    return {"service_cases": cases, "service_on_time": cases - late}


_CENTRAL_STUDY = ("习近平法治思想专题学习", "宪法学习宣传", "民法典专题学习", "行政复议法专题学习",
                  "党的二十届四中全会精神与法治建设", "安全生产法专题学习", "乡村振兴促进法专题学习", "信访工作条例专题学习")
_CENTRAL_STUDY_MONTHS = (1, 3, 4, 6, 7, 9, 11, 12)
_LECTURES = ("民法典婚姻家庭编案例解读", "农村土地承包纠纷案例", "消费者权益保护案例", "行政执法程序规范",
             "劳动用工与讨薪维权", "禁毒法与未成年人保护", "相邻关系纠纷化解", "电信网络诈骗防范",
             "农村宅基地与建房管理", "生态环境保护执法案例", "人民调解协议的效力", "宪法与基层治理")
_LECTURERS = ("县人民法院法官", "县人民检察院检察官", "云南某律师事务所律师")
_BOARD_STUDY = ("行政处罚法", "政府信息公开条例", "优化营商环境条例", "土地管理法", "安全生产法", "防汛抗旱条例",
                "森林法", "食品安全法", "统计法", "保守国家秘密法", "审计法", "国家宪法日学习")


def _training_rows(rng: random.Random, units: Units) -> list[dict]:
    villages, by_code = units.of_kind("village"), {u.code: u for u in units.units}
    office, justice = by_code.get("D01", units.of_kind("department")[0]), by_code.get("D02", units.of_kind("department")[0])
    enforcement = by_code.get("D07", office)
    rows = []

    def add(month: int, day: int, unit: Unit, title: str, category: str, hours: float, attendees: int,
            exam: tuple[int, float] | None = None):
        rows.append({"date": dt.date(YEAR, month, day), "unit": unit.name, "title": title, "category": category,
                     "hours": hours, "attendees": attendees,
                     "exam_takers": exam[0] if exam else None, "exam_mean": exam[1] if exam else None})

    for month, topic in zip(_CENTRAL_STUDY_MONTHS, _CENTRAL_STUDY):
        add(month, rng.randint(8, 20), office, f"党委理论学习中心组：{topic}", "中心组学法", rng.choice([2, 2.5, 3]),
            rng.randint(12, 16))
    for m, topic in enumerate(_LECTURES, start=1):
        add(m, rng.randint(10, 26), justice, f"插甸法治讲堂第{m}讲：{topic}（{_LECTURERS[m % 3]}）", "法治讲堂", 2,
            rng.randint(18, 28))
    for m, law in enumerate(_BOARD_STUDY, start=1):
        add(m, rng.randint(2, 9), office, f"政府班子会学法：{law}", "班子会学法", 1, rng.randint(8, 11))
    liaison_topics = ("法律明白人集中培训（一）：政策法规", "法律明白人集中培训（二）：调解技巧")
    for month, topic in zip((3, 9), liaison_topics):
        add(month, rng.randint(10, 20), justice, topic, "法律明白人培训", 3, rng.randint(52, 58))
    for k, month in enumerate((4, 6, 8, 11)):
        village = villages[(3 * k + 1) % len(villages)]
        add(month, rng.randint(5, 25), village, f"{village.name}法律明白人业务培训", "法律明白人培训", 2, rng.randint(5, 8))
    for k, month in enumerate((2, 3, 4, 5, 5, 6, 8, 9, 10, 11)):
        village = villages[(5 * k + 2) % len(villages)]
        add(month, rng.randint(3, 27), village, f"{village.name}人民调解员调解技巧培训", "调解员培训", 2, rng.randint(8, 14))
    add(8, 21, enforcement, "行政执法人员资格培训及考试", "执法资格培训", 8, 22, (22, 98.6))
    add(5, 16, office, "全镇干部法律知识考试（上半年）", "其他", 2, 38, (37, 98.2))
    add(11, 20, office, "全镇干部法律知识考试（下半年）", "其他", 2, 40, (40, 98.9))
    return sorted(rows, key=lambda r: (r["date"], r["unit"], r["title"]))


def _appraisal_rows(rng: random.Random, units: Units) -> list[dict]:
    villages = units.of_kind("village")
    rows = []
    for unit in units.units:
        base = rng.uniform(86, 94)
        if unit.kind == "village" and villages.index(unit) == LAGGARD:
            base = 83.5
        for kind in EVALUATOR_TYPES:
            prefix, count = EVALUATORS[kind]
            for k in range(1, count + 1):
                score = min(98, max(80, round(base + rng.uniform(-4, 4))))
                rows.append({"year": YEAR, "unit": unit.name, "evaluator_type": kind,
                             "evaluator_id": f"{prefix}{k:02d}", "score": score})
    return rows


def generate(units: Units | None = None) -> dict[str, list[dict]]:
    """The sample's rows per template: field -> value, units by their configured name."""
    units = units or load_units()
    rng = random.Random(SEED)
    return {
        VILLAGE.name: _village_rows(rng, units.of_kind("village")),
        DEPARTMENT.name: _department_rows(rng, units.of_kind("department")),
        TRAINING.name: _training_rows(rng, units),
        APPRAISAL.name: _appraisal_rows(rng, units),
    }


# --- writing the clean form -----------------------------------------------------------------


def _clean_cell(value, kind: str):
    if value is None:
        return None
    if kind == "month":
        return f"{value.year}-{value.month:02d}"
    if kind == "date":
        return value.isoformat()
    return value


def _write_clean(rows: dict[str, list[dict]], out: Path) -> list[Path]:
    paths = []
    for name, template in TEMPLATES.items():
        wb = Workbook()
        ws = wb.active
        ws.title = template.title
        ws.append([c.header for c in template.columns])
        for row in rows[name]:
            ws.append([_clean_cell(row[c.field], c.kind) for c in template.columns])
        path = out / f"{template.title}（{YEAR}年示例）.xlsx"
        wb.save(path)
        paths.append(path)
    return paths


# --- writing the messy form: what real exports from Excel and WPS look like ----------------

_BOLD = Font(bold=True, size=14)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_FOOTER = "填报人：{clerk}　　审核人：{checker}　　填报日期：2026年1月{day}日"
_CLERKS = ("王芳", "李国强", "张丽", "杨建华", "赵秀英", "陈明", "刘红梅", "普文", "李成", "罗琼", "杞春", "何永",
           "周敏", "马丽", "段林", "鲁兴")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "0" <= ch <= "9" else ch for ch in text)


def _messy_number(value, rng: random.Random):
    """Mostly a number; sometimes stored as text, padded with spaces, or in full-width digits."""
    if value is None:
        return None
    roll = rng.random()
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if roll < 0.04:
        return _fullwidth(text)
    if roll < 0.18:
        return text
    if roll < 0.22:
        return f" {text} "
    return value


def _messy_month(month: dt.date, k: int):
    y, m = month.year, month.month
    spellings = (f"{y}-{m:02d}", f"{y}/{m}", f"{y}年{m}月", f"{y}{m:02d}", dt.datetime(y, m, 1),
                 f"{y}年{m}月", f"{y}-{m:02d}", int(f"{y}{m:02d}"), _fullwidth(f"{y}年{m}月"))
    return spellings[k % len(spellings)]


def _messy_date(day: dt.date, k: int):
    y, m, d = day.year, day.month, day.day
    spellings = (dt.datetime(y, m, d), f"{y}-{m:02d}-{d:02d}", f"{y}/{m}/{d}", f"{y}年{m}月{d}日", f"{y}{m:02d}{d:02d}",
                 dt.datetime(y, m, d), f"{y}/{m}/{d}", int(f"{y}{m:02d}{d:02d}"))
    return spellings[k % len(spellings)]


def _messy_unit(name: str, k: int) -> str:
    """A unit as clerks write it: with or without 村/村委会, with stray spaces."""
    if not name.endswith("村"):
        return (name, f" {name}", f"{name} ")[k % 3]
    return (name, f"{name}委会", f" {name} ", unit_key(name), f"　{name}")[k % 5]


def _messy_header(col, k: int) -> str:
    if not col.unit:
        return col.header
    return (f"{col.header}\n({col.unit})", f"{col.header}\n（{col.unit}）", f" {col.header}（{col.unit}）")[k % 3]


def _flow_total(template: Template, rows: list[dict], field: str):
    """A 合计 cell: the sum of a flow column, blank for stocks and for columns never filled."""
    col = template.column(field)
    if col.stock or not col.summable or col.kind not in ("int", "number"):
        return None
    values = [r[field] for r in rows if r[field] is not None]
    if not values:
        return None
    total = sum(values)
    return int(total) if float(total).is_integer() else total


def _title_rows(ws, title: str, width: int, info: str | None) -> None:
    ws.append([title])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    ws.cell(ws.max_row, 1).font = _BOLD
    ws.cell(ws.max_row, 1).alignment = _CENTER
    ws.row_dimensions[ws.max_row].height = 30
    if info:
        ws.append([info])


def _header_row(ws, columns, k: int) -> None:
    ws.append([_messy_header(c, k + j) for j, c in enumerate(columns)])
    for j in range(len(columns)):
        ws.cell(ws.max_row, j + 1).alignment = _CENTER
        ws.column_dimensions[get_column_letter(j + 1)].width = 11
    ws.row_dimensions[ws.max_row].height = 42


def _append(ws, values: list, date_format: str) -> None:
    """A row; Excel dates shown the way the clerk formatted them."""
    ws.append(values)
    for j, value in enumerate(values, start=1):
        if isinstance(value, dt.datetime):
            ws.cell(ws.max_row, j).number_format = date_format


def _footer(ws, rng: random.Random, width: int) -> None:
    ws.append([])
    clerk, checker = rng.sample(_CLERKS, 2)
    ws.append([_FOOTER.format(clerk=clerk, checker=checker, day=rng.randint(3, 8))])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=min(width, 10))


def _messy_villages(rows: list[dict], rng: random.Random, path: Path) -> None:
    """One sheet per village, as the 12 villages send them in and the office pastes them together."""
    wb = Workbook()
    guide = wb.active
    guide.title = "填表说明"
    for line in ("填表说明：", "1. 每月5日前报送上月数据，数据以月末为准。",
                 "2. 调解员、法律明白人、法治文化阵地填月末在册数，合计行不填。",
                 "3. 化解矛盾纠纷件数不得超过受理件数。"):
        guide.append([line])
    columns = VILLAGE.columns
    by_unit: dict[str, list[dict]] = {}
    for row in rows:
        by_unit.setdefault(row["unit"], []).append(row)
    for k, (name, unit_rows) in enumerate(by_unit.items()):
        ws = wb.create_sheet(name)
        _title_rows(ws, f"{TOWNSHIP}{name}{YEAR}年法治建设工作月报表", len(columns), f"填报单位：{name}")
        _header_row(ws, columns, k)
        for m, row in enumerate(unit_rows):
            if m == 6:
                ws.append([])  # the clerk left a gap between the half-years
            values = []
            for c in columns:
                if c.kind == "unit":
                    values.append(_messy_unit(name, k + m))
                elif c.kind == "month":
                    values.append(_messy_month(row["month"], 3 * k + m))
                else:
                    values.append(_messy_number(row[c.field], rng))
            _append(ws, values, 'yyyy"年"m"月"')
        ws.append(["合  计", None, *[_flow_total(VILLAGE, unit_rows, c.field) for c in columns[2:]]])
        _footer(ws, rng, len(columns))
    wb.save(path)


def _messy_departments(rows: list[dict], rng: random.Random, path: Path) -> None:
    """The departments' summary as the office exports it from WPS: a GBK .csv."""
    columns = DEPARTMENT.columns
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([f"{TOWNSHIP}镇直单位{YEAR}年法治工作月报汇总表"] + [""] * (len(columns) - 1))
    w.writerow(["汇总单位：党政办公室", "", "", "", "单位：次、项、人、件"])
    w.writerow([_messy_header(c, j) for j, c in enumerate(columns)])
    previous = None
    for k, row in enumerate(rows):
        if previous is not None and row["unit"] != previous:
            w.writerow([])
        previous = row["unit"]
        values = []
        for c in columns:
            if c.kind == "unit":
                values.append(_messy_unit(row["unit"], k))
            elif c.kind == "month":
                month = _messy_month(row["month"], k)
                values.append(month.strftime("%Y-%m-%d") if isinstance(month, dt.datetime) else month)
            else:
                value = _messy_number(row[c.field], rng)
                values.append("" if value is None else value)
        w.writerow(values)
    w.writerow(["合计", "", *["" if (t := _flow_total(DEPARTMENT, rows, c.field)) is None else t for c in columns[2:]]])
    w.writerow([])
    clerk, checker = rng.sample(_CLERKS, 2)
    w.writerow([_FOOTER.format(clerk=clerk, checker=checker, day=6)])
    path.write_bytes(out.getvalue().encode("gbk"))


def _messy_training(rows: list[dict], rng: random.Random, path: Path) -> None:
    """The ledger kept one sheet per quarter, dates typed however the clerk typed them."""
    wb = Workbook()
    wb.remove(wb.active)
    columns = TRAINING.columns
    names = "一二三四"
    for q in range(1, 5):
        ws = wb.create_sheet(f"{names[q - 1]}季度")
        _title_rows(ws, f"{TOWNSHIP}{YEAR}年第{names[q - 1]}季度学法培训台账", len(columns), None)
        _header_row(ws, columns, q)
        quarter_rows = [r for r in rows if _quarter(r["date"]) == q]
        for k, row in enumerate(quarter_rows):
            values = []
            for c in columns:
                value = row[c.field]
                if c.kind == "date":
                    value = _messy_date(value, k + q)
                elif c.kind == "unit":
                    value = _messy_unit(value, k)
                elif c.kind in ("int", "number"):
                    value = _messy_number(value, rng)
                values.append(value)
            _append(ws, values, "yyyy/m/d")
        ws.append([])
        ws.append(["合计", None, None, None, None, _flow_total(TRAINING, quarter_rows, "attendees"), None, None])
        _footer(ws, rng, len(columns))
    wb.save(path)


def _messy_appraisal(rows: list[dict], rng: random.Random, path: Path) -> None:
    """The score sheets, one per kind of evaluator, as collected at the appraisal meeting."""
    wb = Workbook()
    wb.remove(wb.active)
    columns = APPRAISAL.columns
    for t, kind in enumerate(EVALUATOR_TYPES):
        ws = wb.create_sheet(f"{kind}打分")
        _title_rows(ws, f"{YEAR}年度村党组织书记、镇直单位负责人法治建设“双向述职评议”打分表（{kind}）",
                    len(columns), "说明：满分100分，评议人匿名编号")
        _header_row(ws, columns, t)
        for k, row in enumerate(r for r in rows if r["evaluator_type"] == kind):
            ws.append([f"{YEAR}年" if k % 4 == 1 else YEAR, _messy_unit(row["unit"], k), kind,
                       row["evaluator_id"], _messy_number(row["score"], rng)])
        _footer(ws, rng, len(columns))
    wb.save(path)


def _write_messy(rows: dict[str, list[dict]], out: Path) -> list[Path]:
    rng = random.Random(SEED + 1)
    paths = [out / f"{TOWNSHIP}{YEAR}年各村法治建设工作月报表.xlsx", out / f"镇直单位法治工作月报{YEAR}.csv",
             out / f"{YEAR}年学法培训台账.xlsx", out / f"{YEAR}年度双向述职评议打分表.xlsx"]
    _messy_villages(rows[VILLAGE.name], rng, paths[0])
    _messy_departments(rows[DEPARTMENT.name], rng, paths[1])
    _messy_training(rows[TRAINING.name], rng, paths[2])
    _messy_appraisal(rows[APPRAISAL.name], rng, paths[3])
    return paths


# --- the public entry points ----------------------------------------------------------------


def write_sample(out_dir, *, messy: bool, units: Units | None = None) -> list[Path]:
    """Write the 2025 sample into out_dir as the four templates, clean or messy; returns the files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = generate(units)
    return _write_messy(rows, out) if messy else _write_clean(rows, out)


def load_sample(db=None):
    """Generate the messy sample and import it as one upload marked as sample data; returns the ImportResult."""
    from data.store import import_files

    with tempfile.TemporaryDirectory(prefix="fazhi-sample-") as tmp:
        uploads = [Upload(p.name, p.read_bytes()) for p in write_sample(tmp, messy=True)]
    return import_files(uploads, db, user=USER, sample=True)
