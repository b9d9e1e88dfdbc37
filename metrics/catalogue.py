"""The indicator catalogue of SPEC §5, as data. Adding an indicator is adding an entry.

Every indicator is Σnumerator (a count or sum) or Σnumerator / Σdenominator (a rate or mean),
over the rows of one template. Numerator and denominator name a template field or one of the
derived columns below; stocks are taken from each unit's last reported month (compute.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data.schema import STOCK_FIELDS, TEMPLATES

MEDIATOR_CATEGORIES = ("调解员培训", "法律明白人培训")


@dataclass(frozen=True)
class Derived:
    label: str  # how the formula names it
    inputs: tuple[str, ...]
    make: callable  # frame -> Series, NaN where an input is blank


def _product(a: str, b: str):
    return lambda f: f[a].astype("Float64") * f[b].astype("Float64")


DERIVED: dict[str, Derived] = {
    "session": Derived("记录条数", (), lambda f: pd.Series(1, index=f.index, dtype="Float64")),
    "mediator_session": Derived(
        "调解员/法律明白人培训条数", ("category",),
        lambda f: f["category"].isin(MEDIATOR_CATEGORIES).astype("Float64")),
    "person_hours": Derived("学时×参训人数", ("hours", "attendees"), _product("hours", "attendees")),
    "exam_points": Derived("考试平均分×考试人数", ("exam_mean", "exam_takers"), _product("exam_mean", "exam_takers")),
    "advisor_reported": Derived(
        "填报了驻村天数的村·月数", ("advisor_days",),
        lambda f: f["advisor_days"].notna().astype("Float64").where(f["advisor_days"].notna())),
    "has_culture_site": Derived(
        "有法治文化阵地的村数", ("culture_sites",),
        lambda f: (f["culture_sites"].astype("Float64") >= 1).astype("Float64").where(f["culture_sites"].notna())),
    "site_reported": Derived(
        "填报了阵地数的村数", ("culture_sites",),
        lambda f: pd.Series(1.0, index=f.index, dtype="Float64").where(f["culture_sites"].notna())),
}


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    name_en: str
    unit: str  # shown after the value: %, 件, 场 ...
    template: str
    numerator: str
    denominator: str | None = None
    fmt: str = "int"  # int | pct | dec1 — drives cards, tables and chart axes alike
    direction: str = "up"  # up: higher is better; zero: the target is none at all
    town_only: bool = False
    aggregation: str = "ratio"  # ratio: Σ/Σ by compute.py; appraisal, composite: by scoring.py
    per_configured_unit: bool = False  # the town's denominator is every configured unit of the kind
    definition: str = ""
    source: str = ""  # the sentence of the 2025 report the indicator comes from
    report: str = ""  # report wording, {value} is the formatted figure

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def is_scored(self) -> bool:
        return self.aggregation != "ratio"

    @property
    def is_stock(self) -> bool:
        return bool(self.inputs(self.numerator) & STOCK_FIELDS)

    @staticmethod
    def inputs(term: str) -> set[str]:
        return set(DERIVED[term].inputs) if term in DERIVED else {term}

    def label(self, term: str) -> str:
        if term in DERIVED or self.is_scored:
            return DERIVED[term].label
        return TEMPLATES[self.template].column(term).header

    @property
    def formula(self) -> str:
        if self.aggregation == "appraisal":
            return "各类评议人平均分，按类别权重加权平均"
        if self.code == "rule_of_law_score":
            return "Σ 权重 × 完成率（完成率最高按 100% 计）"
        if self.code == "assessment_points":
            return "法治建设考核得分 × 绩效考核占比"
        if self.denominator is None:
            return f"Σ {self.label(self.numerator)}"
        return f"Σ {self.label(self.numerator)} ÷ Σ {self.label(self.denominator)}"


V, D, T = "village_monthly", "department_monthly", "training_ledger"

CATALOGUE: tuple[Indicator, ...] = (
    Indicator("disputes_received", "受理矛盾纠纷数", "Disputes received", "件", V, "disputes_received",
              definition="各村受理的矛盾纠纷件数之和。",
              source="全年排查矛盾纠纷136件,做到早发现、早介入、早化解。",
              report="全年受理矛盾纠纷{value}件"),
    Indicator("resolution_rate", "矛盾纠纷化解率", "Dispute resolution rate", "%", V, "disputes_resolved",
              "disputes_received", fmt="pct",
              definition="化解件数之和 ÷ 受理件数之和（不是各村化解率的平均）。",
              source="通过“火塘会”“院坝会”以案释法,结合“四议两公开”制度,矛盾纠纷化解率达100%。",
              report="矛盾纠纷化解率达{value}"),
    Indicator("online_share", "线上受理占比", "Share of disputes received online", "%", V, "disputes_online",
              "disputes_received", fmt="pct",
              definition="线上受理件数之和 ÷ 受理件数之和，反映“码上报、线上调”的使用程度，应逐步提高。",
              source="实现矛盾纠纷“码上报、线上调”,全年化解纠纷130余件。",
              report="线上受理矛盾纠纷占比{value}"),
    Indicator("satisfaction", "群众满意度", "Public satisfaction", "%", V, "survey_satisfied", "survey_total",
              fmt="pct", definition="表示满意的人数之和 ÷ 调查人数之和。",
              source="既维护法律权威,又体现执法温度,群众满意度达95%以上。",
              report="群众满意度达{value}"),
    Indicator("enforcement_satisfaction", "执法满意度", "Law-enforcement satisfaction", "%", D,
              "enforcement_survey_satisfied", "enforcement_survey_total", fmt="pct",
              definition="执法满意度调查中满意人数之和 ÷ 调查人数之和。",
              source="对轻微违法行为实行“首违不罚”“柔性执法”,既维护法律权威,又体现执法温度,群众满意度达95%以上。",
              report="执法满意度达{value}"),
    Indicator("training_sessions", "学法培训场次", "Legal training sessions", "场", T, "session",
              definition="学法培训台账中的培训（学习）记录条数。",
              source="持续深化习近平法治思想学习宣传贯彻,将其纳入镇村干部培训的核心内容,全年开展专题培训不少于12次。",
              report="全年开展学法培训{value}场次"),
    Indicator("training_person_hours", "培训学时", "Training person-hours", "人·学时", T, "person_hours",
              fmt="dec1", definition="每次培训的学时 × 参训人数，再求和。",
              source="搭建“线上+线下”学法平台,通过“学习强国”法治专栏、微信答题小程序开展常态化学习。",
              report="累计培训{value}人·学时"),
    Indicator("training_attendance", "参训人次", "Training attendance", "人次", T, "attendees",
              definition="各次培训参训人数之和。",
              source="创新开设“插甸法治讲堂”,邀请法官、检察官、律师开展案例教学12场次,参训人员达800余人次。",
              report="参训人员达{value}人次"),
    Indicator("exam_mean", "法律知识考试平均分", "Mean law exam score", "分", T, "exam_points", "exam_takers",
              fmt="dec1", definition="按考试人数加权的平均分：Σ(平均分×考试人数) ÷ Σ考试人数。",
              source="组织全镇干部参加法律知识考试3次,平均分达98分以上。",
              report="组织法律知识考试，平均分{value}分"),
    Indicator("mediator_trainings", "调解员/法律明白人培训", "Mediator and legal-liaison trainings", "场", T,
              "mediator_session",
              definition="类别为“调解员培训”或“法律明白人培训”的台账记录条数。",
              source="加强“法律明白人”“人民调解员”队伍建设,开展业务培训15次以上。",
              report="开展调解员、法律明白人业务培训{value}次"),
    Indicator("advisor_days_per_village", "法律顾问驻村天数", "Legal adviser days per village-month", "天", V,
              "advisor_days", "advisor_reported", fmt="dec1",
              definition="法律顾问驻村天数之和 ÷ 填报了驻村天数的村·月数（留空的月份不计入）。",
              source="建立“一村一法律顾问”服务评价机制,确保顾问每月驻村服务不少于4天。",
              report="法律顾问平均每村每月驻村{value}天"),
    Indicator("culture_site_coverage", "法治文化阵地覆盖", "Villages with a rule-of-law culture site", "%", V,
              "has_culture_site", "site_reported", fmt="pct", town_only=True, per_configured_unit=True,
              definition="期末有法治文化阵地（≥1 个）的村数 ÷ 全镇村数（未填报的村不算有阵地；没有任何村填报时为无数据）。",
              source="12个村目前只有2个村委会有法治文化阵地,存在内容更新不及时、形式较为单一等问题。",
              report="法治文化阵地覆盖率{value}"),
    Indicator("liaison_services", "法律明白人服务次数", "Legal-liaison services", "次", V, "liaison_services",
              definition="各村法律明白人服务次数之和。",
              source="全年累计开展法律咨询、矛盾调解等志愿服务400余次。",
              report="法律明白人全年开展服务{value}次"),
    Indicator("legality_review_rate", "重大决策合法性审查率", "Legality review of major decisions", "%", D,
              "decisions_legality_reviewed", "major_decisions", fmt="pct",
              definition="经合法性审查的重大行政决策数之和 ÷ 重大行政决策数之和。",
              source="明确镇党委会议、政府班子会审议事项必须经合法性审查,未经审查或审查不通过的一律不得提交审议。",
              report="重大行政决策合法性审查率{value}"),
    Indicator("certification_rate", "执法人员持证率", "Certified enforcement staff", "%", D,
              "enforcement_certified", "enforcement_staff", fmt="pct",
              definition="期末持证执法人员数 ÷ 期末执法人员数（各单位取期内最后一个填报月）。",
              source="组织全镇干部职工参加行政执法人员资格培训和考试,实现持证上岗、亮证执法全覆盖。",
              report="执法人员持证率{value}"),
    Indicator("legal_aid_screened", "法律援助初审", "Legal-aid cases screened", "件", D, "legal_aid_screened",
              definition="法律援助初审件数之和。",
              source="严格按法律援助工作的要求,落实法律援助初审职能,全年共初审法律援助案件5件。",
              report="全年共初审法律援助案件{value}件"),
    Indicator("consultations", "法律咨询次数", "Legal consultations", "次", V, "consultations",
              definition="各村法律咨询次数之和（现场和线上）。",
              source="实现12个村“一村一法律顾问”全覆盖,创新“固定坐班+预约服务+线上咨询”模式,全年累计提供现场法律服务320余次。",
              report="全年累计提供法律咨询服务{value}次"),
    Indicator("publicity_events", "普法活动场次", "Legal publicity events", "场", V, "publicity_events",
              definition="各村普法活动场次之和。",
              source="组织司法所、派出所、市场监管所等部门开展“法治赶大集”“田间地头普法”等主题活动28场次。",
              report="开展普法主题活动{value}场次"),
    Indicator("correction_lost", "社区矫正脱管漏管", "Community-correction subjects lost", "人", D,
              "correction_lost", direction="zero",
              definition="脱管、漏管人数之和；目标为 0，出现即一票否决。",
              source="对本辖区在册社区矫正对象实行“一人一档”分类管理,全年无脱管、漏管现象。",
              report="社区矫正脱管漏管{value}人"),
    Indicator("resettlement_rate", "安置帮教率", "Resettlement rate", "%", D, "resettled", "resettlement_subjects",
              fmt="pct", definition="期末已安置帮教人数 ÷ 期末安置帮教对象人数（各单位取期内最后一个填报月）。",
              source="做好刑满释放人员安置帮教工作,落实“无缝对接”机制,确保安置帮教率100%。",
              report="安置帮教率{value}"),
    Indicator("on_time_rate", "政务服务限时办结率", "Public services completed on time", "%", D, "service_on_time",
              "service_cases", fmt="pct", definition="限时办结件数之和 ÷ 政务服务办件数之和。",
              source="落实首问负责制、一次性告知、限时办结等制度。",
              report="政务服务限时办结率{value}"),
)

CATALOGUE += (
    Indicator("appraisal_score", "述职评议得分", "Two-way report appraisal score", "分", "appraisal_scores", "score",
              fmt="dec1", aggregation="appraisal",
              definition="人大代表、政协委员、群众代表、镇领导班子对各单位的评议打分：先按评议人类别求平均分，再按类别权重加权平均（权重见考核配置）。",
              source="创新推行村党组织书记、镇直单位负责人法治建设“双向述职评议”制度,邀请人大代表、政协委员、群众代表现场点评打分,倒逼责任落实。",
              report="双向述职评议平均得分{value}分"),
    Indicator("rule_of_law_score", "法治建设考核得分", "Rule-of-law score (0–100)", "分", "", "rule_of_law_score",
              fmt="dec1", aggregation="composite",
              definition="各考核指标的完成率（最高按 100% 计）乘以权重后求和，满分 100；权重和目标在考核配置中设定。",
              source="将法治建设纳入镇党委、政府年度工作要点和绩效考核体系,权重占比提升至25%。",
              report="法治建设考核得分{value}分"),
    Indicator("assessment_points", "计入绩效考核分值", "Points counted in the performance appraisal", "分", "",
              "assessment_points", fmt="dec1", aggregation="composite",
              definition="法治建设考核得分乘以其在单位绩效考核中的占比（2025 年为 25%）。",
              source="将法治建设纳入镇党委、政府年度工作要点和绩效考核体系,权重占比提升至25%。",
              report="计入绩效考核{value}分"),
)

BY_CODE: dict[str, Indicator] = {i.code: i for i in CATALOGUE}
HEADLINE = ("resolution_rate", "satisfaction", "training_person_hours", "rule_of_law_score")
