"""Registering a demand for an enterprise: the channels (phone, visit, chat, 12345 transfer),
a unit's walk-in, and the hotline's own deadline held on dispatch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mashang.audit.models import Event
from mashang.core.errors import Conflict, PermissionDenied, ValidationFailed
from mashang.demands import deadlines
from mashang.demands import services as S
from mashang.demands.models import Channel, Demand, Status
from mashang.demands.selectors import DemandFilters, demand_list
from mashang.demands.services.submit import MSG_EXTERNAL_DUE_PAST, MSG_EXTERNAL_DUPLICATE
from mashang.org.models import Enterprise
from tests.kit.clocks import at
from tests.kit.factories import valid_credit_code

MONDAY_9 = at(2026, 11, 2, 9, 0)


def register(zone, *, actor=None, when=MONDAY_9, **fields):
    fields.setdefault("title", "设备进口关税咨询")
    fields.setdefault("description", "企业来电咨询进口设备减免关税的办理流程。")
    fields.setdefault("channel", Channel.PHONE)
    fields.setdefault("enterprise_credit_code", zone.enterprise.credit_code)
    return S.demand_submit(actor=actor or zone.officer, at=when, **fields)


def hotline(zone, number="GD12345-20261102-0001", due=None, **fields):
    return register(
        zone,
        channel=Channel.HOTLINE,
        external_number=number,
        external_due_at=due or at(2026, 11, 4, 17, 0),
        **fields,
    )


@pytest.mark.parametrize("channel", [Channel.PHONE, Channel.VISIT, Channel.CHAT])
def test_an_officer_logs_a_call_a_visit_or_a_chat_for_an_enterprise(zone, channel):
    demand = register(zone, channel=channel, contact_name="王经理", contact_phone="13800001111")
    assert (demand.channel, demand.enterprise, demand.status) == (channel, zone.enterprise, Status.SUBMITTED)
    assert (demand.contact_name, demand.contact_phone) == ("王经理", "13800001111")
    assert demand.intake_unit is None and demand.external_number == ""
    event = Event.objects.get(subject_type="demand", subject_id=demand.pk)
    assert event.payload["channel"] == channel


def test_a_12345_transfer_keeps_its_order_number_and_the_hotlines_deadline(zone):
    demand = hotline(zone)
    demand.refresh_from_db()
    assert demand.channel == Channel.HOTLINE
    assert demand.external_number == "GD12345-20261102-0001"
    assert demand.external_due_at == at(2026, 11, 4, 17, 0)
    assert Event.objects.get(subject_id=demand.pk).payload["external_number"] == "GD12345-20261102-0001"


def test_a_12345_transfer_needs_its_order_number_and_a_deadline_in_the_future(zone):
    with pytest.raises(ValidationFailed) as missing:
        register(zone, channel=Channel.HOTLINE)
    assert set(missing.value.fields) == {"external_number", "external_due_at"}
    with pytest.raises(ValidationFailed) as past:
        hotline(zone, due=MONDAY_9 - timedelta(minutes=1))
    assert past.value.fields == {"external_due_at": [str(MSG_EXTERNAL_DUE_PAST)]}
    assert Demand.objects.count() == 0


def test_an_order_number_goes_with_a_12345_transfer_only(zone):
    with pytest.raises(ValidationFailed) as refused:
        register(zone, channel=Channel.PHONE, external_number="GD-1")
    assert "external_number" in refused.value.fields
    assert Demand.objects.count() == 0


def test_a_repeated_transfer_of_the_same_order_names_the_demand_it_became(zone):
    first = hotline(zone)
    with pytest.raises(Conflict) as refused:
        hotline(zone, title="同一工单再次转来")
    message = str(MSG_EXTERNAL_DUPLICATE).format(order="GD12345-20261102-0001", number=first.number)
    assert refused.value.message == message
    assert refused.value.fields == {"external_number": [message]}
    assert Demand.objects.count() == 1


def test_a_unit_registers_a_walk_in_that_it_sees_and_the_service_team_triages(zone):
    demand = register(zone, actor=zone.land_staff, channel=Channel.VISIT)
    assert demand.intake_unit == zone.land
    assert Event.objects.get(subject_id=demand.pk).payload["intake_unit"] == zone.land.code
    # The unit that received it sees it; another unit does not.
    assert list(demand_list(actor=zone.land_staff)) == [demand]
    assert list(demand_list(actor=zone.housing_staff)) == []
    # It waits in the service team's triage queue like any demand.
    queue = demand_list(actor=zone.officer, filters=DemandFilters(status=[Status.SUBMITTED]))
    assert demand in list(queue)
    # The unit does not triage it: only the service team does.
    with pytest.raises(PermissionDenied):
        S.demand_triage(actor=zone.land_staff, demand_id=demand.pk, version=demand.version, category="land")
    triaged = S.demand_triage(actor=zone.officer, demand_id=demand.pk, version=demand.version, category="land")
    assert triaged.status == Status.TRIAGED


def test_an_enterprise_contact_files_on_the_web_only_for_itself(zone):
    for channel in (Channel.PHONE, Channel.VISIT, Channel.CHAT, Channel.HOTLINE):
        with pytest.raises(ValidationFailed) as refused:
            register(zone, actor=zone.contact, channel=channel, enterprise_credit_code=None)
        assert "channel" in refused.value.fields
    with pytest.raises(ValidationFailed) as other:
        register(zone, actor=zone.contact, channel=Channel.WEB, enterprise_credit_code=zone.other_enterprise.credit_code)
    assert "enterprise_credit_code" in other.value.fields
    assert Demand.objects.count() == 0


def test_a_supervisor_registers_nothing(zone):
    with pytest.raises(PermissionDenied):
        register(zone, actor=zone.supervisor)


def test_every_field_at_fault_is_named_at_once(zone):
    with pytest.raises(ValidationFailed) as refused:
        register(
            zone,
            title=" ",
            description="",
            channel=Channel.HOTLINE,
            enterprise_credit_code="91440300MA5XXXXXX1",
            category_code="nope",
        )
    assert set(refused.value.fields) == {
        "title", "description", "external_number", "external_due_at", "enterprise_credit_code", "category",
    }


def test_an_enterprise_not_yet_registered_is_added_with_the_demand(zone):
    code = valid_credit_code()
    demand = register(zone, enterprise_credit_code=code, enterprise_name="万顺达精密机械有限公司")
    assert demand.enterprise.name == "万顺达精密机械有限公司" and demand.enterprise.credit_code == code
    with pytest.raises(ValidationFailed) as nameless:
        register(zone, enterprise_credit_code=valid_credit_code())
    assert "enterprise_name" in nameless.value.fields


def test_nothing_is_half_written_when_the_demand_is_refused(zone):
    code = valid_credit_code()
    enterprises, events = Enterprise.objects.count(), Event.objects.count()
    hotline(zone)
    with pytest.raises(Conflict):
        # A new enterprise with a repeated order: neither the enterprise nor a demand is written.
        hotline(zone, enterprise_credit_code=code, enterprise_name="新企业有限公司")
    with pytest.raises(ValidationFailed):
        register(zone, enterprise_credit_code=code, enterprise_name="新企业有限公司", title="")
    assert Enterprise.objects.count() == enterprises
    assert not Enterprise.objects.filter(credit_code=code).exists()
    assert Demand.objects.count() == 1 and Event.objects.count() == events + 1


# --- the hotline's deadline ------------------------------------------------------------------


def test_the_unit_deadlines_are_capped_by_the_hotlines_deadline():
    due = {"first_response_due_at": at(2026, 11, 2, 10, 0), "resolution_due_at": at(2026, 11, 9, 9, 0)}
    assert deadlines.held_to_hotline(due, None) == due
    assert deadlines.held_to_hotline(due, at(2026, 11, 4, 17, 0)) == {
        "first_response_due_at": at(2026, 11, 2, 10, 0),
        "resolution_due_at": at(2026, 11, 4, 17, 0),
    }
    assert deadlines.held_to_hotline(due, at(2026, 11, 20, 17, 0)) == due


def _dispatch(zone, demand, when):
    triaged = S.demand_triage(
        actor=zone.officer, demand_id=demand.pk, version=demand.version, category="land", at=when
    )
    return S.demand_dispatch(actor=zone.officer, demand_id=demand.pk, version=triaged.version, at=when)


def test_a_12345_order_is_resolved_by_the_hotlines_deadline_when_it_comes_first(zone):
    early = _dispatch(zone, hotline(zone, due=at(2026, 11, 4, 17, 0)), MONDAY_9 + timedelta(minutes=30))
    assert early.resolution_due_at == at(2026, 11, 4, 17, 0)
    # A plain call dispatched at the same moment has the zone's five working days.
    plain = _dispatch(zone, register(zone), MONDAY_9 + timedelta(minutes=30))
    assert plain.resolution_due_at > at(2026, 11, 6, 17, 0)
    # A hotline deadline later than the zone's own changes nothing.
    late = _dispatch(
        zone, hotline(zone, number="GD-LATE", due=at(2026, 12, 31, 17, 0)), MONDAY_9 + timedelta(minutes=30)
    )
    assert late.resolution_due_at == plain.resolution_due_at


# --- the API ----------------------------------------------------------------------------------


def test_the_api_registers_a_12345_transfer_once(zone, api):
    officer = api("officer")
    body = {
        "title": "12345 转办：园区道路路灯不亮",
        "description": "市民来电反映园区道路路灯不亮，转园区处理。",
        "channel": "hotline",
        "enterprise_credit_code": zone.enterprise.credit_code,
        "contact_name": "张先生",
        "contact_phone": "13600001234",
    }
    missing = officer.post("/api/v1/demands", body)
    assert missing.status_code == 422
    assert set(missing.json()["fields"]) >= {"external_number", "external_due_at"}
    due = (timezone.localtime() + timedelta(days=2)).isoformat()
    created = officer.post("/api/v1/demands", {**body, "external_number": "GD-API-1", "external_due_at": due})
    assert created.status_code == 201, created.content
    answer = created.json()
    assert (answer["channel"], answer["external_number"]) == ("hotline", "GD-API-1")
    assert answer["external_due_at"] is not None and answer["intake_unit"] is None
    repeated = officer.post("/api/v1/demands", {**body, "external_number": "GD-API-1", "external_due_at": due})
    assert repeated.status_code == 409
    assert answer["number"] in repeated.json()["fields"]["external_number"][0]
    walk_in = api("unit-zrzy").post("/api/v1/demands", {**body, "channel": "visit"})
    assert walk_in.status_code == 201 and walk_in.json()["intake_unit"]["code"] == "zrzy"
