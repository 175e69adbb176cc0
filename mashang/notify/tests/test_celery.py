"""Celery with the real Redis on the machine: a commit asks for delivery through the broker and
a worker (started in this process) delivers to the stand-in platforms."""

from __future__ import annotations

import time
from importlib import import_module

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db import connection, transaction

from config.celery import app
from mashang.notify import jobs, tasks
from mashang.notify.channels.base import message_ref
from mashang.notify.models import DeliveryStatus, Notification
from mashang.notify.services import notification_enqueue
from tests.kit.broker import celery_broker
from tests.kit.notify import T0, make_robots

#: A Redis database of this test process's own (config/settings/test.py).
REDIS_URL = django_settings.MASHANG_TEST_REDIS_URL


@pytest.fixture(autouse=True)
def short_lived_connections(monkeypatch):
    """The worker thread's database connection is closed after each task, as in a real worker
    with CONN_MAX_AGE=0, so none outlives the test."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)


def _wait_for(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


# PostgreSQL only: on the tests' in-memory SQLite (shared cache) a write of the worker's thread
# that meets a read of this test's polling fails at once ("database table is locked", no busy
# wait), which leaves the row to the next pass, after this test's 20 seconds.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_commit_sends_the_delivery_task_through_redis_to_a_worker(zone, platforms, settings):
    settings.MASHANG_BROKER_URL = REDIS_URL
    settings.MASHANG_NOTIFY_DELIVER_INLINE = False
    robots = make_robots(platforms, unit=zone.land)
    with celery_broker(REDIS_URL), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        with transaction.atomic():
            rows = notification_enqueue(
                kind="demand.dispatched", subject="诉求已派至本单位", body="请尽快联系企业。",
                link="/demands/1/", recipients=[zone.land_staff], robots=robots.all(),
                dedupe_key="celery:1", at=T0,
            )
            # Nothing is sent before the commit.
            time.sleep(0.3)
            assert platforms.hits == 0
        robot_rows = [r for r in rows if r.robot_id]
        delivered = _wait_for(
            lambda: Notification.objects.filter(pk__in=[r.pk for r in robot_rows], status=DeliveryStatus.SENT).count()
            == 3
        )
    assert delivered, list(Notification.objects.values_list("status", "last_error"))
    assert platforms.problems == []
    for row in robot_rows:
        assert platforms.count_containing(message_ref(row)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_sent_by_name_over_redis_runs_the_delivery(zone, platforms, settings):
    """What beat does every 10 seconds: send ``deliver_pending`` by name."""
    settings.MASHANG_NOTIFY_DELIVER_INLINE = False
    robots = make_robots(platforms)
    with transaction.atomic():
        (row,) = notification_enqueue(
            kind="test", subject="定时投递", body="", robots=[robots.feishu], dedupe_key="beat:1", at=T0
        )
    with celery_broker(REDIS_URL), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        app.send_task(tasks.DELIVER_TASK)
        assert _wait_for(lambda: Notification.objects.get(pk=row.pk).status == DeliveryStatus.SENT)
    assert platforms.count_containing(message_ref(row)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_loses_nothing(zone, platforms, settings):
    """The commit's request for delivery fails; the row waits in the outbox for the next pass."""
    settings.MASHANG_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.MASHANG_NOTIFY_DELIVER_INLINE = False
    robots = make_robots(platforms)
    with celery_broker(REDIS_URL):
        app.conf.broker_url = "redis://127.0.0.1:1/0"
        with transaction.atomic():
            (row,) = notification_enqueue(
                kind="test", subject="代理不在", body="", robots=[robots.wecom], dedupe_key="down:1", at=T0
            )
    assert Notification.objects.get(pk=row.pk).status == DeliveryStatus.PENDING
    assert tasks.deliver_due_now() == 1
    assert platforms.count_containing(message_ref(row)) == 1


