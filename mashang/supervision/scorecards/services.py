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
from mashang.supervision.scorecards.models import (
    AssessmentIndicator,
    AssessmentScheme,
    ScorecardPublication,
    ScorecardRow,
)

MSG_ONLY_SUPERVISORS = _("Only the supervision office publishes scorecards.")
MSG_SCHEMES_BY_STAFF = _("Assessment schemes are set by the supervision office or an administrator.")
MSG_SCHEME_EMPTY = _("A scheme needs at least one indicator with a weight above zero.")
MSG_BAD_PERIOD = _("The period must end after it starts.")
MSG_NOT_OVER = _("Publish a period once it is over.")


def scorecard_publish(
    *, actor: User, period_from: date, period_to: date, at: datetime | None = None
) -> ScorecardPublication:
    """Compute the scorecard of ``[period_from, period_to)`` now and freeze it.

    Publishing a period again adds a new version (the older ones stay); the page and the
    API show the latest. The assessment scheme (the version in use), the basic-satisfaction
    weight and the definitions used are kept with it. Recorded as an event on subject "scorecard".
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
            definitions=defs.with_language(defs.definitions, scheme=card.scheme, basic_weight=card.basic_weight),
            scheme_id=card.scheme.id,
            scheme_used=card.scheme.as_dict(),
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
                "scheme": defs.scheme_title(card.scheme),
                "weights": card.weights,
                "basic_weight": card.basic_weight,
                "ranking": [[u.code, u.rank, u.composite] for u in card.units],
            },
        )
    return publication


def _check_scheme_actor(actor: User) -> None:
    if not (actor.is_active and (actor.role in (User.Role.SUPERVISOR, User.Role.ADMIN) or actor.is_superuser)):
        raise PermissionDenied(MSG_SCHEMES_BY_STAFF)


def scheme_put_in_use(*, actor: User, scheme_id: int, at: datetime | None = None) -> AssessmentScheme:
    """Make ``scheme_id`` the assessment scheme the scorecards use from now on (published
    periods keep theirs). Recorded as an event on subject "assessment_scheme"."""
    at = at or timezone.now()
    _check_scheme_actor(actor)
    with transaction.atomic():
        scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme_id)
        if not any(i.weight > 0 for i in scheme.indicators.all()):
            raise ValidationFailed(MSG_SCHEME_EMPTY)
        previous = list(AssessmentScheme.objects.select_for_update().filter(in_use=True).exclude(pk=scheme.pk))
        AssessmentScheme.objects.filter(in_use=True).exclude(pk=scheme.pk).update(in_use=False)
        if not scheme.in_use:
            scheme.in_use = True
            scheme.save(update_fields=["in_use"])
        event_record(
            subject_type="assessment_scheme",
            subject_id=scheme.pk,
            action="put-in-use",
            actor=actor,
            at=at,
            payload={"scheme": str(scheme), "instead_of": [str(p) for p in previous]},
        )
    return scheme


def scheme_copy(*, actor: User, scheme_id: int, at: datetime | None = None) -> AssessmentScheme:
    """A copy of a scheme as its next version (not in use), to change where the original —
    kept by the periods published with it — may not be."""
    at = at or timezone.now()
    _check_scheme_actor(actor)
    with transaction.atomic():
        source = AssessmentScheme.objects.get(pk=scheme_id)
        last = (
            AssessmentScheme.objects.select_for_update()
            .filter(name=source.name)
            .aggregate(v=Max("version"))["v"]
        )
        copy = AssessmentScheme.objects.create(
            name=source.name,
            version=(last or 0) + 1,
            in_use=False,
            urgent_weight=source.urgent_weight,
            critical_weight=source.critical_weight,
            co_unit_weight=source.co_unit_weight,
            list_size=source.list_size,
            note=source.note,
        )
        AssessmentIndicator.objects.bulk_create(
            AssessmentIndicator(
                scheme=copy,
                measure=i.measure,
                direction=i.direction,
                normalisation=i.normalisation,
                weight=i.weight,
                position=i.position,
            )
            for i in source.indicators.all()
        )
        event_record(
            subject_type="assessment_scheme",
            subject_id=copy.pk,
            action="copy",
            actor=actor,
            at=at,
            payload={"from": str(source), "scheme": str(copy)},
        )
    return copy
