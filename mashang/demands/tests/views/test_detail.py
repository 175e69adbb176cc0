"""A demand's page: what each party sees, the action forms it is offered, and acting through them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mashang.audit.models import Event
from mashang.demands.models import Assignment, Demand, Status
from mashang.demands.selectors import demand_get
from tests.kit.walk import PERSON_OF, submit, walk_to, with_head

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _the_land_head_plays_a_part(zone):
    with_head(zone)


def detail_url(demand) -> str:
    return reverse("demands:detail", args=[demand.pk])


def act_url(demand, action: str) -> str:
    return reverse("demands:act", args=[demand.pk, action])


def offered(html: str) -> set[str]:
    """The actions whose forms a page renders."""
    return set(re.findall(r'<form method="post" action="/demands/\d+/act/([a-z-]+)/"', html))


def events_of(demand) -> list[str]:
    return list(
        Event.objects.filter(subject_type="demand", subject_id=demand.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize(
    "status",
    [s for s in Status.values if s not in (Status.MERGED,)],
)
def test_only_the_allowed_action_forms_are_rendered(zone, as_, status):
    demand = walk_to(zone, status)
    for person in sorted(set(PERSON_OF.values())):
        response = as_(person).get(detail_url(demand))
        actor = getattr(zone, person)
        try:
            allowed = demand_get(actor=actor, demand_id=demand.pk).allowed_actions
        except Exception:
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        expected = {"triage-dispatch" if a == "triage" else a for a in allowed}
        assert offered(response.content.decode()) == expected, (person, status)


def test_an_enterprise_sees_no_dispatch_form_and_a_co_unit_no_reply_form(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    assert offered(as_("contact").get(detail_url(demand)).content.decode()) == {"withdraw"}
    assert "reply" not in offered(as_("housing_staff").get(detail_url(demand)).content.decode())
    assert {"reply", "assess", "wait", "return", "extend"} <= offered(
        as_("land_staff").get(detail_url(demand)).content.decode()
    )
    # Posting a form one is not offered is refused on the server all the same.
    response = as_("housing_staff").post(
        act_url(demand, "reply"), {"version": demand.version, "reply": "x"}
    )
    assert response.status_code == 403
    assert Demand.objects.get(pk=demand.pk).status == Status.IN_PROGRESS


def test_the_detail_shows_facts_deadlines_and_timeline(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    html = as_("contact").get(detail_url(demand)).content.decode()
    for text in (
        demand.number,
        zone.enterprise.name,
        zone.category.name,
        zone.land.name,
        zone.housing.name,
    ):
        assert text in html
    assert html.count("data-countdown") >= 1
    assert "Awaiting triage" in html and "Dispatched" in html  # from → to in the timeline
    # The first-contact note is internal (demands.disclosure): the unit reads it, the enterprise not.
    assert "已电话联系企业" not in html
    assert "已电话联系企业" in as_("land_staff").get(detail_url(demand)).content.decode()
    assert "Service officer" in html  # the role of who did it


def test_the_officer_triages_and_dispatches_from_one_form(zone, as_):
    demand = submit(zone)
    client = as_("officer")
    html = client.get(detail_url(demand)).content.decode()
    assert "triage-dispatch" in offered(html) and "triage" not in offered(html)
    assert 'name="co_units"' in html and 'name="lead_unit"' in html and 'name="urgency"' in html
    response = client.post(
        act_url(demand, "triage-dispatch"),
        {
            "version": demand.version,
            "category": "land",
            "urgency": "urgent",
            "lead_unit": "",  # the category's default: natural resources
            "co_units": ["zjj"],
            "note": "请尽快联系企业",
        },
    )
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED and demand.urgency == "urgent"
    assert events_of(demand) == ["submit", "triage", "dispatch"]
    assert demand.version == 3
    assert demand.first_response_due_at and demand.interim_reply_due_at and demand.resolution_due_at
    roles = dict(Assignment.objects.filter(demand=demand).values_list("unit__code", "role"))
    assert roles == {"zrzy": "lead", "zjj": "co"}


def test_a_refused_dispatch_leaves_the_demand_triaged_and_says_why(zone, as_):
    demand = submit(zone)
    response = as_("officer").post(
        act_url(demand, "triage-dispatch"),
        {
            "version": demand.version,
            "category": "land",
            "urgency": "normal",
            "lead_unit": "zrzy",
            "co_units": ["zrzy"],
        },
    )
    assert response.status_code == 422
    demand.refresh_from_db()
    assert demand.status == Status.TRIAGED and events_of(demand) == ["submit", "triage"]
    html = response.content.decode()
    assert "accepted and classified, but not dispatched" in html
    assert "The lead unit cannot also be a co-unit." in html
    # The dispatch form is open again, carrying the new version.
    assert "dispatch" in offered(html)
    assert f'name="version" value="{demand.version}"' in html


def test_the_dispatch_form_defaults_to_the_category_lead_unit(zone, as_):
    demand = walk_to(zone, Status.RETURNED)
    html = as_("officer").get(detail_url(demand)).content.decode()
    assert '<option value="zrzy" selected>' in html
    assert "不属于本单位职责" in html  # the return reason on the timeline


def test_the_unit_sees_it_in_its_queue_and_replies(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    lead = as_("land_staff")
    queue = lead.get(reverse("demands:unit")).content.decode()
    assert demand.title in queue and "Lead unit" in queue
    assert "Co-unit" in as_("housing_staff").get(reverse("demands:unit")).content.decode()
    response = lead.post(
        act_url(demand, "reply"), {"version": demand.version, "reply": "已现场复核，红线无误"}
    )
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == Status.REPLIED and demand.reply == "已现场复核，红线无误"


def test_an_htmx_action_answers_with_the_detail_body(zone, as_):
    demand = walk_to(zone, Status.DISPATCHED)
    response = as_("land_staff").post(
        act_url(demand, "respond"),
        {"version": demand.version, "note": "已联系", "method": "phone", "contact_with": "李经理"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="demand-body"') and "<html" not in html
    assert "Done: first contact." in html
    assert Demand.objects.get(pk=demand.pk).status == Status.IN_PROGRESS


def test_a_stale_version_gets_409_with_a_reload_link(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    response = as_("land_staff").post(
        act_url(demand, "reply"), {"version": demand.version - 1, "reply": "答复"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed by someone else" in html
    assert "Reload the demand" in html and f'href="{detail_url(demand)}"' in html
    assert Demand.objects.get(pk=demand.pk).status == Status.IN_PROGRESS
    # Through htmx the same answer is swapped in (app.js lets 409 through).
    response = as_("land_staff").post(
        act_url(demand, "reply"),
        {"version": demand.version - 1, "reply": "答复"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409 and "Reload the demand" in response.content.decode()


def test_missing_fields_get_422_with_the_field_message(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    response = as_("land_staff").post(
        act_url(demand, "return"), {"version": demand.version, "reason": ""}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required." in html
    assert '<details class="action" id="action-return" open>' in html


def test_an_unknown_action_or_an_invisible_demand_is_404(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    assert as_("land_staff").post(act_url(demand, "delete"), {"version": 1}).status_code == 404
    other = as_("other_contact")
    assert other.get(detail_url(demand)).status_code == 404
    assert other.post(act_url(demand, "withdraw"), {"version": demand.version}).status_code == 404
    assert as_("contact").get(act_url(demand, "withdraw")).status_code == 405


def test_the_enterprise_confirms_and_rates(zone, as_):
    demand = walk_to(zone, Status.REPLIED)
    client = as_("contact")
    html = client.get(detail_url(demand)).content.decode()
    assert offered(html) == {"confirm"}
    for label in ("Satisfied", "Basically satisfied", "Unsatisfied"):
        assert label in html
    response = client.post(
        act_url(demand, "confirm"),
        {"version": demand.version, "resolved": "yes", "rating": "basic", "comment": "答复及时"},
        follow=True,
    )
    assert response.status_code == 200
    demand.refresh_from_db()
    assert (demand.status, demand.resolved, demand.rating) == (Status.CLOSED, True, "basic")
    assert "Basically satisfied" in response.content.decode()
    assert "答复及时" in response.content.decode()


def test_not_resolved_reopens_on_the_enterprise_page(zone, as_):
    demand = walk_to(zone, Status.UNRESOLVED)
    client = as_("contact")
    assert "reopen" in offered(client.get(detail_url(demand)).content.decode())
    response = client.post(
        act_url(demand, "reopen"), {"version": demand.version, "reason": "问题依旧"}
    )
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED and demand.round == 2


def test_the_officer_merges_a_duplicate(zone, as_):
    keeper = submit(zone, title="同一个问题")
    duplicate = submit(zone, title="同一个问题（重复）")
    response = as_("officer").post(
        act_url(duplicate, "merge"),
        {"version": duplicate.version, "into": keeper.number, "reason": "重复"},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into_id == keeper.pk
    assert keeper.number in as_("officer").get(detail_url(duplicate)).content.decode()


def test_the_extension_is_asked_and_decided_on_the_page(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    assert (
        as_("land_staff")
        .post(
            act_url(demand, "extend"),
            {"version": demand.version, "days": "2", "reason": "需要现场勘测"},
        )
        .status_code
        == 302
    )
    demand.refresh_from_db()
    html = as_("supervisor").get(detail_url(demand)).content.decode()
    assert {"approve-extension", "refuse-extension"} <= offered(html)
    assert (
        as_("supervisor")
        .post(act_url(demand, "approve-extension"), {"version": demand.version, "note": "同意"})
        .status_code
        == 302
    )
    assert Demand.objects.get(pk=demand.pk).extension_requested_days is None


def test_the_enterprise_answers_the_units_question(zone, as_):
    demand = walk_to(zone, Status.WAITING)
    client = as_("contact")
    html = client.get(detail_url(demand)).content.decode()
    assert "resume" in offered(html) and "请提供宗地图" in html and "The unit asks:" in html
    response = client.post(
        act_url(demand, "resume"), {"version": demand.version, "answer": "已上传宗地图"}
    )
    assert response.status_code == 302
    assert Demand.objects.get(pk=demand.pk).status == Status.IN_PROGRESS
