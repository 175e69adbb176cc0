"""Generate N demands straight into the database, fast, for benchmarks and scorecards.

    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/mashang_bench --demands 1000000

It migrates the database first, creates (or reuses) the reference data of a zone — 20
handling units, the service team and the supervision office, 10 categories, 5,000
enterprises with one contact each, a few officers and one staff member per unit — then
streams demands in chunks: PostgreSQL gets them through binary COPY, SQLite through
``executemany`` in batches. Memory stays flat whatever N is (one chunk at a time).

What the rows look like (see bench/README.md for the full list):

* submitted over the last ``--months`` months, evenly, ids in submission order;
* most are closed; the chance that a demand is still open falls with its age, tuned so
  that ``--open-fraction`` (8 %) of all demands are open — recent ones are in triage or
  being handled, old open ones are the overdue, waiting and difficult cases;
* every timestamp and deadline follows the lifecycle: deadlines are computed with the
  zone's working-time calendar and the category's limits, and ``next_due_at`` by
  ``mashang.demands.deadlines.next_due`` — so open demands' deadlines lie around now and
  the older ones are overdue;
* assignments mean what the services make them mean: a lead unit (the category's
  default lead unit three times in four) and sometimes co-units; ``is_current`` false
  once returned; ``is_open``/``due_at`` copy the demand's open state and ``next_due_at``;
* numbers SQ-YYYY-NNNNNN come from the same ``NumberSequence`` rows as ``demand_submit``,
  reserved per chunk with one atomic upsert, so demands filed later through the API never
  collide with generated ones; ids are reserved from the table's sequence up front;
* no audit events by default (``--events`` writes one ``submit`` event per demand): the
  list and scorecard queries read demands and assignments only, and the events would
  roughly double the time and the disk space.

Deterministic: the same ``--seed``, ``--now`` and ``--demands`` on the same database
state give the same rows (``--now`` defaults to the current hour, so deadlines lie
around the real now).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

BENCH = Path(__file__).resolve().parent
for _path in (str(BENCH.parent), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from genwriters import PostgresWriter, SqliteWriter  # noqa: E402
from genzone import (  # noqa: E402
    CATEGORIES,
    CHANNELS,
    CLOSED_STATUSES,
    DESCRIPTIONS,
    OPEN_BY_AGE,
    OPEN_FLOOR,
    TITLES,
    URGENCIES,
    Picker,
    ensure_reference_data,
    open_decay_days,
    person_name,
    phone,
)

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/mashang_bench"
CHUNK = 20_000
CHUNK_TIMEOUT = 300  # seconds without any chunk finishing before the run gives up
HOUR = timedelta(hours=1)

# --- Django ----------------------------------------------------------------------------------


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


# --- the row builder -------------------------------------------------------------------------


class Builder:
    """Builds chunks of demand rows (lists in the table's column order) and their assignments."""

    def __init__(
        self,
        *,
        ref: SimpleNamespace,
        cal,
        now: datetime,
        span: timedelta,
        tau_days: float,
        first_id: int,
        count: int,
        seed: int,
        events: bool,
        numbers: dict[int, int],
    ):
        from mashang.demands import deadlines
        from mashang.demands.models import Demand
        from mashang.demands.working_hours import working_times

        self.ref, self.cal, self.now, self.span = ref, cal, now, span
        self.tau = tau_days
        self.first_id, self.count = first_id, count
        self.seed = seed
        self.events = events
        self.numbers = numbers  # per local year: number of demand k is numbers[year] + k
        self.next_due = deadlines.next_due
        self.working_times = working_times
        self.policies = {code: deadlines.Policy.of(cat) for code, cat in ref.categories.items()}
        self.cat_picker = Picker([(c[0], c[3]) for c in CATEGORIES])
        self.status_closed = Picker(CLOSED_STATUSES)
        self.status_open = [(bound, Picker(pairs)) for bound, pairs in OPEN_BY_AGE]
        self.channel = Picker(CHANNELS)
        self.urgency = Picker(URGENCIES)
        self.unit_list = list(ref.unit_ids.values())
        self.start = now - span
        self.step = span / count

        self.fields = [f for f in Demand._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.template = [f.get_default() for f in self.fields]

    def submitted_at(self, k: int) -> datetime:
        """When demand ``k`` of this run was filed: evenly spread, strictly increasing, without the RNG
        (so the count per year, hence the numbers, are known before any row is built)."""
        jitter = ((k * 2654435761) & 0xFFFF) / 65536
        return self.start + self.step * (k + jitter)

    def chunk(self, chunk_start: int, size: int):
        """Rows for demands ``chunk_start`` … ``chunk_start + size - 1`` of this run (same seed, same rows)."""
        rng = random.Random(f"{self.seed}:{self.first_id + chunk_start}")
        chunk_first_pk = self.first_id + chunk_start
        ix = self.index
        rows, assignments, events = [], [], []
        cal, now = self.cal, self.now
        day = cal.day_length
        tz = cal.tz
        for k in range(chunk_start, chunk_start + size):
            pk = self.first_id + k
            submitted = self.submitted_at(k)
            age_days = (now - submitted).total_seconds() / 86400
            p_open = OPEN_FLOOR + (1 - OPEN_FLOOR) * math.exp(-age_days / self.tau)
            if rng.random() < p_open:
                status = next(p for bound, p in self.status_open if age_days < bound)(rng)
            else:
                status = self.status_closed(rng)

            ent_index = int(len(self.ref.enterprise_ids) * rng.random() ** 2.5)
            channel = self.channel(rng)
            if channel in ("web", "api"):
                submitter, contact_name, contact_phone = self.ref.contacts[ent_index]
            else:
                submitter = rng.choice(self.ref.officers)[0]
                contact_name, contact_phone = person_name(rng), phone(rng)
            cat_code = self.cat_picker(rng)
            policy = self.policies[cat_code]
            title = rng.choice(TITLES[cat_code])

            d = SimpleNamespace(
                status=status,
                triage_due_at=None,
                first_response_due_at=None,
                interim_reply_due_at=None,
                resolution_due_at=None,
                first_responded_at=None,
                assessed_at=None,
                replied_at=None,
            )
            r = self.template.copy()
            r[ix["id"]] = pk
            r[ix["enterprise_id"]] = self.ref.enterprise_ids[ent_index]
            r[ix["submitted_by_id"]] = submitter
            r[ix["channel"]] = channel
            r[ix["title"]] = title
            r[ix["description"]] = rng.choice(DESCRIPTIONS).format(
                ent=f"企业{ent_index}", title=title, n=rng.randint(2, 30)
            )
            r[ix["contact_name"]] = contact_name
            r[ix["contact_phone"]] = contact_phone
            r[ix["submitted_at"]] = submitted
            d.triage_due_at = cal.add_working_hours(submitted, float(policy.triage_hours))

            # How far the demand got: pre-dispatch statuses stop early, the rest went to a unit.
            pre_dispatch = status in ("submitted", "triaged") or (
                status in ("withdrawn", "merged") and rng.random() < 0.7
            )
            has_category = status != "submitted" or rng.random() < 0.6
            # Natural offsets (hours after submission) of each step, squeezed into the age if needed.
            marks = {"triaged": rng.uniform(0.1, 1.5)}
            marks["dispatched"] = marks["triaged"] + rng.uniform(0.1, 2.0)
            marks["responded"] = marks["dispatched"] + rng.uniform(
                0.2, 3.0 if rng.random() < 0.9 else 30.0
            )
            marks["assessed"] = marks["dispatched"] + rng.uniform(12, 96)
            marks["replied"] = marks["assessed"] + rng.uniform(2, 96)
            marks["closed"] = marks["replied"] + rng.uniform(2, 72)
            age_hours = age_days * 24
            last_needed = {
                "submitted": 0,
                "triaged": marks["triaged"],
                "dispatched": marks["dispatched"],
                "in_progress": marks["responded"],
                "waiting": marks["responded"],
                "difficult": marks["responded"],
                "returned": marks["dispatched"],
                "replied": marks["replied"],
                "unresolved": marks["closed"],
                "closed": marks["closed"],
                "withdrawn": marks["dispatched"],
                "merged": marks["dispatched"],
            }[status]
            squeeze = min(1.0, 0.9 * age_hours / last_needed) if last_needed else 1.0
            at = {name: submitted + HOUR * (hours * squeeze) for name, hours in marks.items()}

            urgency = self.urgency(rng) if has_category else "normal"
            r[ix["urgency"]] = urgency
            if has_category:
                r[ix["category_id"]] = self.ref.categories[cat_code].pk
            steps = 1  # submit
            if status == "triaged" or not pre_dispatch:
                r[ix["triaged_at"]] = at["triaged"]
                steps += 1
            lead = None
            if not pre_dispatch:
                dispatched = at["dispatched"]
                lead = (
                    self.ref.categories[cat_code].lead_unit_id
                    if rng.random() < 0.75
                    else rng.choice(self.unit_list)
                )
                r[ix["lead_unit_id"]] = lead
                r[ix["dispatched_at"]] = dispatched
                d.first_response_due_at = cal.add_working_hours(
                    dispatched, float(policy.first_response_hours)
                )
                d.interim_reply_due_at = cal.add_working_time(
                    dispatched, day * float(policy.interim_reply_days)
                )
                d.resolution_due_at = cal.add_working_time(
                    dispatched, day * float(policy.resolution_days)
                )
                if status not in ("dispatched", "returned", "withdrawn", "merged"):
                    d.first_responded_at = at["responded"]
                extended = (
                    status in ("in_progress", "difficult")
                    and age_days > 7
                    and at["assessed"] < now
                    and rng.random() < 0.6
                )
                if extended:  # an approved extension (延期) of up to 30 working days
                    days = rng.randint(5, 30)
                    d.resolution_due_at = cal.add_working_time(d.resolution_due_at, day * days)
                    r[ix["extension_reason"]] = "涉及多部门会审，需延长办理时限。"
                    steps += 2
                if (
                    extended
                    or status in ("replied", "unresolved", "closed")
                    or (
                        status in ("in_progress", "waiting", "difficult")
                        and at["assessed"] < now
                        and rng.random() < 0.5
                    )
                ):
                    d.assessed_at = min(at["assessed"], at["replied"])
                if status in ("replied", "unresolved", "closed"):
                    d.replied_at = at["replied"]
                r[ix["first_responded_at"]] = d.first_responded_at
                r[ix["assessed_at"]] = d.assessed_at
                r[ix["replied_at"]] = d.replied_at
                # What the transitions store (mashang.demands.working_hours).
                for name, value in self.working_times(
                    cal,
                    dispatched_at=dispatched,
                    first_responded_at=d.first_responded_at,
                    replied_at=d.replied_at,
                ).items():
                    r[ix[name]] = value
                if d.assessed_at is not None:
                    r[ix["assessment"]] = "经研判，该事项符合办理条件，已明确责任科室和办理时限。"
                if d.replied_at is not None:
                    r[ix["reply"]] = "已按企业诉求协调办理完毕，相关材料已送达企业。"
                steps += 1 + sum(
                    x is not None for x in (d.first_responded_at, d.assessed_at, d.replied_at)
                )
            r[ix["first_response_due_at"]] = d.first_response_due_at
            r[ix["interim_reply_due_at"]] = d.interim_reply_due_at
            r[ix["resolution_due_at"]] = d.resolution_due_at

            if status == "merged" and pk == chunk_first_pk:
                status = "withdrawn"  # nothing earlier in this chunk to merge into
            if status == "closed":
                r[ix["resolved"]] = True
                r[ix["rating"]] = "satisfied" if rng.random() < 0.87 else "basic"
                r[ix["closed_at"]] = at["closed"]
                steps += 1
                if rng.random() < 0.04:  # closed in a second round
                    r[ix["round"]] = 2
                    steps += 6
            elif status == "unresolved":
                resolved = rng.random() < 0.3
                r[ix["resolved"]] = resolved
                r[ix["rating"]] = (
                    "unsatisfied" if resolved else rng.choice(["basic", "unsatisfied"])
                )
                r[ix["rating_comment"]] = "问题尚未实质解决，请继续跟进。"
                d.triage_due_at = cal.add_working_hours(at["closed"], float(policy.triage_hours))
                steps += 1
            elif status == "returned":
                d.triage_due_at = cal.add_working_hours(at["responded"], float(policy.triage_hours))
                steps += 1
            elif status == "waiting":
                r[ix["status_before_wait"]] = "in_progress"
                r[ix["paused_at"]] = at["responded"] + (now - at["responded"]) * rng.uniform(
                    0.1, 0.9
                )
                steps += 1
            elif status == "difficult":
                steps += 1
            elif status in ("withdrawn", "merged"):
                r[ix["closed_at"]] = at["dispatched"]
                if status == "merged":
                    # Into an earlier demand of the same chunk: committed together, whatever the order of chunks.
                    r[ix["merged_into_id"]] = rng.randrange(chunk_first_pk, pk)
                steps += 1
            r[ix["status"]] = status
            r[ix["version"]] = steps
            r[ix["triage_due_at"]] = d.triage_due_at
            d.status = status
            next_due_at = self.next_due(d)
            r[ix["next_due_at"]] = next_due_at

            if lead is not None:
                is_open = status not in ("closed", "withdrawn", "merged")
                is_current = status != "returned"
                due = next_due_at if is_open else None
                assignments.append((pk, lead, "lead", is_current, is_open, due, at["dispatched"]))
                extra = rng.random()
                n_co = 2 if extra < 0.04 else 1 if extra < 0.22 else 0
                if n_co:
                    for co in [u for u in rng.sample(self.unit_list, n_co + 1) if u != lead][:n_co]:
                        assignments.append(
                            (pk, co, "co", is_current, is_open, due, at["dispatched"])
                        )
            if self.events:
                events.append(
                    (
                        "demand",
                        pk,
                        "submit",
                        submitter,
                        submitted,
                        "",
                        "submitted",
                        "",
                        {"channel": channel, "category": cat_code if has_category else ""},
                    )
                )
            year = submitted.astimezone(tz).year
            r[ix["number"]] = f"SQ-{year}-{self.numbers[year] + k:06d}"
            rows.append(r)
        return rows, assignments, events


# --- the run ---------------------------------------------------------------------------------


def reserve_ids(count: int) -> int:
    """Reserve ``count`` demand ids from the table's sequence; return the first."""
    from django.db import connection

    from mashang.demands.models import Demand

    table = Demand._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (seq,) = cursor.fetchone()
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(table)} IN SHARE ROW EXCLUSIVE MODE"
            )
            cursor.execute(
                f"SELECT setval(%s, GREATEST((SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}),"
                f" (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {seq})) + %s)",
                [seq, count],
            )
            (last,) = cursor.fetchone()
            return last - count + 1
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        (last,) = cursor.fetchone()
        return last + 1


