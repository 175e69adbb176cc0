"""/metrics speaks Prometheus's text format to the operator's networks only, and its figures
follow the data: requests by view, the outbox, open and overdue demands by unit, land-start
runs, the sweeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from mashang.demands.models import Status
from mashang.notify.models import Channel, DeliveryStatus, Notification
from mashang.supervision.services import supervision_sweep
from tests.kit.clocks import at
from tests.kit.landstart import AWARD, OPENED, run_of
from tests.kit.walk import walk_to


def scrape(client, **extra) -> dict[str, dict[tuple, float]]:
    """The samples of each family: {family: {(sample name, sorted labels): value}}."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    families: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        samples = families.setdefault(family.name, {})
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return families


def value(families, family: str, sample: str | None = None, **labels) -> float:
    return families[family].get((sample or family, tuple(sorted(labels.items()))), 0.0)


def test_the_figures_follow_the_data(client, bundle):
    zone = bundle.zone
    overdue = walk_to(zone, Status.DISPATCHED, start=at(2026, 11, 2, 9, 0))
    walk_to(zone, Status.SUBMITTED)  # just filed: the service team's, not overdue
    walk_to(zone, Status.CLOSED)  # over: not open
    assert overdue.next_due_at < timezone.now()
    run_of(bundle, opened=OPENED, awarded=AWARD)  # running
    Notification.objects.create(
        kind="test",
        channel=Channel.INBOX,
        recipient=zone.officer,
        subject="失败",
        dedupe_key="dead:1",
        status=DeliveryStatus.DEAD,
        created_at=timezone.now() - timedelta(days=1),
    )
    result = supervision_sweep()
    assert result.total == 1

    families = scrape(client)

    assert value(families, "mashang_demands_open", unit="zrzy") == 1
    assert value(families, "mashang_demands_overdue", unit="zrzy") == 1
    assert value(families, "mashang_demands_open", unit="team") == 1
    assert value(families, "mashang_demands_overdue", unit="team") == 0
    assert value(families, "mashang_landstart_runs", state="running") == 1
    assert value(families, "mashang_landstart_runs", state="listed") == 0
    assert value(families, "mashang_outbox_notifications", status="dead", channel="inbox") == 1
    assert "mashang_outbox_oldest_due_seconds" in families
    assert "mashang_outbox_messages_to_fan_out" in families
    assert value(families, "mashang_sweep_runs", "mashang_sweep_runs_total") == 1
    raised = {
        level: value(
            families,
            "mashang_sweep_notices_raised",
            "mashang_sweep_notices_raised_total",
            level=level,
        )
        for level in ("reminder", "yellow", "red")
    }
    assert sum(raised.values()) == 1
    assert value(families, "mashang_sweep_last_finished_timestamp_seconds") == pytest.approx(
        timezone.now().timestamp(), abs=60
    )
    assert (
        value(families, "mashang_sweep_duration_seconds", "mashang_sweep_duration_seconds_total")
        > 0
    )

    supervision_sweep()  # nothing new to raise: one more run, no more notices
    families = scrape(client)
    assert value(families, "mashang_sweep_runs", "mashang_sweep_runs_total") == 2
    assert (
        value(
            families,
            "mashang_sweep_notices_raised",
            "mashang_sweep_notices_raised_total",
            level="red",
        )
        == raised["red"]
    )


def test_requests_are_counted_and_timed_by_view_not_by_path(client, zone):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    # Not signed in: a redirect to sign in, counted under the view's name, not its path.
    client.get("/demands/12345/")
    client.get("/no-such-page/")
    after = scrape(client)

    def count(families, **labels):
        return value(families, "mashang_http_requests", "mashang_http_requests_total", **labels)

    assert (
        count(after, view="healthz", method="GET", status="200")
        - count(before, view="healthz", method="GET", status="200")
        == 2
    )
    demand_views = {
        dict(labels)["view"]
        for (name, labels) in after["mashang_http_requests"]
        if name == "mashang_http_requests_total"
    }
    assert not any("12345" in v for v in demand_views)
    assert count(after, view="unmatched", method="GET", status="404") >= 1
    buckets = after["mashang_http_request_duration_seconds"]
    assert (
        buckets[
            (
                "mashang_http_request_duration_seconds_count",
                (("method", "GET"), ("view", "healthz")),
            )
        ]
        >= 2
    )


def test_metrics_refuses_a_client_outside_the_allowed_networks(client, db, settings):
    # The test client comes from 127.0.0.1, allowed by default.
    assert client.get("/metrics").status_code == 200
    outside = client.get("/metrics", REMOTE_ADDR="203.0.113.5")
    assert outside.status_code == 404
    assert b"mashang_" not in outside.content
    # A header cannot forge the address when no proxy is trusted.
    forged = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert forged.status_code == 404


def test_behind_a_proxy_the_forwarded_address_decides(client, db, settings):
    settings.MASHANG_PROXY_COUNT = 1
    settings.MASHANG_METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    proxy = {"REMOTE_ADDR": "192.0.2.1"}
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3", **proxy).status_code == 200
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="fd00::5", **proxy).status_code == 200
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 404
