"""Yearly numbers such as SQ-2026-000123 and XM-2026-0042, unique and increasing within a year.

Where the numbers come from depends on the database (docs/decisions/0015):

- **PostgreSQL**: one database sequence per year (``demands_numbersequence_2026``), made on the
  first number of the year. ``nextval`` takes no lock that lasts to the end of the transaction,
  so concurrent filings do not wait on each other. A number taken by a filing that is then
  rolled back is not given again: the year's numbers may have gaps.
- **SQLite**: the year's row of a :class:`~mashang.core.models.YearlySequence`, raised with one
  atomic upsert. SQLite has one writer at a time anyway; the number rolls back with its record,
  so there are no gaps.

On PostgreSQL the year's row keeps the count from before the sequence existed: a sequence
starts after it.
"""

from __future__ import annotations

import re

from django.db import DatabaseError, connection, models, transaction

from mashang.core.models import YearlySequence


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def sequence_name(sequences: type[YearlySequence], year: int) -> str:
    """The PostgreSQL sequence that gives ``year``'s numbers."""
    return f"{sequences._meta.db_table}_{int(year)}"


def _sequence_create(sequences: type[YearlySequence], year: int) -> None:
    """Make ``year``'s sequence, starting after the year's row (in this transaction, so a
    rolled-back filing takes it away again). A concurrent filing that made it first wins:
    this one's attempt is undone and the existing sequence serves."""
    name = connection.ops.quote_name(sequence_name(sequences, year))
    row = sequences.objects.filter(pk=year).values_list("last", flat=True).first() or 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {int(row) + 1}")
    except DatabaseError:
        pass  # made by a concurrent transaction a moment ago


def _nextval(sequences: type[YearlySequence], year: int, count: int) -> int | None:
    """The last of ``count`` numbers from ``year``'s sequence, or None when it does not exist."""
    with connection.cursor() as cursor:
        if count == 1:
            cursor.execute("SELECT nextval(to_regclass(%s))", [sequence_name(sequences, year)])
        else:
            # A block of numbers at once is for one writer (the bench's generator), not for filings.
            cursor.execute(
                "SELECT setval(to_regclass(%s), nextval(to_regclass(%s)) + %s - 1)",
                [sequence_name(sequences, year), sequence_name(sequences, year), count],
            )
        (last,) = cursor.fetchone()
    return last


def numbers_take(sequences: type[YearlySequence], *, year: int, count: int = 1) -> int:
    """Take the next ``count`` numbers of ``year``; the last one taken."""
    if _postgres():
        last = _nextval(sequences, year, count)
        if last is None:
            _sequence_create(sequences, year)
            last = _nextval(sequences, year, count)
        return int(last)
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


def _sequence_years(sequences: type[YearlySequence]) -> set[int]:
    """The years whose PostgreSQL sequence exists."""
    pattern = re.compile(rf"^{re.escape(sequences._meta.db_table)}_(\d{{4}})$")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'S' AND c.relname LIKE %s "
            "AND pg_table_is_visible(c.oid)",
            [f"{sequences._meta.db_table}\\_%"],
        )
        names = [name for (name,) in cursor.fetchall()]
    return {int(m.group(1)) for m in map(pattern.match, names) if m}


def numbers_continue(sequences: type[YearlySequence], records: type[models.Model]) -> None:
    """After records were deleted (a demo reload), the next number of each year follows the
    highest ``{code}-YYYY-N`` number left among ``records``; a year with none left starts at 1."""
    made = _sequence_years(sequences) if _postgres() else set()
    for year in sorted(set(sequences.objects.values_list("year", flat=True)) | made):
        prefix = f"{sequences.code}-{year}-"
        highest = (
            records.objects.filter(number__startswith=prefix)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        last = int(highest.removeprefix(prefix)) if highest else 0
        if last:
            sequences.objects.update_or_create(year=year, defaults={"last": last})
        else:
            sequences.objects.filter(year=year).delete()
        if year in made:
            with connection.cursor() as cursor:
                # setval(…, 1, false): the next nextval gives 1.
                cursor.execute(
                    "SELECT setval(to_regclass(%s), %s, %s)",
                    [sequence_name(sequences, year), max(last, 1), last > 0],
                )


def number_sequences_drop(sequences: type[YearlySequence]) -> None:
    """Drop every year's PostgreSQL sequence of ``sequences`` (tests that commit call it, so
    the next test's first number of a year is 1 again, as it is on an empty database)."""
    if not _postgres():
        return
    for year in _sequence_years(sequences):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SEQUENCE IF EXISTS {connection.ops.quote_name(sequence_name(sequences, year))}")
