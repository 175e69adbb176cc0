"""Load the demo zone into a database, find out whether it is there, and wipe what it owns.

The demo marks itself with one audit event (subject ``demo``, action ``load``) whose
payload holds the seed, ``until`` and sizes; it is written in the same transaction as the
data, so a database has either the whole demo and its marker or neither.

What the demo owns, and ``--force`` wipes: the enterprises whose contact is a demo
enterprise user (``ent001``…), their demands with their events and assignments, those
users, the demo's investment projects with their land-start runs and events, the bundle
template the demo installed (:mod:`mashang.demo.projects`), the review meetings the demo's
staff called with the action items they opened (:mod:`mashang.demo.meetings`), and the marker. Units,
categories and the other demo users are updated in place on the next load rather than
deleted, because other data may refer to them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError
from django.utils import timezone

from mashang.audit.models import Event
from mashang.audit.services import event_record
from mashang.core.errors import ApplicationError
from mashang.core.numbering import numbers_continue
from mashang.demands.models import Assignment, Demand, NumberSequence
from mashang.demands.models import Kind as DemandKind
from mashang.demo import reference as ref
from mashang.demo.live import live_demands_file
from mashang.demo.meetings import DemoMeetings, demo_meetings_wipe
from mashang.demo.plan import DemoPlan, demo_plan
from mashang.demo.projects import demo_projects_load, demo_projects_wipe
from mashang.demo.simulate import Player, PlayStats
from mashang.demo.sweeps import SweepReplay, demo_notices_wipe
from mashang.meetings.models import Meeting
from mashang.org.models import Category, Enterprise, Unit, User
from mashang.projects.models import Project
from mashang.workcal.selectors import calendar_get

MARKER_SUBJECT = "demo"
MARKER_ACTION = "load"
CONTACT_USERNAME = re.compile(r"^ent\d{3}$")
MAX_ENTERPRISES = 999  # contacts are ent001…ent999

MSG_OTHER_DEMO = (
    "另一套演示数据已经载入（种子 {seed}，截至 {until}，{demands} 条诉求，{enterprises} 家企业）。"
    "加 --force 清除它后重新载入。"
)
MSG_ENTANGLED = (
    "无法清除演示数据：其他数据引用了演示企业或演示用户（{what} 等）。"
    "请先处理这些数据，或换一个空数据库。"
)
MSG_NOT_EMPTY = (
    "数据库里已有不属于演示的数据（{what}），load_demo 只往空数据库里载入。"
    "加 --force 先清除演示拥有的数据（演示企业及其诉求和投资项目、ent 用户），更新演示单位、类别和人员，再载入。"
)


class DemoRefused(ApplicationError):
    """The database is not one the demo may be loaded into as asked."""


@dataclass(frozen=True)
class DemoOptions:
    seed: int
    until: date
    demands: int
    enterprises: int

    def payload(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "until": self.until.isoformat(),
            "demands": self.demands,
            "enterprises": self.enterprises,
        }


@dataclass
class LoadResult:
    options: DemoOptions
    stats: PlayStats
    statuses: Counter = field(default_factory=Counter)
    users: int = 0
    meetings: int = 0
    action_items: int = 0


def demo_marker() -> dict | None:
    """The payload of the demo loaded in this database, or None."""
    event = (
        Event.objects.filter(subject_type=MARKER_SUBJECT, action=MARKER_ACTION)
        .order_by("-id")
        .first()
    )
    return dict(event.payload) if event else None


def demo_matches(marker: dict, options: DemoOptions, *, until_given: bool) -> bool:
    """Whether ``marker`` is the demo ``options`` asks for (any ``until`` if none was given)."""
    same = (
        marker.get("seed") == options.seed
        and marker.get("demands") == options.demands
        and marker.get("enterprises") == options.enterprises
    )
    return same and (not until_given or marker.get("until") == options.until.isoformat())


def demo_foreign_data() -> list[str]:
    """What keeps the database from counting as empty (when no demo is loaded)."""
    demo_names = [p[0] for p in ref.STAFF_USERS]
    found = []
    for label, count in (
        ("诉求", Demand.objects.count()),
        ("企业", Enterprise.objects.count()),
        ("单位", Unit.objects.count()),
        ("诉求类别", Category.objects.count()),
        ("投资项目", Project.objects.count()),
        ("研判会议", Meeting.objects.count()),
        (
            "与演示同名的用户",
            User.objects.filter(username__in=demo_names).count()
            + User.objects.filter(username__regex=r"^(unit|head)-|^ent\d{3}$").count(),
        ),
    ):
        if count:
            found.append(f"{label} {count} 个")
    return found


def demo_check(options: DemoOptions, *, until_given: bool) -> dict | None:
    """None when the demo may be loaded; the marker when this very demo is already loaded.

    Raises :class:`DemoRefused` when another demo or other data is in the way.
    """
    marker = demo_marker()
    if marker is not None:
        if demo_matches(marker, options, until_given=until_given):
            return marker
        raise DemoRefused(
            MSG_OTHER_DEMO.format(
                **{k: marker.get(k, "?") for k in ("seed", "until", "demands", "enterprises")}
            )
        )
    foreign = demo_foreign_data()
    if foreign:
        raise DemoRefused(MSG_NOT_EMPTY.format(what="，".join(foreign)))
    return None


def demo_wipe() -> int:
    """Delete what the demo owns (see the module docstring); the number of demands deleted."""
    try:
        return _wipe()
    except ProtectedError as exc:
        blocking = sorted(
            {f"{o._meta.verbose_name} #{o.pk}" for o in list(exc.protected_objects)[:5]}
        )
        raise DemoRefused(MSG_ENTANGLED.format(what="、".join(blocking))) from exc


def _wipe() -> int:
    with transaction.atomic():
        marker = demo_marker()
        demo_meetings_wipe()  # first: their agendas refer to the demo's demands and projects
        contacts = User.objects.filter(username__regex=CONTACT_USERNAME.pattern)
        enterprise_ids = set(
            contacts.exclude(enterprise=None).values_list("enterprise_id", flat=True)
        )
        demand_ids = set(
            Demand.objects.filter(enterprise_id__in=enterprise_ids).values_list("pk", flat=True)
        )
        frontier = demand_ids
        while frontier:  # duplicates of other enterprises merged into demo demands go with them
            frontier = (
                set(Demand.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
                - demand_ids
            )
            demand_ids |= frontier
        ids = sorted(demand_ids)
        for chunk in _chunks(ids):
            Event.objects.filter(subject_type="demand", subject_id__in=chunk).delete()
            Assignment.objects.filter(demand_id__in=chunk).delete()
            demo_notices_wipe(chunk)  # the notices the replayed sweep raised on them
        remaining = Demand.objects.filter(pk__in=ids)
        while remaining.exists():  # a merged demand before the one it was merged into
            leaves = remaining.filter(~Exists(Demand.objects.filter(merged_into=OuterRef("pk"))))
            leaf_ids = list(leaves.values_list("pk", flat=True))
            for chunk in _chunks(leaf_ids):
                Demand.objects.filter(pk__in=chunk).delete()
        demo_projects_wipe(enterprise_ids=enterprise_ids, marker=marker)
        contacts.delete()
        Enterprise.objects.filter(pk__in=enterprise_ids).delete()
        Event.objects.filter(subject_type=MARKER_SUBJECT).delete()
        numbers_continue(NumberSequence, Demand)
    return len(ids)


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def demo_load(
    options: DemoOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
    now: Callable[[], datetime] | None = None,
) -> LoadResult:
    """Generate the demo for ``options`` and play it through the services, all in one transaction.

    The supervision sweep is replayed as the year is played (:mod:`mashang.demo.sweeps`), up to
    the demo's "now": the moment of the load when ``until`` is today (with a few demands falling
    due in the next minutes, :mod:`mashang.demo.live`), else the start of ``until``. ``now``
    reads the clock (tests give their own)."""
    now = now or timezone.now
    if not 1 <= options.enterprises <= MAX_ENTERPRISES:
        raise DemoRefused(f"--enterprises 应在 1 到 {MAX_ENTERPRISES} 之间")
    if options.demands < 0:
        raise DemoRefused("--demands 不能为负数")
    cal = calendar_get()
    plan = demo_plan(
        seed=options.seed,
        until=options.until,
        demands=options.demands,
        enterprises=options.enterprises,
        cal=cal,
    )
    with transaction.atomic():
        users = _setup_org(plan)
        unit_codes = dict(Unit.objects.values_list("pk", "code"))
        sweeps = SweepReplay(cal=cal, start=plan.start, end=plan.horizon)
        player = Player(plan=plan, users=users, unit_codes=unit_codes, cal=cal, sweeps=sweeps)
        meetings = DemoMeetings(
            plan=plan, users=users, unit_codes=unit_codes, cal=cal, player=player
        )
        stats = player.play(progress=progress, acts=meetings.courses())
        sweeps.run_until(plan.horizon)
        # The projects are played after the demands, from the start of the year again: their
        # own replay sweeps at their blockers' deadlines (the demands' notices are all raised).
        project_sweeps = SweepReplay(cal=cal, start=plan.start, end=plan.horizon, nightly=False)
        projects = demo_projects_load(
            plan=plan,
            users=users,
            cal=cal,
            land_reviews=meetings.land_reviews,
            now=now,
            sweeps=project_sweeps,
        )
        loaded_at = now()
        live = plan.horizon <= loaded_at < plan.horizon + timedelta(days=1)
        if live:
            live_demands_file(users=users, cal=cal, now=loaded_at)
        # Up to the load, or to the last moment before the demo's "now" (nothing happens at it).
        project_sweeps.catch_up(loaded_at if live else plan.horizon - timedelta(seconds=1))
        stats.sweeps = sweeps.sweeps + project_sweeps.sweeps
        stats.notices = sweeps.raised + project_sweeps.raised
        made = meetings.payload()
        event_record(
            subject_type=MARKER_SUBJECT,
            subject_id=0,
            action=MARKER_ACTION,
            actor=users["admin"],
            at=plan.horizon,
            payload={**options.payload(), **projects.payload(), **made},
        )
    statuses = _statuses(plan)
    return LoadResult(
        options=options,
        stats=stats,
        statuses=statuses,
        users=len(users),
        meetings=int(made["meetings"]),
        action_items=int(made["action_items"]),
    )


def _statuses(plan: DemoPlan) -> Counter:
    numbers = {e.credit_code for e in plan.enterprises}
    return Counter(
        Demand.objects.filter(
            enterprise__credit_code__in=numbers, kind=DemandKind.DEMAND
        ).values_list("status", flat=True)
    )


def _setup_org(plan: DemoPlan) -> dict[str, User]:
    """Units, categories, enterprises and people of the demo; returns the people by username."""
    units: dict[str, Unit] = {}
    for spec in ref.UNITS:
        units[spec.code], _ = Unit.objects.update_or_create(
            code=spec.code, defaults={"name": spec.name, "kind": spec.kind, "is_active": True}
        )
    for spec in ref.CATEGORIES:
        Category.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "hint": spec.hint,
                "default_lead_unit": units[spec.lead],
                "triage_hours": spec.triage_hours,
                "first_response_hours": spec.first_response_hours,
                "interim_reply_days": spec.interim_reply_days,
                "resolution_days": spec.resolution_days,
                "is_active": True,
            },
        )

    Enterprise.objects.bulk_create(
        [
            Enterprise(
                credit_code=e.credit_code, name=e.name, industry=e.industry.name, address=e.address
            )
            for e in plan.enterprises
        ]
    )
    found = Enterprise.objects.in_bulk(
        [e.credit_code for e in plan.enterprises], field_name="credit_code"
    )
    by_number = {e.number: found[e.credit_code] for e in plan.enterprises}
    for e in plan.enterprises:  # created_at is set on insert; the demo dates it back
        by_number[e.number].created_at = e.registered_at
    Enterprise.objects.bulk_update(list(by_number.values()), ["created_at"])

    # Hashed once (with one salt): every demo user has the same, published password.
    password = make_password(ref.DEMO_PASSWORD)
    joined = plan.start - timedelta(days=30)
    loaded_at = timezone.now()
    existing = {
        u.username: u for u in User.objects.filter(username__in=[p.username for p in plan.people])
    }
    to_create, to_update = [], []
    for person in plan.people:
        user = existing.get(person.username) or User(username=person.username)
        user.role = person.role
        user.display_name = person.display_name
        user.phone = person.phone
        user.unit = units[person.unit] if person.unit else None
        user.enterprise = by_number[person.enterprise] if person.enterprise else None
        user.is_active = True
        user.is_staff = person.role == User.Role.ADMIN
        user.is_superuser = person.role == User.Role.ADMIN
        user.password = password
        # The password policy's expiry counts from here (mashang.org.passwords): the demo's
        # people sign in without being sent to change it for MASHANG_PASSWORD_MAX_DAYS.
        user.password_changed_at = loaded_at
        user.date_joined = joined
        (to_update if user.pk else to_create).append(user)
    User.objects.bulk_create(to_create)
    User.objects.bulk_update(
        to_update,
        [
            "role",
            "display_name",
            "phone",
            "unit",
            "enterprise",
            "is_active",
            "is_staff",
            "is_superuser",
            "password",
            "password_changed_at",
            "date_joined",
        ],
    )
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[p.username for p in plan.people]).select_related(
            "enterprise", "unit"
        )
    }
    for spec in ref.UNITS:
        units[spec.code].head = users[f"head-{spec.code}"]
    Unit.objects.bulk_update(list(units.values()), ["head"])
    return users
