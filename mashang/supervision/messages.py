"""What a supervision notice tells its addressees: one outbox message per notice, in its transaction.

The people a notice is addressed to get it in their inbox (and by e-mail where configured);
the responsible unit's chat robot posts it to the unit's work group: a sweep's notices as
digests ("Natural resources: 3 Red card, 12 Yellow card, 27 Reminder"), a red card at once
(``mashang.notify.digests``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mashang.demands.messages import demand_topic
from mashang.notify.digests import digest_entry
from mashang.notify.recipients import Audience
from mashang.notify.services import OutboxMessage, notifications_enqueue
from mashang.org.models import Unit
from mashang.supervision.models import LEVEL_RANK, Level, SupervisionNotice


def notices_notify(
    notices: Iterable[SupervisionNotice], addressees: Mapping[int, Iterable[int]]
) -> None:
    """Enqueue a message per notice to the users in ``addressees[notice.pk]`` and the unit's robots.

    The people and robots are looked up together for all the notices (or by the worker), and
    the outbox is written in one insert, however many notices there are.
    """
    notices = list(notices)
    if not notices:
        return
    units = {
        u.pk: u.code for u in Unit.objects.filter(pk__in={n.unit_id for n in notices if n.unit_id}).only("code")
    }
    notices_page = reverse("supervision:notices")
    messages: list[OutboxMessage] = []
    with translation.override(settings.LANGUAGE_CODE):
        for n in notices:
            demand = n.demand
            subject = _("{level}: demand {number} {title}").format(
                level=n.get_level_display(), number=demand.number, title=demand.title
            )
            lines = (
                [_("Enterprise: {name}").format(name=demand.enterprise.name)]
                if demand.enterprise_id
                else [_("Action item of a review meeting")]
            )
            if n.kind:
                lines.append(
                    _("{deadline} due {when}").format(
                        deadline=n.get_kind_display(),
                        when=timezone.localtime(n.due_at).strftime("%Y-%m-%d %H:%M")
                        if n.due_at
                        else "—",
                    )
                )
            if n.comment:
                lines.append(_("Instructions: {text}").format(text=n.comment))
            messages.append(
                OutboxMessage(
                    kind=f"supervision.{n.level}",
                    subject=subject,
                    body="\n".join(lines),
                    link=reverse("demands:detail", args=[demand.pk]),
                    audience=Audience(
                        users=addressees.get(n.pk, ()), robots_of_units=[n.unit_id] if n.unit_id else ()
                    ),
                    dedupe_key=f"notice:{n.pk}",
                    payload={
                        "demand": demand.pk,
                        "notice": n.pk,
                        "level": n.level,
                        "kind": n.kind,
                        # A unit's work group gets a sweep's notices as digests; a red card at once.
                        **digest_entry(
                            group=n.get_level_display(),
                            urgency=LEVEL_RANK.get(n.level, 0),
                            line=f"{demand.number} {demand.title}",
                            list_link=f"{notices_page}?{urlencode({'unit': units[n.unit_id], 'acknowledged': 'no'})}"
                            if n.unit_id in units
                            else notices_page,
                            urgent=n.level == Level.RED,
                        ),
                    },
                    at=n.raised_at,
                    topic=demand_topic(demand.pk),
                )
            )
    notifications_enqueue(messages)
