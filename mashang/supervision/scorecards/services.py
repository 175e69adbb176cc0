"""Publishing a scorecard: its figures frozen, so later corrections do not rewrite history."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.org.models import Unit, User
from mashang.supervision.scorecards import definitions as defs
from mashang.supervision.scorecards import formulas as sc
from mashang.supervision.scorecards import selectors as sel
from mashang.supervision.scorecards.models import ScorecardPublication, ScorecardRow

MSG_ONLY_SUPERVISORS = _("Only the supervision office publishes scorecards.")
MSG_BAD_PERIOD = _("The period must end after it starts.")
MSG_NOT_OVER = _("Publish a period once it is over.")


def scorecard_publish(
    *, actor: User, period_from: date, period_to: date, at: datetime | None = None
) -> ScorecardPublication:
    """Compute the scorecard of ``[period_from, period_to)`` now and freeze it.

    Publishing a period again adds a new version (the older ones stay); the page and the
    API show the latest. The weights, the basic-satisfaction weight and the definitions
    used are kept with it. Recorded as an event on subject "scorecard".
    """
    at = at or timezone.now()
    if not sel.can_publish(actor):
        raise PermissionDenied(MSG_ONLY_SUPERVISORS)
    try:
        period = sc.Period(period_from, period_to)
    except ValueError:
        raise ValidationFailed(MSG_BAD_PERIOD, fields={"to": MSG_BAD_PERIOD}) from None
    if sel.bounds(period)[1] > at:
        raise ValidationFailed(MSG_NOT_OVER, fields={"to": MSG_NOT_OVER})
    card = sel.scorecard_compute(period=period, now=at)
    with transaction.atomic():
        # Serialise publications of the same period (the unique constraint backs this up).
        last = (
            ScorecardPublication.objects.select_for_update()
            .filter(period_from=period.start, period_to=period.end)
            .aggregate(v=Max("version"))["v"]
        )
        publication = ScorecardPublication.objects.create(
            period_from=period.start,
            period_to=period.end,
            version=(last or 0) + 1,
            published_at=at,
            published_by=actor,
            computed_at=card.computed_at,
            weights=card.weights,
            basic_weight=card.basic_weight,
            definitions=defs.with_language(
                defs.definitions, weights_used=card.weights, basic_weight=card.basic_weight
            ),
        )
        unit_ids = dict(Unit.objects.filter(code__in=[u.code for u in card.units]).values_list("code", "pk"))
        ScorecardRow.objects.bulk_create(
            ScorecardRow(
                publication=publication,
                unit_id=unit_ids[u.code],
                unit_code=u.code,
                unit_name=u.name,
                rank=u.rank,
                composite=u.composite,
                figures=u.figures(),
            )
            for u in card.units
        )
        event_record(
            subject_type="scorecard",
            subject_id=publication.pk,
            action="publish",
            actor=actor,
            at=at,
            payload={
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "version": publication.version,
                "weights": card.weights,
                "basic_weight": card.basic_weight,
                "ranking": [[u.code, u.rank, u.composite] for u in card.units],
            },
        )
    return publication
