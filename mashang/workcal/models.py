"""Admin overrides of the working-day calendar, for years the package does not know yet or local decisions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One date declared a working day or a rest day, whatever the statutory calendar says."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(
        _("安排"), choices=[(True, _("上班（工作日）")), (False, _("放假（休息日）"))]
    )
    note = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("例如：2027年元旦"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_is_working_day_display()}"
