"""Routing rules: which rule decides a demand, what an edit would change (the preview), the
writes (admins only, versioned, with revision and event) and the pages."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from mashang.audit.models import Event
from mashang.core.errors import Conflict, PermissionDenied, ValidationFailed
from mashang.demands.models import Demand
from mashang.demands.transitions import Action
from mashang.org.models import Category, Enterprise, Unit, User
from mashang.routing.models import Rule, RuleRevision
from mashang.routing.rules import (
    RuleSpec,
    decide,
    in_window,
    rule_matching,
    rule_preview,
    spec_matches,
)
from mashang.routing.services.rules import (
    MSG_LEAD_AMONG_CO,
    MSG_NAME_REQUIRED,
    MSG_UNKNOWN_CATEGORIES,
    rule_create,
    rule_move,
    rule_switch,
    rule_update,
)
from tests.kit.clocks import at
from tests.kit.factories import CategoryFactory, UnitFactory, UserFactory
from tests.kit.walk import act, submit

START = at(2026, 11, 2, 9, 0)


# --- matching, without a database ------------------------------------------------------------


def _demand(
    *, title="厂房用地红线", description="请协助复核。", category="land", channel="web",
    industry="", sub_district="", filed=START,
) -> Demand:
    d = Demand(title=title, description=description, channel=channel, submitted_at=filed)
    d.category = Category(pk=1, code=category) if category else None
    d.enterprise = Enterprise(pk=1, industry=industry, sub_district=sub_district)
    return d


def test_an_empty_rule_matches_every_demand():
    assert spec_matches(RuleSpec(lead_unit="x"), _demand())
    assert spec_matches(RuleSpec(lead_unit="x"), _demand(category=None))


@pytest.mark.parametrize(
    ("spec", "demand", "matches"),
    [
        (RuleSpec(categories=("land", "tax")), _demand(category="land"), True),
        (RuleSpec(categories=("tax",)), _demand(category="land"), False),
        (RuleSpec(categories=("tax",)), _demand(category=None), False),
        (RuleSpec(words=("停电", "供电")), _demand(title="园区突然停电"), True),
        (RuleSpec(words=("停电",)), _demand(description="上午园区停电三小时"), True),
        (RuleSpec(words=("WiFi",)), _demand(title="园区wifi不稳定"), True),  # any case
        (RuleSpec(words=("停电",)), _demand(), False),
        (RuleSpec(industries=("新能源",)), _demand(industry="新能源"), True),
        (RuleSpec(industries=("新能源",)), _demand(industry="纺织"), False),
        (RuleSpec(sub_districts=("东区", "西区")), _demand(sub_district="西区"), True),
        (RuleSpec(sub_districts=("东区",)), _demand(sub_district=""), False),
        (RuleSpec(channels=("phone", "hotline")), _demand(channel="hotline"), True),
        (RuleSpec(channels=("phone",)), _demand(channel="web"), False),
        # Every non-empty condition must hold.
        (RuleSpec(categories=("land",), words=("停电",)), _demand(category="land"), False),
        (
            RuleSpec(categories=("land",), words=("红线",), channels=("web",)),
            _demand(category="land"),
            True,
        ),
    ],
)
def test_each_condition_is_checked(spec, demand, matches):
    assert spec_matches(spec, demand) is matches


@pytest.mark.parametrize(
    ("filed", "matches"),
    [
        (at(2026, 11, 2, 22, 0), True),  # the window's start is in it
        (at(2026, 11, 2, 23, 59), True),
        (at(2026, 11, 3, 0, 30), True),  # after midnight
        (at(2026, 11, 3, 5, 59), True),
        (at(2026, 11, 3, 6, 0), False),  # its end is not
        (at(2026, 11, 2, 12, 0), False),
        (at(2026, 11, 2, 14, 0) - timedelta(hours=0), False),
    ],
)
def test_a_night_window_crosses_midnight_in_local_time(filed, matches):
    night = RuleSpec(filed_from=time(22, 0), filed_until=time(6, 0))
    assert spec_matches(night, _demand(filed=filed)) is matches


def test_a_day_window_and_open_ended_windows():
    day = RuleSpec(filed_from=time(9, 0), filed_until=time(12, 0))
    assert spec_matches(day, _demand(filed=at(2026, 11, 2, 9, 0)))
    assert not spec_matches(day, _demand(filed=at(2026, 11, 2, 12, 0)))
    # The time of day is the zone's: 02:00 UTC is 10:00 in Shanghai.
    from datetime import UTC, datetime

    assert spec_matches(day, _demand(filed=datetime(2026, 11, 2, 2, 0, tzinfo=UTC)))
    assert spec_matches(RuleSpec(filed_from=time(18, 0)), _demand(filed=at(2026, 11, 2, 19, 0)))
    assert not spec_matches(RuleSpec(filed_until=time(8, 0)), _demand(filed=at(2026, 11, 2, 9, 0)))


def test_the_first_active_matching_rule_decides_else_the_category_default():
    first = RuleSpec(words=("停电",), lead_unit="gds")
    second = RuleSpec(categories=("land",), lead_unit="zjj")
    off = RuleSpec(lead_unit="off", is_active=False)
    demand = _demand(title="园区停电")
    assert decide([off, first, second], demand) == "gds"
    assert decide([off, second, first], demand) == "zjj"
    unit = Unit(pk=9, code="zrzy")
    demand = _demand(category="tax")
    demand.category.default_lead_unit = unit
    assert decide([off, first, second], demand) == "zrzy"


times = st.times().map(lambda t: t.replace(second=0, microsecond=0))


@given(moment=times, start=times, until=times)
def test_a_window_and_its_reverse_split_the_day(moment, start, until):
    if start == until:
        return
    assert in_window(moment, start, until) != in_window(moment, until, start)


specs = st.builds(
    RuleSpec,
    is_active=st.booleans(),
    categories=st.lists(st.sampled_from(["land", "tax", "power"]), max_size=2).map(tuple),
    words=st.lists(st.sampled_from(["停电", "红线", "税"]), max_size=2).map(tuple),
    channels=st.lists(st.sampled_from(["web", "phone"]), max_size=1).map(tuple),
    lead_unit=st.sampled_from(["zrzy", "zjj", "gds"]),
)
demands = st.builds(
    _demand,
    title=st.sampled_from(["园区停电", "用地红线", "税务咨询", "其他"]),
    category=st.sampled_from(["land", "tax", "power"]),
    channel=st.sampled_from(["web", "phone"]),
)


@given(rules=st.lists(specs, max_size=5), new=specs, where=st.integers(0, 5), demand=demands)
def test_a_rule_switched_off_never_changes_a_decision(rules, new, where, demand):
    off = RuleSpec(**{**new.__dict__, "is_active": False})
    assert decide(rules, demand) == decide([*rules[:where], off, *rules[where:]], demand)


# --- the rule set in the database ------------------------------------------------------------


@pytest.fixture
def admin(zone):
    return UserFactory(username="admin", role=User.Role.ADMIN)


@pytest.fixture
def power(zone):
    """A power supply office, a category of its own routed to housing, and a grid category
    already routed to the power office."""
    gds = UnitFactory(code="gds", name="供电所")
    CategoryFactory(code="power", name="用电", default_lead_unit=zone.housing)
    CategoryFactory(code="grid", name="电网", default_lead_unit=gds)
    return gds


def _spec(**values) -> RuleSpec:
    values.setdefault("name", "规则")
    values.setdefault("lead_unit", "gds")
    return RuleSpec.build(**values)


def _dispatched(zone, n: int, title: str, category: str = "land", *, dispatch: bool = True) -> Demand:
    when = START + timedelta(minutes=10 * n)
    demand = submit(zone, when=when, title=title)
    demand = act(zone, Action.TRIAGE, "officer", demand, when=when + timedelta(minutes=1), category=category)
    if dispatch:
        demand = act(
            zone, Action.DISPATCH, "officer", demand, when=when + timedelta(minutes=2),
            lead_unit="zrzy", co_units=[],
        )
    return demand


def test_rule_matching_reads_the_rules_in_order_in_one_query(zone, admin, power, django_assert_num_queries):
    rule_create(actor=admin, spec=_spec(name="停电", words=["停电"]))
    off = rule_create(actor=admin, spec=_spec(name="全部", lead_unit="zjj"))
    rule_switch(actor=admin, rule_id=off.pk, version=off.version, is_active=False)
    land = rule_create(actor=admin, spec=_spec(name="用地", categories=["land"], lead_unit="zjj"))
    demand = _demand(title="园区停电")
    with django_assert_num_queries(1):
        assert rule_matching(demand).name == "停电"
    with django_assert_num_queries(1):
        assert rule_matching(_demand(title="红线")) == land
    rule_move(actor=admin, rule_id=land.pk, version=land.version, position=1)
    assert rule_matching(demand) == land
    assert list(Rule.objects.order_by("position").values_list("name", "position")) == [
        ("用地", 1), ("停电", 2), ("全部", 3),
    ]


@pytest.fixture
def history(zone, power, admin):
    """Ten demands and an earlier rule (fire safety → housing)."""
    rule_create(actor=admin, spec=_spec(name="消防", words=["消防"], lead_unit="zjj"))
    d = {
        "outage": _dispatched(zone, 1, "园区停电"),  # default zrzy → gds
        "redline": _dispatched(zone, 2, "厂房用地红线"),  # no rule matches either way
        "fire_outage": _dispatched(zone, 3, "消防泵房停电"),  # the earlier rule keeps it
        "power_supply": _dispatched(zone, 4, "供电线路改造", "power"),  # default zjj → gds
        "power_fire": _dispatched(zone, 5, "消防通道", "power"),  # earlier rule: zjj
        "grid_outage": _dispatched(zone, 6, "频繁停电", "grid"),  # already goes to gds
        "undispatched": _dispatched(zone, 7, "仓库停电", dispatch=False),  # never dispatched
        "capacity": _dispatched(zone, 8, "申请供电增容"),  # default zrzy → gds
        "tax": _dispatched(zone, 9, "税务咨询"),
        "grid": _dispatched(zone, 10, "电网接入"),
    }
    return d


def _numbers(preview) -> set[str]:
    return {row.number for row in preview.rows}


def test_a_new_rule_previews_exactly_the_dispatches_it_would_change(history):
    d = history
    preview = rule_preview(spec=_spec(name="停电", words=["停电", "供电"]))
    assert preview.checked == 9
    assert _numbers(preview) == {d["outage"].number, d["power_supply"].number, d["capacity"].number}
    assert preview.count == 3
    row = next(r for r in preview.rows if r.number == d["power_supply"].number)
    assert (row.before, row.after, row.before_name, row.after_name) == ("zjj", "gds", "住房和城乡建设局", "供电所")


def test_a_new_rule_placed_first_also_takes_what_the_earlier_rule_decided(history):
    d = history
    preview = rule_preview(spec=_spec(name="停电", words=["停电", "供电"], position=1))
    assert _numbers(preview) == {
        d["outage"].number, d["power_supply"].number, d["capacity"].number, d["fire_outage"].number,
    }


def test_switching_a_rule_off_previews_the_demands_it_decided_against_the_default(history):
    d = history
    fire = Rule.objects.get(name="消防")
    spec = RuleSpec.of(fire)
    preview = rule_preview(spec=RuleSpec(**{**spec.__dict__, "is_active": False}), rule_id=fire.pk)
    # The power category's default is housing too: only the land demand would change.
    assert _numbers(preview) == {d["fire_outage"].number}
    assert [(r.before, r.after) for r in preview.rows] == [("zjj", "zrzy")]
    assert rule_preview(spec=spec, rule_id=fire.pk).count == 0  # unchanged: nothing changes


def test_the_preview_replays_only_the_latest_dispatches(history):
    d = history
    preview = rule_preview(spec=_spec(name="停电", words=["停电", "供电"]), last=3)
    assert preview.checked == 3  # capacity, tax, grid: the three dispatched last
    assert _numbers(preview) == {d["capacity"].number}


def test_a_switched_off_new_rule_changes_no_dispatch(history):
    assert rule_preview(spec=_spec(name="停电", words=["停电"], is_active=False)).count == 0


# --- the writes ------------------------------------------------------------------------------


def test_create_writes_revision_and_event(zone, admin, power):
    rule = rule_create(actor=admin, spec=_spec(name="停电", words=["停电"], co_units=["zjj"], basis="YP-2026-001"))
    assert (rule.position, rule.version, rule.lead_unit, rule.co_units) == (1, 1, power, ["zjj"])
    revision = RuleRevision.objects.get(rule=rule)
    assert (revision.version, revision.actor, revision.snapshot["words"]) == (1, admin, ["停电"])
    event = Event.objects.get(subject_type="routing_rule", subject_id=rule.pk)
    assert (event.action, event.actor, event.reason) == ("create", admin, "YP-2026-001")

    rule = rule_update(actor=admin, rule_id=rule.pk, version=1, spec=_spec(name="停电", words=["断电"]))
    assert rule.version == 2
    assert list(rule.revisions.values_list("version", flat=True)) == [2, 1]
    update = Event.objects.filter(subject_type="routing_rule", action="update").get()
    assert update.payload["changed"]["words"] == [["停电"], ["断电"]]


def test_a_stale_version_is_refused_with_409(zone, admin, power):
    rule = rule_create(actor=admin, spec=_spec())
    rule_switch(actor=admin, rule_id=rule.pk, version=1, is_active=False)
    for call in (
        lambda: rule_update(actor=admin, rule_id=rule.pk, version=1, spec=_spec(name="新")),
        lambda: rule_move(actor=admin, rule_id=rule.pk, version=1, position=1),
        lambda: rule_switch(actor=admin, rule_id=rule.pk, version=1, is_active=True),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert caught.value.status_code == 409
    assert Rule.objects.get(pk=rule.pk).version == 2


@pytest.mark.parametrize("person", ["officer", "supervisor", "leader", "land_staff", "contact"])
def test_only_an_administrator_changes_rules(zone, admin, power, person):
    actor = getattr(zone, person)
    with pytest.raises(PermissionDenied) as caught:
        rule_create(actor=actor, spec=_spec())
    assert caught.value.status_code == 403
    rule = rule_create(actor=admin, spec=_spec())
    with pytest.raises(PermissionDenied):
        rule_switch(actor=actor, rule_id=rule.pk, version=1, is_active=False)
    assert Rule.objects.get().version == 1
    assert Event.objects.filter(subject_type="routing_rule").count() == 1


def test_bad_input_gets_a_message_per_field(zone, admin, power):
    with pytest.raises(ValidationFailed) as caught:
        rule_create(
            actor=admin,
            spec=RuleSpec(
                name="", categories=("nope",), channels=("fax",), lead_unit="gds",
                co_units=("gds", "ghost"), filed_from=time(8), filed_until=time(8),
            ),
        )
    fields = caught.value.fields
    assert fields["name"] == [str(MSG_NAME_REQUIRED)]
    assert fields["categories"] == [str(MSG_UNKNOWN_CATEGORIES).format(codes="nope")]
    assert str(MSG_LEAD_AMONG_CO) in fields["co_units"]
    assert any("ghost" in m for m in fields["co_units"])
    assert set(fields) >= {"channels", "filed_until"}
    assert caught.value.status_code == 422
    assert not Rule.objects.exists()


def test_moving_numbers_the_rules_in_order(zone, admin, power):
    a, b, c = (rule_create(actor=admin, spec=_spec(name=n)) for n in "abc")
    rule_move(actor=admin, rule_id=c.pk, version=c.version, position=1)
    assert list(Rule.objects.order_by("position").values_list("name", flat=True)) == ["c", "a", "b"]
    assert list(Rule.objects.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
    inserted = rule_create(actor=admin, spec=_spec(name="d", position=2))
    assert list(Rule.objects.order_by("position").values_list("name", flat=True)) == ["c", "d", "a", "b"]
    assert inserted.position == 2


# --- the pages -------------------------------------------------------------------------------


@pytest.fixture
def browser(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_the_list_shows_the_rules_in_order_to_admins_only(zone, admin, power, browser):
    rule_create(actor=admin, spec=_spec(name="甲规则"))
    rule_create(actor=admin, spec=_spec(name="乙规则"))
    page = browser.get(reverse("routing:rules")).content.decode()
    assert page.index("甲规则") < page.index("乙规则")
    assert reverse("routing:rules") in page  # the navigation's entry
    officer = Client()
    officer.force_login(zone.officer)
    assert officer.get(reverse("routing:rules")).status_code == 403
    assert officer.post(reverse("routing:rule-new"), {"name": "x", "lead_unit": "gds"}).status_code == 403
    assert not Rule.objects.filter(name="x").exists()


FORM = {"name": "停电", "is_active": "on", "words": "停电，供电", "lead_unit": "gds"}


def test_preview_lists_the_changes_before_saving(history, browser):
    d = history
    response = browser.post(reverse("routing:rule-preview"), FORM, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-count="3"' in html
    assert set(re.findall(r'data-demand="([^"]+)"', html)) == {
        d["outage"].number, d["power_supply"].number, d["capacity"].number,
    }
    assert not Rule.objects.filter(name="停电").exists()
    # Without htmx the form page shows the same list under the form.
    page = browser.post(reverse("routing:rule-preview"), FORM).content.decode()
    assert 'data-count="3"' in page and 'id="rule-form"' in page
    # An unknown unit is reported, not previewed.
    bad = browser.post(reverse("routing:rule-preview"), {**FORM, "lead_unit": "ghost"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422


def test_saving_from_the_form_and_editing_with_a_stale_version(zone, power, browser):
    response = browser.post(reverse("routing:rule-new"), {**FORM, "basis": "YP-2026-001 第3项"})
    assert response.status_code == 302
    rule = Rule.objects.get(name="停电")
    assert (rule.words, rule.basis, rule.lead_unit_id) == (["停电", "供电"], "YP-2026-001 第3项", power.pk)
    edit = reverse("routing:rule-edit", args=[rule.pk])
    assert "停电，供电" in browser.get(edit).content.decode()
    ok = browser.post(edit, {**FORM, "name": "停电供电", "rule": rule.pk, "version": 1})
    assert ok.status_code == 302
    stale = browser.post(edit, {**FORM, "name": "又改", "rule": rule.pk, "version": 1})
    assert stale.status_code == 409
    assert Rule.objects.get().name == "停电供电"
    history = browser.get(reverse("routing:rule-history", args=[rule.pk])).content.decode()
    assert 'data-version="2"' in history and 'data-version="1"' in history
    browser.post(reverse("routing:rule-act", args=[rule.pk, "off"]), {"version": 2})
    assert Rule.objects.get().is_active is False


def test_the_new_rule_page_takes_the_basis_from_the_meeting(zone, power, browser):
    page = browser.get(reverse("routing:rule-new"), {"basis": "YP-2026-001 第3项：园区供电"}).content.decode()
    assert 'value="YP-2026-001 第3项：园区供电"' in page


def test_the_demand_page_says_which_rule_decides(zone, admin, power):
    rule_create(actor=admin, spec=_spec(name="园区供电", words=["停电"], co_units=["zjj"], urgency="urgent"))
    rule_create(actor=admin, spec=_spec(name="园区供电2", words=["停电"], lead_unit="zrzy"))
    demand = submit(zone, title="园区停电")
    client = Client()
    client.force_login(zone.officer)
    html = client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert "规则 1“园区供电”：主办单位为供电所" in html  # the zone's language
    assert "住房和城乡建设局" in html.split("routing-rule", 1)[1].split("</div>", 1)[0]