def year_starts(builder: Builder, count: int) -> dict[int, int]:
    """For each local year among the run's submission times, the index of its first demand."""
    tz = builder.cal.tz
    first_year = builder.submitted_at(0).astimezone(tz).year
    last_year = builder.submitted_at(count - 1).astimezone(tz).year
    starts = {first_year: 0}
    for year in range(first_year + 1, last_year + 1):
        boundary = datetime(year, 1, 1, tzinfo=tz)
        lo, hi = 0, count  # first k with submitted_at(k) >= boundary
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (mid + 1, hi) if builder.submitted_at(mid) < boundary else (lo, mid)
        starts[year] = lo
    return starts


def reserve_numbers(starts: dict[int, int], count: int) -> dict[int, int]:
    """Take each year's numbers from NumberSequence at once (one atomic upsert per year, as
    ``demand_number_next`` does one at a time); return, per year, the offset that makes
    demand ``k``'s number ``offset + k``."""
    from mashang.core.numbering import numbers_take
    from mashang.demands.models import NumberSequence

    years = sorted(starts)
    offsets = {}
    for i, year in enumerate(years):
        n = (starts[years[i + 1]] if i + 1 < len(years) else count) - starts[year]
        last = numbers_take(NumberSequence, year=year, count=n)
        offsets[year] = last - n + 1 - starts[year]
    return offsets


