"""The embedded SQLite database lets writers take turns: a writer waits exactly as long as the
transaction ahead of it (no busy-handler polling, no "database is locked"), and a transaction
that ends either way — committed or rolled back — hands the turn on."""

from __future__ import annotations

import threading
import time

import pytest
from django.db.utils import ConnectionHandler


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    """These tests open SQLite files of their own, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "mashang.core.sqlite",
                "NAME": str(path),
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            }
        }
    )
    wrapper = handler["default"]
    wrapper.ensure_connection()
    return wrapper


def _setup(path):
    first = _wrapper(path)
    with first.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE filed (n INTEGER)")
    first.close()


def test_a_writer_waits_for_the_one_ahead_and_then_writes(tmp_path):
    path = tmp_path / "zone.sqlite3"
    _setup(path)
    started = threading.Event()
    failures: list[BaseException] = []
    waited: list[float] = []

    def hold_then_commit():
        ahead = _wrapper(path)  # a connection is used by the thread that made it
        ahead._start_transaction_under_autocommit()
        with ahead.cursor() as cursor:
            cursor.execute("INSERT INTO filed VALUES (1)")
        started.set()
        time.sleep(0.3)
        ahead.commit()
        ahead.close()

    def write_after():
        behind = _wrapper(path)
        started.wait(5)
        t0 = time.perf_counter()
        behind._start_transaction_under_autocommit()
        waited.append(time.perf_counter() - t0)
        with behind.cursor() as cursor:
            cursor.execute("INSERT INTO filed VALUES (2)")
        behind.commit()
        behind.close()

    def run(work):
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - the test shows it
            failures.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in (hold_then_commit, write_after)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert failures == []
    assert waited and 0.2 < waited[0] < 0.5, waited
    check = _wrapper(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM filed ORDER BY n")
        assert [row[0] for row in cursor.fetchall()] == [1, 2]
    check.close()
    assert (tmp_path / "zone.sqlite3.writers").exists()


def test_a_rolled_back_transaction_hands_the_turn_on(tmp_path):
    path = tmp_path / "zone.sqlite3"
    _setup(path)
    first, second = _wrapper(path), _wrapper(path)
    first._start_transaction_under_autocommit()
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO filed VALUES (1)")
    first.rollback()
    t0 = time.perf_counter()
    second._start_transaction_under_autocommit()  # would block for good if the turn were kept
    assert time.perf_counter() - t0 < 0.2
    second.commit()
    first.close()
    second.close()
