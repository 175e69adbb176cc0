"""Finding demands: one piece of text looked up in every field a person would search by, and
filters, within what the actor may see, newest first.

The piece matches the number (prefix, e.g. ``SQ-2026-0001``), the 12345 order number (exact),
the enterprise's name (a piece) or credit code (prefix), and the title, description, contact
name and contact phone (a piece of 2 characters or more). On PostgreSQL the enterprises are
found first in their own small table and their demands by enterprise id; the text through
the stored ``search_vector`` of migration 0013 (every pair of adjacent characters of the text
as a word, in a GIN index: a piece is found as all of its pairs, then confirmed in the text).
A single character searches numbers and enterprise names only. SQLite reads the table.

A unit's staff read the demands of their unit; on PostgreSQL the search reads that set from the
demand's ``visible_unit_ids`` (migration 0014, kept by triggers, in a GIN index), so "the unit's
demands holding the piece" is one bitmap of two indexes instead of a probe of the assignments
per candidate row.

A page is found in two steps, neither left to the planner's guess of how common a piece is (a
piece of three characters is all of its pairs, and the planner, taking the pairs for
independent, guesses tens of times too few rows): first the ids and times of at most
:data:`COUNT_CAP` + 1 matches, in any order, through the indexes (the count; no JIT, compiling takes longer than the read, and memory enough for exact bitmaps); when that is all of
them, they are sorted here and the page's rows read by id; when there are more, the matches are
common enough that walking the newest demands finds a page within a thousandth of the table, and
the page is read so (PostgreSQL told not to use a bitmap or a full sort). A list is counted up to
:data:`COUNT_CAP` rows ("1,000+").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Expression,
    F,
    Func,
    Lookup,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.utils import timezone

from mashang.core.planner import planner_settings
from mashang.demands.models import Assignment, Demand
from mashang.demands.permissions import reading_unit, visibility_filter
from mashang.org.models import Enterprise, Unit, User

#: The longest piece searched for (longer input is cut).
MAX_QUERY = 100
#: A list is counted up to this many rows; beyond, it says "1,000+".
COUNT_CAP = 1000
#: Memory for the count's bitmaps, so that they stay exact: a unit's demands OR-ed with an
#: enterprise's are 100,000s of rows (a unit's search by a piece of a name: p95 0.19 → 0.13 s).
SEARCH_WORK_MEM = "32MB"
#: How a page of a common piece is read: walking the newest demands (the index on the filing
#: time, ties sorted within it) and stopping at the page. The planner, guessing the piece rare,
#: would otherwise read every match through the bitmap and sort them all (0.6 s at 1 M). No
#: JIT: compiling takes longer than the walk.
_WALK = {"enable_bitmapscan": "off", "enable_seqscan": "off", "enable_sort": "off", "jit": "off"}
#: The shortest piece searched in the text (title, description, contact).
MIN_TEXT_PIECE = 2
#: The earliest and latest dates a date filter keeps (outside, the bound is dropped).
_FIRST_DAY = date(1900, 1, 1)
_LAST_DAY = date(2999, 12, 31)

_CODE_LIKE = re.compile(r"^[0-9A-Za-z-]+$")
#: Two letters or digits (not "_", which the text-search parser does not keep in a word).
_WORD_PAIR = re.compile(r"[^\W_]{2}")


@dataclass(frozen=True)
class SearchFilters:
    unit: str | None = None  # a unit's code
    lead_only: bool = False  # the unit as lead unit only (otherwise any assignment of it)
    category: str | None = None  # a category's code
    status: str | None = None
    channel: str | None = None
    submitted_from: date | None = None  # local dates, both inclusive
    submitted_to: date | None = None
    overdue: bool = False


def normalize_query(q: str | None) -> str:
    """The piece as searched: spaces collapsed, at most MAX_QUERY characters."""
    return " ".join((q or "").split())[:MAX_QUERY]


def _escape_like(piece: str) -> str:
    return piece.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Text(Func):
    """Title, description, contact name and phone as one text: the expression the column
    ``search_vector`` is computed from (migration 0013; keep them identical)."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = TextField()

    def __init__(self):
        super().__init__(F("title"), F("description"), F("contact_name"), F("contact_phone"))


def pairs(piece: str) -> str:
    """Every pair of adjacent characters of ``piece``, each a word: 'abcd' → 'ab bc cd'. The
    demand's ``search_vector`` holds every pair of its text (migration 0013 cuts the text from
    its first and from its second character), so a text that holds the piece holds these."""
    return " ".join(piece[i : i + 2] for i in range(len(piece) - 1))


class _Contains(Lookup):
    """The text holds the piece. On PostgreSQL: every pair of the piece's characters is a word
    of the stored ``search_vector`` (found in its GIN index, no text recomputed per row), and
    the text holds the piece itself (the pairs in their order). Elsewhere a LIKE."""

    lookup_name = "contains_piece"

    def as_sql(self, compiler, connection):
        text, params = compiler.compile(self.lhs)
        piece = self.rhs.value
        like = f"%{_escape_like(piece)}%"
        if connection.vendor != "postgresql":
            return f"{text} LIKE %s ESCAPE '\\'", [*params, like]
        if not _WORD_PAIR.search(piece):  # no pair the vector holds: the text alone
            return f"{text} ILIKE %s", [*params, like]
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        if _WORD_PAIR.fullmatch(piece):  # one pair: a word of the vector, nothing to confirm
            return f"{table}.search_vector @@ plainto_tsquery('simple'::regconfig, %s)", [piece]
        return (
            f"({table}.search_vector @@ plainto_tsquery('simple'::regconfig, %s) AND {text} ILIKE %s)",
            [pairs(piece), *params, like],
        )


