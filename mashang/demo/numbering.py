"""After demo records are deleted, their yearly numbering continues from the highest number left."""

from __future__ import annotations

from django.db import models


def numbers_continue(sequences: type[models.Model], records: type[models.Model], code: str) -> None:
    """Set each year's last number in ``sequences`` (rows with ``year`` and ``last``) to the
    highest ``{code}-YYYY-N`` number left among ``records``; a year with none left is dropped."""
    for sequence in sequences.objects.all():
        prefix = f"{code}-{sequence.year}-"
        last = (
            records.objects.filter(number__startswith=prefix)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        if last is None:
            sequence.delete()
        else:
            sequences.objects.filter(pk=sequence.year).update(last=int(last.removeprefix(prefix)))
