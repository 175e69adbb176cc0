"""Who an audience reaches: the same people and robots whether it is looked up alone (one
move's message) or with others in one go (a sweep, a worker's pass)."""

from __future__ import annotations

from mashang.notify.models import ChatRobot, Platform
from mashang.notify.recipients import Audience, audiences_resolve
from mashang.org.models import Unit, User
from tests.kit.factories import UnitFactory, UserFactory

R = User.Role


def _names(resolved):
    people, robots = resolved
    return {p.username for p in people}, {r.name for r in robots}


def test_an_audience_reaches_the_same_alone_and_in_a_batch(zone):
    # A head named on the land unit who works in another unit, and a head by role.
    named_head = UserFactory(username="head-named", role=R.UNIT_HEAD, unit=zone.housing)
    zone.land.head = named_head
    zone.land.save()
    UserFactory(username="head-zrzy", role=R.UNIT_HEAD, unit=zone.land)
    UserFactory(username="gone", role=R.UNIT_STAFF, unit=zone.land, is_active=False)
    team = UnitFactory(code="fwzx", name="企业服务中心", kind=Unit.Kind.SERVICE_TEAM)
    for name, unit in (("专职小组群", team), ("自然资源工作群", zone.land), ("住建工作群", zone.housing)):
        ChatRobot.objects.create(name=name, platform=Platform.WECOM, webhook_url="http://127.0.0.1:9/x", unit=unit)
    audiences = [
        Audience.service_team(),
        Audience.of_units([zone.land.pk]),
        Audience.of_units([zone.housing.pk], robots=False),
        Audience.of_units([zone.land.pk, zone.housing.pk]).excluding(zone.land_staff),
        Audience.of_roles(R.SUPERVISOR) | Audience.contacts(zone.enterprise.pk),
        Audience(users=[zone.officer.pk, zone.other_contact.pk], robots_of_units=[zone.housing.pk]),
    ]
    batch = audiences_resolve(audiences)
    for audience in audiences:
        assert _names(batch[audience]) == _names(audiences_resolve([audience])[audience]), audience
    # and what each reaches is what the rule says
    assert _names(batch[audiences[0]]) == ({"officer"}, {"专职小组群"})
    assert _names(batch[audiences[1]]) == ({"unit-zrzy", "head-zrzy", "head-named"}, {"自然资源工作群"})
    assert _names(batch[audiences[2]]) == ({"unit-zjj", "head-named"}, set())
    assert _names(batch[audiences[3]])[0] == {"head-zrzy", "head-named", "unit-zjj"}
    assert _names(batch[audiences[4]]) == ({"supervisor", "ent-a"}, set())
    assert _names(batch[audiences[5]]) == ({"officer", "ent-b"}, {"住建工作群"})