class _VisibleToUnit(Expression):
    """The unit may read the demand: ``visible_unit_ids`` (PostgreSQL, migration 0014) holds it."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, unit_id: int):
        super().__init__()
        self.unit_id = unit_id

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.visible_unit_ids @> ARRAY[%s]::bigint[]", [self.unit_id]


def search_visibility(actor: User) -> Q:
    """What the actor may see, as ``visibility_filter`` says, read for a unit's member from the
    demand's own ``visible_unit_ids`` on PostgreSQL."""
    unit_id = reading_unit(actor)
    if unit_id and connection.vendor == "postgresql":
        return Q(_VisibleToUnit(unit_id))
    return visibility_filter(actor)


def _text_match(piece: str) -> Q:
    return Q(_Contains(_Text(), Value(piece)))


def _enterprise_ids(piece: str) -> list[int]:
    """Enterprises whose name holds the piece or whose credit code starts with it (one query on
    the small enterprise table)."""
    found = Q(name__icontains=piece)
    if _CODE_LIKE.match(piece):
        found |= Q(credit_code__startswith=piece.upper())
    return list(Enterprise.objects.filter(found).order_by().values_list("id", flat=True))


def search_match(q: str) -> Q:
    """What a piece matches (a Q on Demand); an empty Q for an empty piece."""
    piece = normalize_query(q)
    if not piece:
        return Q()
    match = Q(pk__in=[])
    if _CODE_LIKE.match(piece):
        match |= Q(number__startswith=piece.upper()) | Q(external_number=piece)
    ids = _enterprise_ids(piece)
    if ids:
        match |= Q(enterprise_id__in=ids)
    if len(piece) >= MIN_TEXT_PIECE:
        match |= _text_match(piece)
    return match


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(qs: QuerySet[Demand], f: SearchFilters, now: datetime) -> QuerySet[Demand]:
    if f.unit:
        unit_id = Unit.objects.filter(code=f.unit).values("id")[:1]
        if f.lead_only:
            qs = qs.filter(lead_unit_id__in=unit_id)
        else:
            qs = qs.filter(
                pk__in=Assignment.objects.filter(unit_id__in=unit_id).values("demand_id")
            )
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.submitted_from and f.submitted_from > _FIRST_DAY:
        qs = qs.filter(submitted_at__gte=_day_start(min(f.submitted_from, _LAST_DAY)))
    if f.submitted_to and f.submitted_to < _LAST_DAY:
        qs = qs.filter(
            submitted_at__lt=_day_start(max(f.submitted_to, _FIRST_DAY) + timedelta(days=1))
        )
    if f.overdue:
        qs = qs.filter(next_due_at__lt=now)
    return qs


def demand_search(
    *,
    actor: User,
    q: str = "",
    filters: SearchFilters | None = None,
    now: datetime | None = None,
) -> QuerySet[Demand]:
    """Demands the actor may see that match the piece ``q`` and the filters, newest first."""
    now = now or timezone.now()
    qs = _filtered(Demand.objects.filter(search_visibility(actor)), filters or SearchFilters(), now)
    match = search_match(q)
    if match:
        qs = qs.filter(match)
    return qs.select_related("enterprise", "category", "lead_unit").order_by(
        "-submitted_at", "-id"
    )


@dataclass(frozen=True)
class SearchPage:
    """One page of a search: its rows, whether more follow, and the count up to COUNT_CAP."""

    rows: list[Demand]
    number: int
    page_size: int
    count: int
    count_capped: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number * self.page_size < self.count or (
            self.count_capped and len(self.rows) == self.page_size
        )

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.rows)


def search_page(qs: QuerySet[Demand], *, page: int, page_size: int) -> SearchPage:
    """A page of ``qs`` (1-based, newest first) and its count up to COUNT_CAP."""
    page = max(1, page)
    with planner_settings(jit="off", work_mem=SEARCH_WORK_MEM):
        found = list(qs.order_by().values_list("submitted_at", "pk")[: COUNT_CAP + 1])
    if len(found) > COUNT_CAP:  # common: the newest demands hold a page soon
        start = (page - 1) * page_size
        with planner_settings(**_WALK):
            rows = list(qs[start : start + page_size])
        return SearchPage(rows=rows, number=page, page_size=page_size, count=COUNT_CAP, count_capped=True)
    found.sort(reverse=True)
    count = len(found)
    page = min(page, max(1, -(-count // page_size)))
    start = (page - 1) * page_size
    ids = [pk for _, pk in found[start : start + page_size]]
    by_id = {d.pk: d for d in qs.filter(pk__in=ids)} if ids else {}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    return SearchPage(rows=rows, number=page, page_size=page_size, count=count, count_capped=False)
