"""Filing: who the enterprise's contact is, whichever channel the demand came in on."""

from __future__ import annotations

from tests.kit.walk import submit


def test_an_officer_logging_a_call_does_not_become_the_enterprise_contact(zone):
    zone.officer.phone = "0760-88880000"
    zone.officer.save()
    demand = submit(
        zone, actor=zone.officer, channel="phone", enterprise_credit_code=zone.enterprise.credit_code
    )
    assert demand.enterprise == zone.enterprise
    assert (demand.contact_name, demand.contact_phone) == ("", "")
    named = submit(
        zone,
        actor=zone.officer,
        channel="phone",
        enterprise_credit_code=zone.enterprise.credit_code,
        contact_name="王经理",
        contact_phone="13800000000",
    )
    assert (named.contact_name, named.contact_phone) == ("王经理", "13800000000")


def test_an_enterprise_contact_filing_for_itself_is_the_contact(zone):
    zone.contact.phone = "13900000000"
    zone.contact.save()
    demand = submit(zone)
    assert (demand.contact_name, demand.contact_phone) == (str(zone.contact), "13900000000")
