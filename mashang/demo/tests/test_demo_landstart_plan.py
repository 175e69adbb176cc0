"""The plan of the demo's land-supply batches, for any seed and any demo day: a completed batch
of six awarded within days, a month or so before "now" and after the 40-minute record, and a
batch of six listed plots (the demo's listed run among them) awarded on the next two working
days, its units part-way through their pre-review. Pure: no database."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from mashang.demo.landstart import DONE_RECORDS, WAITING_FIRST_DAY, demo_batches_plan
from mashang.demo.plan import plan_enterprises
from mashang.demo.project_plan import AWARD_DAYS, Days, demo_projects_plan
from mashang.projects.models import PIPELINE, Stage

TZ = ZoneInfo("Asia/Shanghai")
PRE_REVIEWABLE = {"confirmation", "land_contract", "land_use_permit", "works_permit", "title", "construction_permit"}


def _working(holidays: frozenset[date]):
    return lambda d: d.weekday() < 5 and d not in holidays


def _plans(seed: int, until: date, holidays: frozenset[date]):
    start = until.replace(year=until.year - 1)
    works = _working(holidays)
    enterprises = plan_enterprises(
        random.Random(f"mashang-demo:{seed}:enterprises"), 20, datetime.combine(start, time(), tzinfo=TZ), set()
    )
    projects = demo_projects_plan(
        seed=seed, start=start, until=until, enterprises=enterprises, is_working_day=works
    ).projects
    listed_run = next(p for p in projects if p.run == "listed")
    taken = {p.name for p in projects}
    days = Days(works, start, until)
    batches = demo_batches_plan(seed=seed, days=days, enterprises=enterprises, taken=taken, listed_run=listed_run)
    return days, projects, listed_run, batches


untils = st.dates(min_value=date(2025, 3, 1), max_value=date(2028, 12, 31)).filter(
    lambda d: not (d.month == 2 and d.day == 29)
)
holiday_sets = st.frozensets(st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 1, 31)), max_size=40)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), until=untils, holidays=holiday_sets)
def test_the_batches_fit_the_demo_year_for_any_seed_and_day(seed, until, holidays):
    days, projects, listed_run, plan = _plans(seed, until, holidays)
    done, waiting = plan.batches
    works = days.works

    # the completed batch: six runs awarded on three working days, after the 40-minute record,
    # a month or so before "now", listed together three weeks before
    last_record = max(p.reached[Stage.AWARDED] for p in projects if p.run == "completed")
    assert last_record == days.fit(days.start + timedelta(days=AWARD_DAYS[-1]))
    assert last_record < done.award_from <= done.award_to < until - timedelta(days=20)
    members = {p.index: p for p in plan.projects}
    done_runs = [members[i] for i in done.members]
    assert len(done_runs) == 6 and [p.record for p in done_runs] == list(DONE_RECORDS)
    awards = [p.reached[Stage.AWARDED] for p in done_runs]
    assert awards == sorted(awards) and {awards[0], awards[-1]} == {done.award_from, done.award_to}
    assert all(works(d) for d in awards) and (done.award_to - done.award_from).days <= 7
    for p in done_runs:
        assert p.reached[Stage.LISTED] == done.listed and (p.reached[Stage.AWARDED] - done.listed).days >= 20
        assert p.reached[Stage.STARTED] == p.reached[Stage.AWARDED] and p.final == Stage.STARTED
        assert p.funds and all(f.received_on < until for f in p.funds)
        assert sum(f.amount for f in p.funds) < p.investment

    # the waiting batch: the demo's listed run and five more, listed the same day before
    # "now", awarded on the next two working days after it
    assert waiting.award_from > until and works(waiting.award_from) and works(waiting.award_to)
    assert waiting.award_to == days.next(waiting.award_from)
    assert not any(works(d) for d in (until + timedelta(days=n) for n in range(1, (waiting.award_from - until).days)))
    assert listed_run.index in waiting.members and len(waiting.members) == 6
    assert listed_run.planned[Stage.AWARDED] == waiting.award_to
    new = [members[i] for i in waiting.members if i != listed_run.index]
    assert all(p.reached[Stage.LISTED] == waiting.listed < until and p.final == Stage.LISTED for p in new)
    assert [p.planned[Stage.AWARDED] for p in new] == (
        [waiting.award_from] * WAITING_FIRST_DAY + [waiting.award_to] * (5 - WAITING_FIRST_DAY)
    )
    staged = [set(p.record.staged) for p in new]
    assert all(s <= PRE_REVIEWABLE for s in staged)
    missing_first_day = [PRE_REVIEWABLE - s for s in staged[:WAITING_FIRST_DAY]]
    assert sorted(len(m) for m in missing_first_day) == [0] * (WAITING_FIRST_DAY - 1) + [1]  # one late step

    # every project: its stages reached in order before its listing, planned in order, a new name
    names = [p.name for p in plan.projects]
    assert len(set(names)) == len(names) and not set(names) & {p.name for p in projects}
    for p in plan.projects:
        reached = [p.reached[s] for s in PIPELINE if s in p.reached]
        assert reached == sorted(reached) and len(set(reached[:4])) == 4
        planned = [p.planned[s] for s in PIPELINE if s in p.planned]
        assert planned == sorted(planned)
        assert p.entered == p.reached[Stage.LISTED] and p.entry_stage == Stage.LISTED


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10**6), until=untils)
def test_the_same_seed_gives_the_same_batches(seed, until):
    assert _plans(seed, until, frozenset())[3] == _plans(seed, until, frozenset())[3]
