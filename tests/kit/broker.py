"""The Celery app pointed at a Redis database of the test's own for the duration."""

from __future__ import annotations

from contextlib import contextmanager

import redis
from kombu import pools

from config.celery import app


@contextmanager
def celery_broker(url: str):
    """Point the Celery app at ``url`` (emptied before and after) and forget every pooled
    connection on the way in and out, so no producer keeps talking to the old broker."""
    redis.Redis.from_url(url).flushdb()
    saved = app.conf.broker_url

    def forget_connections():
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = url
    forget_connections()
    try:
        yield app
    finally:
        app.conf.broker_url = saved
        forget_connections()
        redis.Redis.from_url(url).flushdb()
