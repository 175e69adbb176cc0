"""Who a message reaches, said as a rule (an :class:`Audience`), and the people and chat robots
the rule names at a given moment.

Every domain that tells someone something (a demand dispatched, a land-start step ready, a
supervision notice) says it here, so each rule lives once. A message keeps its audience as
the rule: it is resolved into people and robots when the message is fanned out, in the move's
own transaction or by the worker (see :mod:`mashang.notify.services`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from django.db.models import Exists, OuterRef, Q

from mashang.notify.models import ChatRobot, NotificationPreference
from mashang.org.models import Unit, User

R = User.Role


def _ids(values: Iterable[Any]) -> tuple:
    return tuple(sorted({v for v in values if v is not None}))


@dataclass(frozen=True)
class Audience:
    """The people and work groups a message is for.

    - ``users``, ``robots``: these people and chat robots, by id;
    - ``roles``: every active person with one of these roles (``officer``, ``supervisor``…);
    - ``people_of_units``: the units' staff and heads, and the heads named on them;
    - ``robots_of_units``: the units' work-group chat robots;
    - ``service_team_robots``: the chat robots of the service team's units;
    - ``contacts_of``: the contacts of these enterprises;
    - ``except_user``: left out whatever else says (the person who acted is not told of their own act).

    Only active people and robots are reached, and only robots whose unit lets them receive
    messages (``ChatRobot.receives_messages``). Build it with the class methods and ``|``.
    """

    users: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    people_of_units: tuple[int, ...] = ()
    robots_of_units: tuple[int, ...] = ()
    service_team_robots: bool = False
    contacts_of: tuple[int, ...] = ()
    robots: tuple[int, ...] = ()
    except_user: int | None = None

    def __post_init__(self) -> None:
        # One spelling per audience: the same rule is the same key when a pass resolves many.
        for name in ("users", "roles", "people_of_units", "robots_of_units", "contacts_of", "robots"):
            object.__setattr__(self, name, _ids(getattr(self, name)))

    @classmethod
    def of_units(cls, unit_ids: Iterable[int], *, robots: bool = True) -> Audience:
        """A unit's messages: its people and (unless ``robots=False``) its work groups."""
        ids = _ids(unit_ids)
        return cls(people_of_units=ids, robots_of_units=ids if robots else ())

    @classmethod
    def service_team(cls) -> Audience:
        """The service officers and the service team's work groups."""
        return cls(roles=(R.OFFICER,), service_team_robots=True)

    @classmethod
    def of_roles(cls, *roles: str) -> Audience:
        return cls(roles=roles)

    @classmethod
    def contacts(cls, enterprise_id: int) -> Audience:
        return cls(contacts_of=(enterprise_id,))

    @classmethod
    def of(cls, *, people: Iterable[User] = (), robots: Iterable[ChatRobot] = ()) -> Audience:
        """Exactly these people and robots."""
        return cls(users=[p.pk for p in people if p is not None], robots=[r.pk for r in robots if r is not None])

    def __or__(self, other: Audience) -> Audience:
        return Audience(
            users=self.users + other.users,
            roles=self.roles + other.roles,
            people_of_units=self.people_of_units + other.people_of_units,
            robots_of_units=self.robots_of_units + other.robots_of_units,
            service_team_robots=self.service_team_robots or other.service_team_robots,
            contacts_of=self.contacts_of + other.contacts_of,
            robots=self.robots + other.robots,
            except_user=self.except_user if self.except_user is not None else other.except_user,
        )

    def excluding(self, user: User | None) -> Audience:
        if user is None:
            return self
        return replace(self, except_user=user.pk)

    def is_empty(self) -> bool:
        return not (
            self.users
            or self.roles
            or self.people_of_units
            or self.robots_of_units
            or self.service_team_robots
            or self.contacts_of
            or self.robots
        )

    def as_json(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def audiences_resolve(audiences: Iterable[Audience]) -> dict[Audience, tuple[list[User], list[ChatRobot]]]:
    """The active people and chat robots each audience names now (each list by id), for many
    audiences at once: at most three queries however many there are (a sweep's notices).

    Each person comes with ``wants_email``: False when they turned e-mail off
    (:class:`NotificationPreference`), read in the same query."""
    audiences = list(dict.fromkeys(audiences))
    units = {u for a in audiences for u in a.people_of_units}
    # The heads named on the units: with the people in the same query when every audience
    # names the same units (one message, the common case); otherwise mapped unit by unit first.
    heads_joined = len({a.people_of_units for a in audiences if a.people_of_units}) == 1
    heads: dict[int, int] = {}
    if units and not heads_joined:
        heads = dict(Unit.objects.filter(pk__in=units, head__isnull=False).values_list("pk", "head_id"))
    users = {u for a in audiences for u in a.users} | set(heads.values())
    roles = {r for a in audiences for r in a.roles}
    contacts = {e for a in audiences for e in a.contacts_of}
    who: list[Q] = []
    if users:
        who.append(Q(pk__in=users))
    if roles:
        who.append(Q(role__in=roles))
    if units:
        who.append(Q(unit_id__in=units, role__in=[R.UNIT_STAFF, R.UNIT_HEAD]))
    if units and heads_joined:
        who.append(Q(heads_one=True))
    if contacts:
        who.append(Q(role=R.ENTERPRISE, enterprise_id__in=contacts))
    people: list[User] = []
    heading: set[int] = set()
    if who:
        found = User.objects.all()
        if units and heads_joined:
            found = found.annotate(heads_one=Exists(Unit.objects.filter(pk__in=units, head=OuterRef("pk"))))
        found = found.annotate(
            wants_email=~Exists(NotificationPreference.objects.filter(user=OuterRef("pk"), email=False))
        )
        people = list(found.filter(_any(who), is_active=True).order_by("id"))
        heading = {p.pk for p in people if getattr(p, "heads_one", False)}

    robot_ids = {r for a in audiences for r in a.robots}
    robot_units = {u for a in audiences for u in a.robots_of_units}
    which: list[Q] = []
    if robot_ids:
        which.append(Q(pk__in=robot_ids))
    if robot_units:
        which.append(Q(unit_id__in=robot_units))
    if any(a.service_team_robots for a in audiences):
        which.append(Q(unit__kind=Unit.Kind.SERVICE_TEAM))
    robots: list[ChatRobot] = []
    if which:
        robots = list(
            ChatRobot.objects.filter(_any(which), is_active=True, receives_messages=True)
            .select_related("unit")
            .order_by("id")
        )

    def reaches(a: Audience, p: User) -> bool:
        if p.pk == a.except_user:
            return False
        return (
            p.pk in a.users
            or p.role in a.roles
            or (p.unit_id in a.people_of_units and p.role in (R.UNIT_STAFF, R.UNIT_HEAD))
            or (a.people_of_units and p.pk in heading)
            or any(heads.get(u) == p.pk for u in a.people_of_units)
            or (p.role == R.ENTERPRISE and p.enterprise_id in a.contacts_of)
        )

    def posts(a: Audience, r: ChatRobot) -> bool:
        return (
            r.pk in a.robots
            or r.unit_id in a.robots_of_units
            or (a.service_team_robots and r.unit is not None and r.unit.kind == Unit.Kind.SERVICE_TEAM)
        )

    return {
        a: ([p for p in people if reaches(a, p)], [r for r in robots if posts(a, r)]) for a in audiences
    }


def _any(conditions: list[Q]) -> Q:
    q = conditions[0]
    for more in conditions[1:]:
        q |= more
    return q
