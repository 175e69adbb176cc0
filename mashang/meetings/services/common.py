"""What every write to a meeting shares: the messages, the input checks, the one transition
function (lock, version, the actor's part, the move, the event) and the meeting's audience."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import versioned_save
from mashang.core.bounds import date_problem, datetime_problem
from mashang.core.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
)
from mashang.meetings.models import (
    AgendaItem,
    Meeting,
)
from mashang.meetings.transitions import check_move
from mashang.notify.recipients import Audience
from mashang.org.models import Unit, User

SUBJECT = "meeting"
CATEGORY_SUBJECT = "category"
RULE_CHANGE = "rule-change"

MSG_NOT_FOUND = _("No such meeting.")
MSG_STALE = _(
    "This meeting was changed by someone else since you opened it (your version {given}, now {current}). "
    "Reload it and try again."
)
MSG_MAY_NOT_PLAN = _(
    "Only the supervision office, the service team or a leader may call a review meeting."
)
MSG_REQUIRED = _("This field is required.")
MSG_TOO_LONG = _("At most {n} characters.")
MSG_BAD_KIND = _("Choose one of: {choices}.")
MSG_BAD_TIME = _("Give a date and time, e.g. 2026-12-10T09:30.")
MSG_BAD_PERIOD = _("The reviewed period ends after it starts.")
MSG_BAD_PERSON = _("There is no active person {username} who may take this part.")
MSG_UNKNOWN_UNIT = _("There is no active unit with the code {code}.")
MSG_UNKNOWN_CATEGORY = _("There is no active category with this code.")
MSG_UNKNOWN_DEMAND = _("There is no demand with this number.")
MSG_UNKNOWN_PROJECT = _("There is no project with this number.")
MSG_NO_SUCH_ITEM = _("This meeting has no agenda item {id}.")
MSG_ITEM_NOT_ACCEPTED = _("Only an accepted agenda item gets a decision.")
MSG_NOTHING_ACCEPTED = _("Accept or add at least one agenda item before freezing the agenda.")
MSG_UNDECIDED = _("Record a decision on every item before closing the meeting record: {items}.")
MSG_BAD_DAYS = _("Give between 1 and 90 working days.")
MSG_LEAD_AMONG_CO = _("The lead unit cannot also be a co-unit.")
MSG_BAD_RULE = _("Choose one of: {choices}.")
MSG_BAD_LIMIT = _("Give a number of at least 0.25 and at most 999.")
MSG_BAD_OUTCOME = _("Choose one of: {choices}.")
MSG_PROJECT_NOT_AT_REVIEW = _("Only a land-supply review decides on a project.")
MSG_ITEM_ALREADY = _("This agenda item is already {status}.")
MSG_ALREADY_ON_AGENDA = _("This is already on the agenda.")
MSG_APPLY_FAILED = _("The minutes could not be approved: {problem}")

#: Who may chair (leaders, the supervision office) and who may keep the minutes.
CHAIRS = (User.Role.LEADER, User.Role.SUPERVISOR)
SECRETARIES = (User.Role.SUPERVISOR, User.Role.OFFICER, User.Role.LEADER)


@dataclass
class Change:
    fields: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


# --- input -------------------------------------------------------------------------------------


def _text(
    value: Any, name: str, errors: dict[str, str], *, required: bool = True, limit: int = 200
) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors[name] = str(MSG_REQUIRED)
    elif len(text) > limit:
        errors[name] = str(MSG_TOO_LONG).format(n=limit)
    return text


def _when(value: Any, name: str, errors: dict[str, str]) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = parse_datetime(str(value or "").strip()) if value else None
    if moment is None:
        errors[name] = str(MSG_BAD_TIME)
        return None
    problem = datetime_problem(moment)
    if problem:
        errors[name] = problem
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _day(value: Any, name: str, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            errors[name] = str(_("Give a date, e.g. 2026-11-01."))
            return None
    problem = date_problem(day)
    if problem:
        errors[name] = problem
        return None
    return day


def _person(value: Any, roles: Sequence[str], name: str, errors: dict[str, str]) -> User | None:
    username = str(getattr(value, "username", value) or "").strip()
    if not username:
        errors[name] = str(MSG_REQUIRED)
        return None
    person = User.objects.filter(username=username, is_active=True, role__in=roles).first()
    if person is None:
        errors[name] = str(MSG_BAD_PERSON).format(username=username)
    return person


def _people(values: Iterable[Any], name: str, errors: dict[str, str]) -> list[User]:
    names = [
        str(getattr(v, "username", v)).strip()
        for v in values or ()
        if str(getattr(v, "username", v)).strip()
    ]
    found = {
        u.username: u
        for u in User.objects.filter(username__in=names, is_active=True).exclude(
            role=User.Role.ENTERPRISE
        )
    }
    missing = [n for n in names if n not in found]
    if missing:
        errors[name] = str(MSG_BAD_PERSON).format(username="、".join(missing))
    return list(dict.fromkeys(found[n] for n in names if n in found))


def _units(codes: Iterable[Any], name: str, errors: dict[str, str]) -> list[Unit]:
    wanted = [
        str(getattr(c, "code", c)).strip()
        for c in codes or ()
        if str(getattr(c, "code", c)).strip()
    ]
    found = {u.code: u for u in Unit.objects.filter(code__in=wanted, is_active=True)}
    missing = [c for c in wanted if c not in found]
    if missing:
        errors[name] = str(MSG_UNKNOWN_UNIT).format(code="、".join(missing))
    return list(dict.fromkeys(found[c] for c in wanted if c in found))


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise ValidationFailed(first, fields=errors)


# --- the one transition function ------------------------------------------------------------


def _transition(
    *,
    actor: User,
    meeting_id: int,
    version: int,
    action: str,
    at: datetime | None,
    change: Callable[[Meeting, datetime], Change],
) -> Meeting:
    at = at or timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None or actor.role == User.Role.ENTERPRISE:
            raise NotFound(MSG_NOT_FOUND)
        if version != meeting.version:
            raise Conflict(str(MSG_STALE).format(given=version, current=meeting.version))
        move = check_move(actor, meeting, action)
        from_status = meeting.status
        result = change(meeting, at)
        for name, value in result.fields.items():
            setattr(meeting, name, value)
        if move.target:
            meeting.status = move.target
        versioned_save(
            meeting,
            fields={*result.fields, "status"},
            subject_type=SUBJECT,
            action=action,
            actor=actor,
            at=at,
            from_state=from_status,
            to_state=meeting.status,
            reason=result.reason,
            payload=result.payload,
        )
    return meeting


def _item(meeting: Meeting, item_id: Any) -> AgendaItem:
    item = (
        AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
        if str(item_id).isdigit()
        else None
    )
    if item is None:
        message = str(MSG_NO_SUCH_ITEM).format(id=item_id)
        raise ValidationFailed(message, fields={"item": message})
    return item


def _audience(meeting: Meeting) -> Audience:
    people = [
        meeting.chair_id,
        meeting.secretary_id,
        *meeting.participants.values_list("pk", flat=True),
    ]
    return Audience(users=tuple(dict.fromkeys(people))) | Audience.of_units(
        meeting.units.values_list("pk", flat=True), robots=False
    )
