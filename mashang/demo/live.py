"""A few demands whose deadlines fall due in the minutes after the demo is loaded.

The year of demands ends at the demo's "now" (the start of ``--until``); loaded on that very
day, the demo also files, through the services, a few demands still waiting for triage whose
triage deadline comes a few working minutes after the load: the worker's sweep then raises
their reminder and yellow card while someone watches the supervision page. Deadlines are in
working time, so outside the zone's office hours they fall due when the office opens.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings

from mashang.demands import services as S
from mashang.demands.deadlines import Policy, triage_due
from mashang.demands.models import Demand
from mashang.org.models import Category, User
from mashang.workcal.calendar import WorkCalendar

#: Each live demand: who files it, about what, and how many working minutes after the load
#: its triage deadline falls (the reminder comes MASHANG_REMINDER_BEFORE_MINUTES earlier).
LIVE_DEMANDS = (
    (
        "ent001",
        "utilities",
        "厂区临时用电报装进度咨询",
        "新厂房下周试产，临时用电报装已提交，想了解供电部门的勘查安排。",
        2,
    ),
    (
        "ent002",
        "permit",
        "施工许可证办理材料确认",
        "请帮忙确认施工许可证申请还需补充哪些材料，以免耽误开工。",
        0,  # its reminder is due a few minutes after the load (see live_demands_file)
    ),
    (
        "ent003",
        "talent",
        "新招技术人员落户政策咨询",
        "公司新招十余名技术人员，想了解落户和人才补贴的办理流程。",
        12,
    ),
)


def live_demands_file(
    *, users: Mapping[str, User], cal: WorkCalendar, now: datetime
) -> list[Demand]:
    """File the live demands so their triage deadlines fall a few working minutes after ``now``."""
    reminder = settings.MASHANG_REMINDER_BEFORE_MINUTES
    categories = Category.objects.in_bulk([c for _, c, *_ in LIVE_DEMANDS], field_name="code")
    filed = []
    for username, code, title, description, minutes in LIVE_DEMANDS:
        contact = users.get(username)
        category = categories.get(code)
        if contact is None or category is None:
            continue
        # The second one's reminder (not its deadline) comes 3 working minutes after ``now``.
        offset = minutes or reminder + 3
        due = cal.add_working_time(now, timedelta(minutes=offset))
        policy = Policy.of(category)
        filed_at = cal.add_working_time(due, -timedelta(hours=float(policy.triage_hours)))
        # Filed in working time, so it lands exactly on ``due``; never in the future.
        if triage_due(cal, policy, filed_at) != due or filed_at > now:
            continue
        filed.append(
            S.demand_submit(
                actor=contact,
                title=title,
                description=description,
                channel="web",
                category_code=code,
                at=filed_at,
            )
        )
    return filed