def may_skip_fk_checks() -> bool:
    """Whether this connection may switch off the foreign-key triggers for its bulk load (superuser)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


_worker: SimpleNamespace | None = None


def _write_chunk(
    builder: Builder, writer, chunk_start: int, size: int, unchecked: bool
) -> tuple[int, int]:
    from django.db import connection, transaction

    rows, assignments, events = builder.chunk(chunk_start, size)
    with transaction.atomic():
        if unchecked:
            with connection.cursor() as cursor:
                # Every foreign key of these rows is an id read from the database or a row of
                # this very chunk, so the per-row RI triggers (a third of the load time) are skipped.
                cursor.execute("SET LOCAL session_replication_role = replica")
        writer.write(rows, assignments, events)
    status_at = builder.index["status"]
    return sum(1 for r in rows if r[status_at] not in ("closed", "withdrawn", "merged")), len(
        assignments
    )


def _worker_init(database_url: str, params: dict, unchecked: bool) -> None:
    global _worker
    import logging

    django_setup(database_url)
    logging.getLogger("mashang.workcal").setLevel(logging.ERROR)  # the parent has said it once
    from django.db import connection

    from mashang.workcal.selectors import calendar_get

    builder = Builder(cal=calendar_get(), **params)
    writer = PostgresWriter(builder) if connection.vendor == "postgresql" else SqliteWriter(builder)
    _worker = SimpleNamespace(builder=builder, writer=writer, unchecked=unchecked)


def _worker_chunk(chunk_start: int, size: int) -> tuple[int, int, int]:
    assert _worker is not None
    n_open, n_assign = _write_chunk(
        _worker.builder, _worker.writer, chunk_start, size, _worker.unchecked
    )
    return size, n_open, n_assign


def generate(
    *,
    demands: int,
    seed: int = 1,
    now: datetime | None = None,
    months: float = 12,
    open_fraction: float = 0.08,
    enterprises: int = 5000,
    events: bool = False,
    chunk: int = CHUNK,
    jobs: int | None = None,
    check_foreign_keys: bool = False,
    analyze: bool = True,
    progress: bool = True,
) -> dict:
    """Append ``demands`` demands to the configured database (Django must be set up)."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from multiprocessing import get_context

    from django.db import connection, transaction

    from mashang.workcal.selectors import calendar_get

    t0 = time.perf_counter()
    ref = ensure_reference_data(seed=seed, enterprises=enterprises)
    now = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    span = timedelta(days=30.44 * months)
    tau = open_decay_days(open_fraction, span.total_seconds() / 86400)
    count = max(demands, 1)
    params = dict(
        ref=ref,
        now=now,
        span=span,
        tau_days=tau,
        first_id=0,
        count=count,
        seed=seed,
        events=events,
        numbers={},
    )
    with transaction.atomic():
        params["first_id"] = reserve_ids(demands)
        builder = Builder(cal=calendar_get(), **params)
        params["numbers"] = builder.numbers = reserve_numbers(year_starts(builder, count), count)
    unchecked = not check_foreign_keys and may_skip_fk_checks()
    jobs = jobs or (os.cpu_count() or 1)
    if connection.vendor != "postgresql":
        jobs = 1  # one writer at a time on SQLite anyway
    chunks = [(start, min(chunk, demands - start)) for start in range(0, demands, chunk)]
    done = n_open = n_assign = 0
    t_start = time.perf_counter()

    tty = sys.stderr.isatty()
    step = max(demands // 10, 1)
    shown = 0

    def report() -> None:
        nonlocal shown
        if not progress or not (tty or done - shown >= step or done == demands):
            return
        shown = done
        rate = done / (time.perf_counter() - t_start)
        end = "\r" if tty else "\n"
        print(f"  {done:>11,} demands  {rate:>9,.0f} rows/s", end=end, file=sys.stderr, flush=True)

    if jobs == 1:
        writer = (
            PostgresWriter(builder) if connection.vendor == "postgresql" else SqliteWriter(builder)
        )
        for start, size in chunks:
            o, a = _write_chunk(builder, writer, start, size, unchecked)
            done, n_open, n_assign = done + size, n_open + o, n_assign + a
            report()
    else:
        connection.close()  # the workers open their own
        with ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=get_context("spawn"),
            initializer=_worker_init,
            initargs=(os.environ["DATABASE_URL"], params, unchecked),
        ) as pool:
            pending = {pool.submit(_worker_chunk, start, size) for start, size in chunks}
            try:
                while pending:
                    finished, pending = wait(
                        pending, timeout=CHUNK_TIMEOUT, return_when=FIRST_COMPLETED
                    )
                    if not finished:
                        raise RuntimeError(f"no chunk finished within {CHUNK_TIMEOUT} s; giving up")
                    for future in finished:
                        size, o, a = future.result()
                        done, n_open, n_assign = done + size, n_open + o, n_assign + a
                    report()
            except BaseException:
                for f in pending:
                    f.cancel()
                for process in list(getattr(pool, "_processes", {}).values()):
                    process.terminate()  # a worker that died at start-up would otherwise hang the pool
                raise
    if progress and demands and tty:
        print(file=sys.stderr)
    t_rows = time.perf_counter() - t_start
    t_analyze = 0.0
    if analyze and demands:
        from mashang.audit.models import Event
        from mashang.demands.models import Assignment, Demand
        from mashang.org.models import Enterprise, User

        ta = time.perf_counter()
        tables = [m._meta.db_table for m in (Demand, Assignment, Enterprise, User)] + (
            [Event._meta.db_table] if events else []
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in tables:
                    # VACUUM sets the visibility map, so index-only scans need no heap visits.
                    cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
            else:
                cursor.execute("ANALYZE")
        t_analyze = time.perf_counter() - ta
    return {
        "demands": demands,
        "open": n_open,
        "assignments": n_assign,
        "first_id": params["first_id"],
        "jobs": jobs,
        "fk_checks": not unchecked,
        "seconds_rows": t_rows,
        "seconds_analyze": t_analyze,
        "seconds_total": time.perf_counter() - t0,
        "rows_per_second": demands / t_rows if t_rows else 0.0,
        "now": now,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"where to write (postgresql:// or sqlite:///; default {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--demands", type=int, default=100_000, help="how many demands to add (default 100,000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="the generation's 'now' (ISO 8601 with offset); default: the current hour",
    )
    parser.add_argument(
        "--months", type=float, default=12, help="submitted over this many months before now"
    )
    parser.add_argument(
        "--open-fraction",
        type=float,
        default=0.08,
        help="share of demands still open (default 0.08)",
    )
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument(
        "--events", action="store_true", help="also write one 'submit' audit event per demand"
    )
    parser.add_argument("--chunk", type=int, default=CHUNK, help="demands per COPY and transaction")
    parser.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="worker processes building and writing chunks (default: the number of CPUs)",
    )
    parser.add_argument(
        "--check-foreign-keys",
        action="store_true",
        help="keep PostgreSQL's foreign-key triggers on during the load (slower)",
    )
    parser.add_argument("--no-analyze", action="store_true", help="skip VACUUM ANALYZE at the end")
    args = parser.parse_args(argv)

    django_setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    if args.now is not None and args.now.tzinfo is None:
        parser.error("--now needs a UTC offset, e.g. 2026-11-29T12:00:00+08:00")
    print(
        f"generating {args.demands:,} demands into {connection.vendor} database {connection.settings_dict['NAME']!r}"
    )
    result = generate(
        demands=args.demands,
        seed=args.seed,
        now=args.now,
        months=args.months,
        open_fraction=args.open_fraction,
        enterprises=args.enterprises,
        events=args.events,
        chunk=args.chunk,
        jobs=args.jobs,
        check_foreign_keys=args.check_foreign_keys,
        analyze=not args.no_analyze,
    )
    print(
        f"{result['demands']:,} demands ({result['open']:,} open, {result['open'] / max(result['demands'], 1):.1%}), "
        f"{result['assignments']:,} assignments in {result['seconds_rows']:.1f} s: "
        f"{result['rows_per_second']:,.0f} demands/s ({result['jobs']} jobs, "
        f"foreign-key triggers {'on' if result['fk_checks'] else 'off'}); VACUUM ANALYZE {result['seconds_analyze']:.1f} s; "
        f"total {result['seconds_total']:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
