"""A co-unit's opinion (协办意见): what a co-handling unit tells the lead unit before it replies.

A co-unit gives it while the demand is worked on (dispatched, in progress or waiting); it may
give it again, and the later one supersedes the earlier (every one stays an event). The status
does not change; the lead unit's staff are told. The enterprise does not read it: it is the
units' internal exchange (see ``selectors/opinions.py``).
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from mashang.core.errors import ValidationFailed
from mashang.demands.models import Demand
from mashang.demands.services.transition import Change, Context, _required, _transition
from mashang.demands.transitions import Action
from mashang.org.models import User

OPINION_MAX = 2000
MSG_OPINION_TOO_LONG = _("Keep the opinion within {max} characters.")


def demand_give_opinion(
    *, actor: User, demand_id: int, version: int, opinion: str, at: datetime | None = None
) -> Demand:
    """The actor's unit, a current co-unit of the demand, gives its opinion to the lead unit."""
    text = _required(opinion, "opinion")
    if len(text) > OPINION_MAX:
        message = str(MSG_OPINION_TOO_LONG).format(max=OPINION_MAX)
        raise ValidationFailed(message, fields={"opinion": message})

    def change(demand: Demand, ctx: Context) -> Change:
        unit = next(a.unit for a in ctx.assignments if a.unit_id == ctx.actor.unit_id)
        # The text is the event's reason: the messages tell it to the lead unit from there.
        return Change(reason=text, payload={"unit": unit.code, "round": demand.round})

    return _transition(
        actor=actor, demand_id=demand_id, version=version, action=Action.OPINION, at=at, change=change
    )
