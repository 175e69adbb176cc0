"""Admin overrides of the working-day calendar, for years the package does not know yet or local decisions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One date declared a working day or a rest day, whatever the statutory calendar says."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("arrangement"), choices=[(True, _("working day")), (False, _("rest day"))]
    )
    note = models.CharField(_("note"), max_length=100, blank=True, help_text=_("for example: New Year's Day 2027"))
    # The year of the State Council notice this row was imported from; empty for a row set by hand.
    notice_year = models.PositiveSmallIntegerField(
        _("from the notice of"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_is_working_day_display()}"
