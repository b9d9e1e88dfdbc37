"""The four report templates (SPEC §4), declared once: headers, fields, types, ranges, cross-field rules.

The importer, the template writer, the store and the sample generator all walk these tables;
nothing else in the code knows a Chinese header.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: str  # unit | month | date | year | int | number | text | choice
    unit: str = ""  # 件, 人 ... shown in templates, accepted as a header suffix
    hint: str = ""
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    choices: tuple[str, ...] = ()
    required: bool = True  # column must be present in an upload
    value_required: bool = False  # cell must not be blank in a data row
    stock: bool = False  # month-end stock (SPEC §5), not a flow
    summable: bool = True  # a 合计 row is checked against the column sum


@dataclass(frozen=True)
class Rule:
    """lhs ≤ rhs, and lhs given implies rhs given (a part cannot exceed its whole)."""

    lhs: str
    rhs: str


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    unit_kind: str | None  # village | department | None (any unit)
    columns: tuple[Column, ...]
    identity: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    requires: tuple[tuple[str, str], ...] = ()  # (a, b): when a is filled, b must be too
    monthly: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)

    @property
    def period_field(self) -> str:
        """The column that places a row in time: its month, date or year."""
        return next(c.field for c in self.columns if c.kind in ("month", "date", "year"))

    @property
    def value_fields(self) -> list[str]:
        return [c.field for c in self.columns if c.field not in self.identity]

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.columns]


def _count(field_: str, header: str, unit: str, hint: str = "", **kw) -> Column:
    return Column(field_, header, "int", unit=unit, hint=hint, min=0, **kw)


VILLAGE = Template(
    name="village_monthly",
    title="村级法治工作月报",
    unit_kind="village",
    identity=("unit", "month"),
    columns=(
        Column("unit", "村委会", "unit", hint="填写本村名称，如 东山村", value_required=True, summable=False),
        Column("month", "月份", "month", hint="报告月份，如 2025-03", value_required=True, summable=False),
        _count("disputes_received", "受理矛盾纠纷", "件", "本月受理的矛盾纠纷件数"),
        _count("disputes_resolved", "化解矛盾纠纷", "件", "本月受理并已化解的件数，不超过受理数"),
        _count("disputes_online", "其中线上受理", "件", "通过“码上报、线上调”受理的件数，不超过受理数"),
        _count("mediators", "调解员", "人", "月末在册调解员人数", stock=True),
        _count("legal_liaisons", "法律明白人", "人", "月末在册法律明白人人数", stock=True),
        _count("liaison_services", "法律明白人服务", "次", "本月法律明白人开展服务次数"),
        Column("advisor_days", "法律顾问驻村", "number", unit="天", hint="本月法律顾问驻村天数，0–31", min=0, max=31),
        _count("consultations", "法律咨询", "次", "本月法律咨询次数（现场和线上）"),
        _count("publicity_events", "普法活动", "场", "本月普法活动场次"),
        _count("publicity_reach", "普法受众", "人次", "本月普法活动受众人次"),
        _count("survey_total", "满意度调查人数", "人", "本月满意度调查人数"),
        _count("survey_satisfied", "其中满意", "人", "其中表示满意的人数，不超过调查人数"),
        _count("assisted_visits", "帮办代办上门服务", "次", "本月帮办代办上门服务次数"),
        _count("culture_sites", "法治文化阵地", "个", "月末法治文化阵地个数", stock=True),
    ),
    rules=(
        Rule("disputes_resolved", "disputes_received"),
        Rule("disputes_online", "disputes_received"),
        Rule("survey_satisfied", "survey_total"),
    ),
)

DEPARTMENT = Template(
    name="department_monthly",
    title="镇直单位法治工作月报",
    unit_kind="department",
    identity=("unit", "month"),
    columns=(
        Column("unit", "单位", "unit", hint="填写本单位名称，如 司法所", value_required=True, summable=False),
        Column("month", "月份", "month", hint="报告月份，如 2025-03", value_required=True, summable=False),
        _count("party_meetings_on_law", "党委会议专题研究法治", "次", "本月党委会议专题研究法治建设次数", required=False),
        _count("law_items_reviewed", "班子会议审议法治事项", "项", "本月班子会议审议法治相关事项数", required=False),
        _count("major_decisions", "重大行政决策", "项", "本月重大行政决策事项数", required=False),
        _count("decisions_legality_reviewed", "其中经合法性审查", "项", "其中经过合法性审查的事项数", required=False),
        _count("enforcement_staff", "执法人员", "人", "月末执法人员人数", required=False, stock=True),
        _count("enforcement_certified", "其中持证", "人", "其中持有执法证的人数", required=False, stock=True),
        _count("enforcement_cases", "行政执法案件", "件", "本月行政执法案件数", required=False),
        _count("case_files_reviewed", "案卷评查", "卷", "本月评查的执法案卷数", required=False),
        _count("lenient_cases", "首违不罚及柔性执法", "件", "首违不罚、柔性执法案件数，不超过执法案件数", required=False),
        _count("enforcement_survey_total", "执法满意度调查人数", "人", "本月执法满意度调查人数", required=False),
        _count("enforcement_survey_satisfied", "其中满意", "人", "其中满意人数，不超过调查人数", required=False),
        _count("legal_aid_screened", "法律援助初审", "件", "本月法律援助初审件数", required=False),
        _count("correction_subjects", "社区矫正对象", "人", "月末在册社区矫正对象人数", required=False, stock=True),
        _count("correction_lost", "脱管漏管", "人", "本月脱管、漏管人数", required=False),
        _count("resettlement_subjects", "安置帮教对象", "人", "月末在册安置帮教对象人数", required=False, stock=True),
        _count("resettled", "其中已安置帮教", "人", "其中已落实安置帮教的人数", required=False, stock=True),
        _count("service_cases", "政务服务办件", "件", "本月政务服务办件数", required=False),
        _count("service_on_time", "其中限时办结", "件", "其中限时办结的件数", required=False),
    ),
    rules=(
        Rule("decisions_legality_reviewed", "major_decisions"),
        Rule("enforcement_certified", "enforcement_staff"),
        Rule("lenient_cases", "enforcement_cases"),
        Rule("enforcement_survey_satisfied", "enforcement_survey_total"),
        Rule("correction_lost", "correction_subjects"),
        Rule("resettled", "resettlement_subjects"),
        Rule("service_on_time", "service_cases"),
    ),
)

TRAINING_CATEGORIES = ("中心组学法", "班子会学法", "法治讲堂", "执法资格培训", "法律明白人培训", "调解员培训", "普法培训", "其他")

TRAINING = Template(
    name="training_ledger",
    title="学法培训台账",
    unit_kind=None,
    identity=("date", "unit", "title"),
    monthly=False,
    columns=(
        Column("date", "日期", "date", hint="培训日期，如 2025-03-05", value_required=True, summable=False),
        Column("unit", "主办单位", "unit", hint="主办的村或镇直单位", value_required=True, summable=False),
        Column("title", "培训名称", "text", hint="培训或学习的名称", value_required=True, summable=False),
        Column("category", "类别", "choice", choices=TRAINING_CATEGORIES, hint="从下拉列表中选择", value_required=True, summable=False),
        Column("hours", "学时", "number", hint="本次学时，大于0且不超过24", min=0, max=24, min_exclusive=True, value_required=True),
        Column("attendees", "参训人数", "int", unit="人", hint="参训人数，至少1人", min=1, value_required=True),
        Column("exam_takers", "考试人数", "int", unit="人", hint="如有考试，填写考试人数，不超过参训人数", min=0, required=False),
        Column("exam_mean", "考试平均分", "number", unit="分", hint="如有考试，填写平均分（0–100）", min=0, max=100, required=False, summable=False),
    ),
    rules=(Rule("exam_takers", "attendees"),),
    requires=(("exam_takers", "exam_mean"), ("exam_mean", "exam_takers")),
)

EVALUATOR_TYPES = ("人大代表", "政协委员", "群众代表", "镇领导班子")

APPRAISAL = Template(
    name="appraisal_scores",
    title="述职评议打分表",
    unit_kind=None,
    identity=("year", "unit", "evaluator_type", "evaluator_id"),
    monthly=False,
    columns=(
        Column("year", "年度", "year", hint="评议年度，如 2025", value_required=True, summable=False),
        Column("unit", "被评议单位", "unit", hint="被评议的村或镇直单位", value_required=True, summable=False),
        Column("evaluator_type", "评议人类别", "choice", choices=EVALUATOR_TYPES, hint="从下拉列表中选择", value_required=True, summable=False),
        Column("evaluator_id", "评议人编号", "text", hint="匿名编号，如 R01", value_required=True, summable=False),
        Column("score", "得分", "number", unit="分", hint="0–100", min=0, max=100, value_required=True, summable=False),
    ),
)

# The generated templates' own helper sheets: the instructions and the hidden drop-down lists.
GUIDE_SHEET, OPTIONS_SHEET = "填写说明", "选项"

TEMPLATES: dict[str, Template] = {t.name: t for t in (VILLAGE, DEPARTMENT, TRAINING, APPRAISAL)}

# The stocks of SPEC §5: each unit's last reported month in a period, then summed over units.
STOCK_FIELDS = frozenset(c.field for t in TEMPLATES.values() for c in t.columns if c.stock)
