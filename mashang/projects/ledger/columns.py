"""The columns of the project ledger (项目台账): one list for the export and the import.

A column is recognised on import by its title in Chinese or English (as the export writes
it), or by a title other ledgers commonly use for it (``ALIASES``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mashang.projects.models import PIPELINE, Stage


@dataclass(frozen=True)
class Column:
    key: str
    title: Promise | str
    width: int = 14
    #: The milestone stage of a planned/actual date column.
    stage: str = ""
    #: Written by the export, read by the import ("funds" makes one receipt of the total).
    kind: str = "text"

    def heading(self) -> str:
        """The title in the current language (a milestone column names its stage)."""
        if self.stage:
            return str(self.title).format(stage=Stage(self.stage).label)
        return str(self.title)


MSG_PLANNED = _("{stage}: planned date")
MSG_REACHED = _("{stage}: actual date")


def _columns() -> list[Column]:
    cols = [
        Column("number", _("Project number"), 14),
        Column("name", _("Project name"), 28),
        Column("investor_name", _("Investor"), 24),
        Column("investor_credit_code", _("Investor credit code"), 21),
        Column("project_type", _("Project type"), 14, kind="choice"),
        Column("industry", _("Industry"), 16, kind="choice"),
        Column("planned_investment", _("Planned investment (yuan)"), 18, kind="money"),
        Column("land_area_mu", _("Planned land area (mu)"), 12, kind="money"),
        Column("land_area_m2", _("Planned land area (m²)"), 14, kind="money"),
        Column("service_officer", _("Service officer"), 16),
        Column("is_key", _("Key project"), 8, kind="flag"),
        Column("is_city_key", _("City key schedule"), 8, kind="flag"),
        Column("stage", _("Stage"), 12, kind="choice"),
        Column("stage_before_pause", _("Stage before the pause"), 12, kind="choice"),
        Column("stage_reason", _("Reason for the pause or drop"), 20),
        Column("behind_plan_reason", _("Why behind plan"), 24),
    ]
    for stage in PIPELINE:
        cols.append(Column(f"planned:{stage}", MSG_PLANNED, 12, stage=stage, kind="date"))
        cols.append(Column(f"reached:{stage}", MSG_REACHED, 12, stage=stage, kind="date"))
    cols.append(Column("funds", _("Funds in place (yuan)"), 18, kind="money"))
    return cols


COLUMNS = _columns()
BY_KEY = {c.key: c for c in COLUMNS}

#: Titles other ledgers use for the same column (recognised on import, never shown).
ALIASES = {
    "number": ["编号", "项目编号", "序号编号"],
    "name": ["项目名称", "项目"],
    "investor_name": ["投资方", "投资主体", "企业名称", "投资企业"],
    "investor_credit_code": ["统一社会信用代码", "信用代码"],
    "project_type": ["项目类型", "类型"],
    "industry": ["产业", "行业", "所属行业", "产业类别"],
    "planned_investment": ["计划投资额（元）", "计划投资额", "计划总投资（元）", "总投资（元）"],
    "land_area_mu": ["计划用地（亩）", "用地面积（亩）", "用地（亩）"],
    "land_area_m2": ["计划用地（平方米）", "用地面积（平方米）", "用地（㎡）"],
    "service_officer": ["服务专员", "店小二", "专职服务人员"],
    "is_key": ["重点项目"],
    "is_city_key": ["市重点调度", "重点调度"],
    "stage": ["阶段", "项目阶段", "进度阶段"],
    "behind_plan_reason": ["滞后原因"],
    "funds": ["到资（元）", "到资金额（元）", "实际到资（元）"],
}


def normalise(title: object) -> str:
    """A header cell as compared: no spaces, brackets and colons of one kind, lower case."""
    text = "" if title is None else str(title)
    text = text.replace("(", "（").replace(")", "）").replace(":", "：").replace("m2", "m²")
    return re.sub(r"\s+", "", text).lower()


def titles_index() -> dict[str, str]:
    """Every recognised title (normalised) -> column key."""
    index: dict[str, str] = {}
    for language in ("en", "zh-hans", None):
        with translation.override(language or translation.get_language()):
            for c in COLUMNS:
                index.setdefault(normalise(c.heading()), c.key)
    for key, aliases in ALIASES.items():
        for alias in aliases:
            index.setdefault(normalise(alias), key)
    return index
