"""A long data change runs in batches after the migrations: stopped anywhere, it loses at most
the batch in hand and continues from the last committed key; two runners at once never do a
batch twice; the command shows the progress."""

from __future__ import annotations

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mashang.core import backfill as backfill_module
from mashang.core.backfill import (
    Backfill,
    backfill_mark_pending,
    backfill_register,
    backfill_run,
    backfills_pending,
)
from mashang.core.models import BackfillProgress


@pytest.fixture(autouse=True)
def _english():
    """The commands' output is read in English, the messages' own text (zh-Hans is the default)."""
    with translation.override("en"):
        yield


NAME = "test.items"
TABLE = "core_test_backfill_items"


class Interrupted(Exception):
    pass


@pytest.fixture(autouse=True)
def _forget_test_backfill():
    yield
    backfill_module._REGISTRY.pop(NAME, None)


def _make_items(n: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, touched integer NOT NULL DEFAULT 0)"
        )
        # Keys with gaps, as ids are after deletions.
        cursor.executemany(
            f"INSERT INTO {TABLE} (id) VALUES (%s)", [(3 * i + 1,) for i in range(n)]
        )


def _touched() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT touched FROM {TABLE} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def _register(*, fail_on_call: int | None = None, pause: float = 0.0) -> list[int]:
    """The test backfill: each row's ``touched`` counted up once per time it is processed.
    With ``fail_on_call``, that call raises after writing its batch (an interruption in the
    middle of a batch). Returns the list of calls' first keys."""
    calls: list[int] = []

    def batch(*, after: int, size: int) -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {TABLE} WHERE id > %s ORDER BY id LIMIT %s", [after, size]
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return after, 0
            calls.append(after)
            placeholders = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"UPDATE {TABLE} SET touched = touched + 1 WHERE id IN ({placeholders})", ids
            )
        if pause:
            time.sleep(pause)
        if fail_on_call is not None and len(calls) == fail_on_call:
            raise Interrupted
        return ids[-1], len(ids)

    def estimate() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")
            return cursor.fetchone()[0]

    backfill_register(Backfill(NAME, "Test items.", batch, estimate))
    return calls


@pytest.mark.django_db
def test_a_backfill_runs_in_batches_and_ends_done():
    _make_items(23)
    backfill_mark_pending(NAME)
    assert [p.name for p in backfills_pending()] == [NAME]
    calls = _register()
    step = backfill_run(NAME, size=5)
    assert step.finished and step.rows_done == 23
    assert len(calls) == 5  # 5 + 5 + 5 + 5 + 3, then an empty batch says done
    assert _touched() == [1] * 23
    progress = BackfillProgress.objects.get(name=NAME)
    assert progress.state == "done" and progress.finished_at and progress.started_at
    assert backfills_pending() == []
    # Run again: nothing more is done.
    assert backfill_run(NAME, size=5).rows_done == 23
    assert _touched() == [1] * 23


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(n=st.integers(0, 40), size=st.integers(1, 12), fail_on=st.integers(1, 6))
def test_an_interrupted_batch_rolls_back_and_the_next_run_continues(n, size, fail_on):
    _make_items(n)
    backfill_mark_pending(NAME)
    _register(fail_on_call=fail_on)
    committed = 0
    try:
        backfill_run(NAME, size=size)
    except Interrupted:
        committed = size * (fail_on - 1)  # the batches before the failing one
    progress = BackfillProgress.objects.get(name=NAME)
    if committed:
        # The failing batch left nothing: neither its rows nor its progress.
        assert progress.rows_done == committed
        assert _touched() == [1] * committed + [0] * (n - committed)
        assert progress.state == "running"
    _register()
    step = backfill_run(NAME, size=size)
    assert step.finished and step.rows_done == n
    assert _touched() == [1] * n


@pytest.mark.django_db
def test_max_seconds_stops_between_batches_and_a_second_run_continues():
    _make_items(10)
    backfill_mark_pending(NAME)
    _register(pause=0.02)
    step = backfill_run(NAME, size=2, max_seconds=0.01)
    assert not step.finished and step.rows_done == 2
    assert _touched() == [1, 1] + [0] * 8
    assert backfill_run(NAME, size=2).rows_done == 10
    assert _touched() == [1] * 10


@pytest.mark.django_db
def test_the_command_lists_runs_and_shows_progress():
    _make_items(12)
    backfill_mark_pending(NAME)
    _register()
    out = StringIO()
    call_command("backfill", stdout=out)
    assert NAME in out.getvalue() and "Test items." in out.getvalue()

    out = StringIO()
    call_command("backfill", "--all", "--batch-size", "5", stdout=out)
    text = out.getvalue()
    assert "12 / 12 (100%)" in text and "rows/s" in text
    assert _touched() == [1] * 12

    out = StringIO()
    call_command("backfill", "--all", stdout=out)
    assert "No backfill is pending." in out.getvalue()
    # --restart does it again from the start.
    call_command("backfill", NAME, "--restart", stdout=StringIO())
    assert _touched() == [2] * 12


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_name():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No backfill is called nope"):
        call_command("backfill", "nope", stdout=StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_take_turns_and_never_do_a_batch_twice():
    _make_items(60)
    backfill_mark_pending(NAME)
    calls = _register(pause=0.01)
    errors: list[BaseException] = []
    batches: dict[str, int] = {}

    def runner(label: str) -> None:
        try:
            done = []

            def on_step(step):
                done.append(step.rows)
                time.sleep(0.01)  # printing the progress: the other runner takes the next batch

            backfill_run(NAME, size=3, on_step=on_step, wait=0.005)
            batches[label] = len([r for r in done if r])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=runner, args=(label,)) for label in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert _touched() == [1] * 60  # no row processed twice
        assert BackfillProgress.objects.get(name=NAME).rows_done == 60
        assert sorted(calls) == calls and len(set(calls)) == len(calls) == 20
        assert batches["a"] + batches["b"] == 20 and batches["a"] and batches["b"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
