"""Yearly numbers such as SQ-2026-000123 and XM-2026-0042: each year's last number is one row
of a :class:`~mashang.core.models.YearlySequence`, taken with one atomic upsert, so numbers
stay unique under concurrency."""

from __future__ import annotations

from django.db import connection, models

from mashang.core.models import YearlySequence


def numbers_take(sequences: type[YearlySequence], *, year: int, count: int = 1) -> int:
    """Take the next ``count`` numbers of ``year`` (one atomic upsert); the last one taken."""
    table = connection.ops.quote_name(sequences._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, %s) "
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + EXCLUDED.last RETURNING last",
            [year, count],
        )
        (last,) = cursor.fetchone()
    return last


def number_of(sequences: type[YearlySequence], *, year: int, n: int) -> str:
    """How number ``n`` of ``year`` reads: ``{code}-{year}-{n}``, ``n`` with leading zeros."""
    return f"{sequences.code}-{year}-{n:0{sequences.digits}d}"


def number_next(sequences: type[YearlySequence], *, year: int) -> str:
    """The next number of ``year``, unique under concurrency."""
    return number_of(sequences, year=year, n=numbers_take(sequences, year=year))


def numbers_continue(sequences: type[YearlySequence], records: type[models.Model]) -> None:
    """After records were deleted (a demo reload), set each year's last number to the highest
    ``{code}-YYYY-N`` number left among ``records``; a year with none left is dropped."""
    for sequence in sequences.objects.all():
        prefix = f"{sequences.code}-{sequence.year}-"
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