def test_beat_runs_delivery_every_10_seconds_and_the_sweeps_every_minute():
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    landstart = "mashang.landstart.sweep"  # pre-review and commitments (mashang.landstart.tasks)
    retention = "mashang.audit.security_log_purge"  # the security log's 180 days, once a day
    topics = "mashang.routing.hot_topics"  # the hot topics (mashang.routing.tasks), every hour
    retrain = "mashang.routing.retrain"  # the suggestion classifiers, once a day
    auto = "mashang.routing.auto_dispatch"  # new demands, where the zone dispatches automatically
    assert schedule == {
        tasks.DELIVER_TASK: 10.0, tasks.SWEEP_TASK: 60.0, landstart: 60.0, retention: 86400.0,
        topics: 3600.0, retrain: 86400.0, auto: 10.0,
    }
    import_module("mashang.landstart.tasks")  # as the worker's autodiscovery does
    import_module("mashang.audit.tasks")
    import_module("mashang.routing.tasks")
    assert {tasks.DELIVER_TASK, tasks.SWEEP_TASK, landstart, retention, topics, retrain, auto} <= set(app.tasks)


def test_the_sweep_task_is_skipped_where_supervision_is_not_installed(monkeypatch):
    monkeypatch.delitem(jobs._jobs, jobs.SWEEP)
    assert tasks.supervision_sweep_now() is False


@pytest.mark.django_db(transaction=True)
def test_with_the_worker_fanning_out_a_move_reaches_the_inbox_and_the_work_group(zone, platforms, settings):
    """Production's shape: the move writes one message; the worker fans it out and delivers."""
    from mashang.notify.models import Channel, ChatRobot, Message, Platform
    from mashang.notify.recipients import Audience

    settings.MASHANG_BROKER_URL = REDIS_URL
    settings.MASHANG_NOTIFY_DELIVER_INLINE = False
    settings.MASHANG_NOTIFY_FAN_OUT = "worker"
    ChatRobot.objects.create(
        name="自然资源工作群", platform=Platform.WECOM, webhook_url=platforms.url("wecom"), unit=zone.land
    )
    with celery_broker(REDIS_URL), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        with transaction.atomic():
            rows = notification_enqueue(
                kind="demand.dispatched", subject="诉求已派至本单位", body="请尽快联系企业。",
                audience=Audience.of_units([zone.land.pk, zone.housing.pk]), dedupe_key="worker:1", at=T0,
            )
        assert rows == [] and Message.objects.filter(dedupe_key="worker:1").exists()
        assert _wait_for(lambda: not Message.objects.filter(fanned_out_at__isnull=True).exists())
        assert _wait_for(lambda: platforms.hits == 1)
    inbox = set(
        Notification.objects.filter(kind="demand.dispatched", channel=Channel.INBOX).values_list(
            "recipient__username", flat=True
        )
    )
    assert inbox == {"unit-zrzy", "unit-zjj"}
    assert platforms.problems == []


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_commits_asks_the_broker_once_until_the_pass_starts(zone, settings):
    """Every commit until the requested pass starts is covered by it: one task sent, not one
    per move; a commit after the pass started asks again."""
    from celery.signals import before_task_publish

    from mashang.notify.services import delivery_pass_started

    settings.MASHANG_BROKER_URL = REDIS_URL
    settings.MASHANG_NOTIFY_DELIVER_INLINE = False
    settings.MASHANG_NOTIFY_FAN_OUT = "worker"
    sent: list[str] = []

    def count(sender=None, **kwargs):
        sent.append(sender)

    def enqueue(key: str) -> None:
        with transaction.atomic():
            notification_enqueue(kind="test", subject="一批", body="", recipients=[zone.officer], dedupe_key=key, at=T0)

    before_task_publish.connect(count, weak=False)
    try:
        with celery_broker(REDIS_URL):  # no worker: nothing takes the request
            for i in range(5):
                enqueue(f"burst:{i}")
            assert sent == [tasks.DELIVER_TASK]
            delivery_pass_started()
            enqueue("burst:after")
            assert sent == [tasks.DELIVER_TASK] * 2
    finally:
        before_task_publish.disconnect(count)
