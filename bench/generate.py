"""Generate N demands straight into the database, fast, for benchmarks and scorecards.

    python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/mashang_bench --demands 1000000

It migrates the database first, creates (or reuses) the reference data of a zone — 20
handling units, the service team and the supervision office, 10 categories, 5,000
enterprises with one contact each, a few officers and leaders, one staff member and one
head per unit — then
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
* returns, reopenings and difficult cases as the services record them: ``return_count``
  (a "returned" demand, and 3 % of the dispatched ones returned before the dispatch that
  stands, 15 % of those twice — the units that returned it keep a lead assignment, no longer
  current), ``round`` 2 for some closed and some open demands, ``escalated_at`` for the
  difficult ones, and 1 % of the dispatched ones taken on as a case by a leader
  (``coordinator``, a case deadline, the head's ``signed_off_at/by`` before they closed);
* action items (``kind="action_item"``, ``--action-items``, default one per 2,500 demands):
  no enterprise, channel ``meeting``, dispatched at once with the meeting's deadline and a
  monthly progress report, numbered DB-YYYY-NNNNN from ``ActionItemSequence``, spread among
  the demands in id order as real ones are;
* numbers SQ-YYYY-NNNNNN come from the same ``NumberSequence`` rows as ``demand_submit``,
  reserved per chunk with one atomic upsert, so demands filed later through the API never
  collide with generated ones; ids are reserved from the table's sequence up front;
* no audit events by default (``--events`` writes one ``submit`` event per demand, an
  ``open`` per action item and the ``return`` and ``escalate`` events): the
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
    ACTION_DESCRIPTION,
    ACTION_TITLES,
    ACTION_TOPICS,
    CATEGORIES,
    CHANNELS,
    CLOSED_STATUSES,
    DESCRIPTIONS,
    ITEM_OPEN_BY_AGE,
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
ITEMS_PER_DEMANDS = 2500  # by default one action item per this many demands
# How often a demand was returned, reopened or taken on as a difficult case (see Builder.chunk).
P_RETURNED_BEFORE = 0.03  # a dispatched demand was returned once and dispatched elsewhere …
P_RETURNED_TWICE = 0.15  # … and of those, returned a second time (disputed)
P_RETURNED_AGAIN = 0.20  # a demand now "returned" had been returned before (a second return)
P_REOPENED_OPEN = 0.06  # an open demand older than 4 days is in its second round (重办)
P_CASE = 0.01  # a dispatched demand older than 3 days was escalated and taken on by a leader

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
        action_items: int = 0,
        item_numbers: dict[int, int] | None = None,
    ):
        from mashang.demands import deadlines
        from mashang.demands.models import Demand
        from mashang.demands.working_hours import working_times

        self.ref, self.cal, self.now, self.span = ref, cal, now, span
        self.tau = tau_days
        self.first_id, self.count = first_id, count
        self.seed = seed
        self.events = events
        self.numbers = numbers  # per local year: the number of the n-th demand is numbers[year] + n
        # Rows k = every·j + every − 1 (j < action_items) are action items, spread evenly among
        # the demands, in id order as real ones are; item j is numbered item_numbers[year] + j.
        self.action_items = action_items
        self.every = count // action_items if action_items else 0
        self.item_numbers = item_numbers or {}
        self.item_open = [(bound, Picker(pairs)) for bound, pairs in ITEM_OPEN_BY_AGE]
        self.unit_codes = {pk: code for code, pk in ref.unit_ids.items()}
        self.next_due = deadlines.next_due
        self.progress_report_due = deadlines.progress_report_due
        self.working_times = working_times
        self.policies = {code: deadlines.Policy.of(cat) for code, cat in ref.categories.items()}
        self.default_policy = deadlines.Policy.of(None)
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

    def items_before(self, k: int) -> int:
        """How many of rows ``0 … k-1`` are action items."""
        return min(self.action_items, k // self.every) if self.every else 0

    def is_item(self, k: int) -> bool:
        return bool(self.every) and k % self.every == self.every - 1 and k // self.every < self.action_items

    def submitted_at(self, k: int) -> datetime:
        """When demand ``k`` of this run was filed: evenly spread, strictly increasing, without the RNG
        (so the count per year, hence the numbers, are known before any row is built)."""
        jitter = ((k * 2654435761) & 0xFFFF) / 65536
        return self.start + self.step * (k + jitter)

    def chunk(self, chunk_start: int, size: int):
        """Rows for demands ``chunk_start`` … ``chunk_start + size - 1`` of this run (same seed, same rows)."""
        rng = random.Random(f"{self.seed}:{self.first_id + chunk_start}")
        ix = self.index
        rows, assignments, events = [], [], []
        demand_pks = []  # this chunk's demands so far (what a duplicate may be merged into)
        cal, now = self.cal, self.now
        day = cal.day_length
        tz = cal.tz
        for k in range(chunk_start, chunk_start + size):
            pk = self.first_id + k
            submitted = self.submitted_at(k)
            if self.is_item(k):
                rows.append(self.item(rng, k, pk, submitted, assignments, events))
                continue
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
                kind="demand",
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
            r[ix["kind"]] = "demand"
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
            earlier_leads: list[int] = []  # lead units that returned it before its last dispatch
            returns: list[tuple[int, datetime]] = []  # (unit, when), for the events
            case = False
            if not pre_dispatch:
                dispatched = at["dispatched"]
                lead = (
                    self.ref.categories[cat_code].lead_unit_id
                    if rng.random() < 0.75
                    else rng.choice(self.unit_list)
                )
                # Returns (退回): a "returned" demand was returned by its lead unit, sometimes
                # for the second time; of the others a few were returned before the dispatch
                # that stands and went to another unit. Either way the units that returned it
                # keep their assignment, as lead, no longer current.
                if status == "returned":
                    n_returns = 1 + (rng.random() < P_RETURNED_AGAIN)
                elif status in ("withdrawn", "merged") or rng.random() >= P_RETURNED_BEFORE:
                    n_returns = 0
                else:
                    n_returns = 1 + (rng.random() < P_RETURNED_TWICE)
                if n_returns:
                    r[ix["return_count"]] = n_returns
                    n_earlier = n_returns - (status == "returned")
                    earlier_leads = [u for u in rng.sample(self.unit_list, n_earlier + 1) if u != lead]
                    earlier_leads = earlier_leads[:n_earlier]
                    span = dispatched - at["triaged"]
                    returns = [
                        (u, at["triaged"] + span * ((i + 1) / (n_earlier + 1)))
                        for i, u in enumerate(earlier_leads)
                    ]
                    if status == "returned":
                        returns.append((lead, at["responded"]))
                    steps += 2 * n_earlier  # returned, dispatched again (the last return below)
                # Difficult cases taken on (难题专办): escalated before the dispatch that stands,
                # which is the leader's, with a coordinator and a deadline of 10–60 working days.
                case = (
                    status in ("dispatched", "in_progress", "waiting", "replied", "unresolved", "closed")
                    and age_days > 3
                    and rng.random() < P_CASE
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
                if case:
                    r[ix["escalated_at"]] = at["triaged"] + (dispatched - at["triaged"]) * rng.uniform(
                        0.3, 0.9
                    )
                    r[ix["coordinator_id"]] = rng.choice(self.ref.coordinators)
                    d.resolution_due_at = cal.add_working_time(dispatched, day * rng.randint(10, 60))
                    d.interim_reply_due_at = min(d.interim_reply_due_at, d.resolution_due_at)
                    steps += 2  # escalated, taken on
                if status not in ("dispatched", "returned", "withdrawn", "merged"):
                    d.first_responded_at = at["responded"]
                if status == "difficult":  # escalated while in progress, waiting for a leader
                    ceiling = max(min(now, at["assessed"]), at["responded"])
                    r[ix["escalated_at"]] = at["responded"] + (ceiling - at["responded"]) * rng.uniform(
                        0.2, 0.95
                    )
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
                # A case's reply is signed off by the lead unit's head before it is confirmed.
                if case and (
                    status in ("unresolved", "closed") or (status == "replied" and rng.random() < 0.5)
                ):
                    until = at["closed"] if status != "replied" else now
                    r[ix["signed_off_at"]] = at["replied"] + (until - at["replied"]) * rng.uniform(
                        0.1, 0.6
                    )
                    r[ix["signed_off_by_id"]] = self.ref.heads[lead]
                    steps += 1
            r[ix["first_response_due_at"]] = d.first_response_due_at
            r[ix["interim_reply_due_at"]] = d.interim_reply_due_at
            r[ix["resolution_due_at"]] = d.resolution_due_at

            if status == "merged" and not demand_pks:
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
                    r[ix["merged_into_id"]] = rng.choice(demand_pks)
                steps += 1
            if (
                status in ("dispatched", "in_progress", "waiting", "replied", "unresolved")
                and age_days > 4
                and rng.random() < P_REOPENED_OPEN
            ):  # open in a second round (重办): not resolved, reopened, the clocks anew
                r[ix["round"]] = 2
                steps += 3
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
                for unit, (_u, when) in zip(earlier_leads, returns, strict=False):
                    assignments.append((pk, unit, "lead", False, is_open, due, when))
                extra = rng.random()
                n_co = 2 if extra < 0.04 else 1 if extra < 0.22 else 0
                if n_co:
                    taken = {lead, *earlier_leads}
                    for co in [u for u in rng.sample(self.unit_list, n_co + len(taken)) if u not in taken][
                        :n_co
                    ]:
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
                for unit, when in returns:
                    events.append(
                        (
                            "demand",
                            pk,
                            "return",
                            self.ref.staff[unit],
                            when,
                            "in_progress",
                            "returned",
                            "不属于本单位职责范围，请重新分派。",
                            {"unit": self.unit_codes[unit]},
                        )
                    )
                if r[ix["escalated_at"]] is not None:
                    events.append(
                        (
                            "demand",
                            pk,
                            "escalate",
                            rng.choice(self.ref.officers)[0],
                            r[ix["escalated_at"]],
                            "in_progress",
                            "difficult",
                            "涉及多个部门职责交叉，需领导协调。",
                            {},
                        )
                    )
            year = submitted.astimezone(tz).year
            n = k - self.items_before(k)
            r[ix["number"]] = f"SQ-{year}-{self.numbers[year] + n:06d}"
            rows.append(r)
            demand_pks.append(pk)
        return rows, assignments, events

    def item(self, rng: random.Random, k: int, pk: int, submitted: datetime, assignments, events):
        """Row ``k``, an action item (督办事项) a review meeting decided, opened as
        ``action_item_open`` does: no enterprise, dispatched at once to its lead unit (and
        co-units) with the meeting's deadline; then handled as a demand is."""
        ix = self.index
        cal, now = self.cal, self.now
        day = cal.day_length
        age_days = (now - submitted).total_seconds() / 86400
        # Meetings' work lasts longer than a demand: twice the demands' time constant.
        p_open = OPEN_FLOOR + (1 - OPEN_FLOOR) * math.exp(-age_days / (2 * self.tau))
        if rng.random() < p_open:
            status = next(p for bound, p in self.item_open if age_days < bound)(rng)
        else:
            status = "closed"
        cat_code = self.cat_picker(rng) if rng.random() < 0.5 else None
        policy = self.policies[cat_code] if cat_code else self.default_policy
        lead = rng.choice(self.unit_list)
        topic = rng.choice(ACTION_TOPICS)
        title = "督办：" + rng.choice(ACTION_TITLES).format(
            unit=self.unit_codes[lead], topic=topic
        )
        due = cal.add_working_time(submitted, day * rng.choice((5, 10, 15, 20, 30, 45)))
        r = self.template.copy()
        r[ix["id"]] = pk
        r[ix["kind"]] = "action_item"
        r[ix["enterprise_id"]] = None
        submitter = rng.choice(self.ref.officers)[0]
        r[ix["submitted_by_id"]] = submitter
        r[ix["channel"]] = "meeting"
        r[ix["title"]] = title
        r[ix["description"]] = ACTION_DESCRIPTION.format(
            meeting=f"{submitted.astimezone(cal.tz):%Y年%m月}", title=title
        )
        r[ix["contact_name"]] = r[ix["contact_phone"]] = ""
        r[ix["category_id"]] = self.ref.categories[cat_code].pk if cat_code else None
        r[ix["urgency"]] = "urgent" if rng.random() < 0.3 else "normal"
        r[ix["submitted_at"]] = r[ix["triaged_at"]] = r[ix["dispatched_at"]] = submitted
        r[ix["lead_unit_id"]] = lead
        d = SimpleNamespace(
            kind="action_item",
            status=status,
            triage_due_at=None,
            first_response_due_at=min(
                cal.add_working_hours(submitted, float(policy.first_response_hours)), due
            ),
            # Its progress is reported monthly (an action item's interim reply).
            interim_reply_due_at=self.progress_report_due(submitted, due),
            resolution_due_at=due,
            first_responded_at=None,
            assessed_at=None,
            replied_at=None,
        )
        # Hours after the opening: signed for, progress reported, replied (mostly before the
        # deadline, a fifth after it), confirmed closed by the service team.
        to_due = (due - submitted).total_seconds() / 3600
        marks = {"responded": rng.uniform(0.5, 8)}
        marks["replied"] = max(to_due * rng.uniform(0.3, 1.25), marks["responded"] + 1)
        marks["assessed"] = min(marks["responded"] + rng.uniform(24, 240), marks["replied"])
        marks["closed"] = marks["replied"] + rng.uniform(4, 72)
        last_needed = {"dispatched": 0, "in_progress": marks["responded"]}.get(
            status, marks["replied"] if status == "replied" else marks["closed"]
        )
        age_hours = age_days * 24
        squeeze = min(1.0, 0.9 * age_hours / last_needed) if last_needed else 1.0
        at = {name: submitted + HOUR * (hours * squeeze) for name, hours in marks.items()}
        steps = 1  # opened
        if status != "dispatched":
            d.first_responded_at = at["responded"]
            if status != "in_progress" or (at["assessed"] < now and rng.random() < 0.6):
                d.assessed_at = at["assessed"]
                if status == "in_progress" and age_days > 30:  # its latest monthly report
                    d.assessed_at = max(at["assessed"], now - timedelta(days=rng.uniform(0, 40)))
                if d.replied_at is None:
                    d.interim_reply_due_at = self.progress_report_due(d.assessed_at, due)
        if status in ("replied", "closed"):
            d.replied_at = at["replied"]
            r[ix["reply"]] = "已按会议决定完成督办事项，办理情况已报送。"
        if d.assessed_at is not None:
            r[ix["assessment"]] = "已制定工作方案，正在按计划推进。"
        if status == "closed":
            r[ix["resolved"]] = True
            r[ix["rating"]] = "satisfied"
            r[ix["closed_at"]] = at["closed"]
            steps += 1
        steps += sum(x is not None for x in (d.first_responded_at, d.assessed_at, d.replied_at))
        r[ix["first_responded_at"]] = d.first_responded_at
        r[ix["assessed_at"]] = d.assessed_at
        r[ix["replied_at"]] = d.replied_at
        for name, value in self.working_times(
            cal,
            dispatched_at=submitted,
            first_responded_at=d.first_responded_at,
            replied_at=d.replied_at,
        ).items():
            r[ix[name]] = value
        r[ix["first_response_due_at"]] = d.first_response_due_at
        r[ix["interim_reply_due_at"]] = d.interim_reply_due_at
        r[ix["resolution_due_at"]] = d.resolution_due_at
        r[ix["status"]] = status
        r[ix["version"]] = steps
        next_due_at = self.next_due(d)
        r[ix["next_due_at"]] = next_due_at
        is_open = status != "closed"
        due_at = next_due_at if is_open else None
        assignments.append((pk, lead, "lead", True, is_open, due_at, submitted))
        extra = rng.random()
        n_co = 2 if extra < 0.1 else 1 if extra < 0.4 else 0
        for co in [u for u in rng.sample(self.unit_list, n_co + 1) if u != lead][:n_co]:
            assignments.append((pk, co, "co", True, is_open, due_at, submitted))
        if self.events:
            events.append(
                (
                    "demand",
                    pk,
                    "open",
                    submitter,
                    submitted,
                    "",
                    "dispatched",
                    "",
                    {"kind": "action_item", "lead_unit": self.unit_codes[lead]},
                )
            )
        year = submitted.astimezone(cal.tz).year
        r[ix["number"]] = f"DB-{year}-{self.item_numbers[year] + self.items_before(k):05d}"
        return r


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


def reserve_numbers(starts: dict[int, int], count: int, sequences=None) -> dict[int, int]:
    """Take each year's numbers from ``sequences`` (default NumberSequence) at once (one
    atomic upsert or ``setval`` per year, as ``number_next`` does one at a time); return, per
    year, the offset that makes the ``n``-th row's number ``offset + n``. ``starts``: the
    index of each year's first row; ``count``: how many rows in all."""
    from mashang.core.numbering import numbers_take
    from mashang.demands.models import NumberSequence

    years = sorted(starts)
    offsets = {}
    for i, year in enumerate(years):
        n = (starts[years[i + 1]] if i + 1 < len(years) else count) - starts[year]
        if n <= 0:
            continue  # no row of this kind that year: take nothing
        last = numbers_take(sequences or NumberSequence, year=year, count=n)
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
    action_items: int | None = None,
    chunk: int = CHUNK,
    jobs: int | None = None,
    check_foreign_keys: bool = False,
    analyze: bool = True,
    progress: bool = True,
) -> dict:
    """Append ``demands`` demands and ``action_items`` action items (default: one per
    ITEMS_PER_DEMANDS demands) to the configured database (Django must be set up)."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from multiprocessing import get_context

    from django.db import connection, transaction

    from mashang.workcal.selectors import calendar_get

    t0 = time.perf_counter()
    ref = ensure_reference_data(seed=seed, enterprises=enterprises)
    now = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    span = timedelta(days=30.44 * months)
    tau = open_decay_days(open_fraction, span.total_seconds() / 86400)
    if action_items is None:
        action_items = demands // ITEMS_PER_DEMANDS
    action_items = max(0, min(action_items, demands // 2))  # at most every other row
    rows_total = demands + action_items
    count = max(rows_total, 1)
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
        action_items=action_items,
        item_numbers={},
    )
    with transaction.atomic():
        from mashang.demands.models import ActionItemSequence

        params["first_id"] = reserve_ids(rows_total)
        builder = Builder(cal=calendar_get(), **params)
        starts = year_starts(builder, count)
        params["numbers"] = builder.numbers = reserve_numbers(
            {y: k - builder.items_before(k) for y, k in starts.items()}, demands
        )
        params["item_numbers"] = builder.item_numbers = reserve_numbers(
            {y: builder.items_before(k) for y, k in starts.items()},
            action_items,
            ActionItemSequence,
        )
    unchecked = not check_foreign_keys and may_skip_fk_checks()
    jobs = jobs or (os.cpu_count() or 1)
    if connection.vendor != "postgresql":
        jobs = 1  # one writer at a time on SQLite anyway
    chunks = [(start, min(chunk, rows_total - start)) for start in range(0, rows_total, chunk)]
    done = n_open = n_assign = 0
    t_start = time.perf_counter()

    tty = sys.stderr.isatty()
    step = max(rows_total // 10, 1)
    shown = 0

    def report() -> None:
        nonlocal shown
        if not progress or not (tty or done - shown >= step or done == rows_total):
            return
        shown = done
        rate = done / (time.perf_counter() - t_start)
        end = "\r" if tty else "\n"
        print(f"  {done:>11,} rows  {rate:>9,.0f} rows/s", end=end, file=sys.stderr, flush=True)

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
    if progress and rows_total and tty:
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
        "action_items": action_items,
        "open": n_open,
        "assignments": n_assign,
        "first_id": params["first_id"],
        "jobs": jobs,
        "fk_checks": not unchecked,
        "seconds_rows": t_rows,
        "seconds_analyze": t_analyze,
        "seconds_total": time.perf_counter() - t0,
        "rows_per_second": rows_total / t_rows if t_rows else 0.0,
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
        "--action-items",
        type=int,
        default=None,
        help=f"action items to add among the demands (default: one per {ITEMS_PER_DEMANDS:,} demands)",
    )
    parser.add_argument(
        "--events",
        action="store_true",
        help="also write audit events: 'submit' per demand, 'open' per action item, the returns and escalations",
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
        action_items=args.action_items,
        chunk=args.chunk,
        jobs=args.jobs,
        check_foreign_keys=args.check_foreign_keys,
        analyze=not args.no_analyze,
    )
    print(
        f"{result['demands']:,} demands and {result['action_items']:,} action items "
        f"({result['open']:,} open, {result['open'] / max(result['demands'] + result['action_items'], 1):.1%}), "
        f"{result['assignments']:,} assignments in {result['seconds_rows']:.1f} s: "
        f"{result['rows_per_second']:,.0f} rows/s ({result['jobs']} jobs, "
        f"foreign-key triggers {'on' if result['fk_checks'] else 'off'}); VACUUM ANALYZE {result['seconds_analyze']:.1f} s; "
        f"total {result['seconds_total']:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
