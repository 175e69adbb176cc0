"""Test settings: fast password hashing, the zone's time zone, the database from the environment.

``make test`` runs the suite twice: on SQLite (the default here) and on PostgreSQL
(``DATABASE_URL`` pointing at the local server), each time in parallel processes
(pytest-xdist); what those processes share outside the database is kept apart here.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_str
from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TIME_ZONE = "Asia/Shanghai"
MASHANG_CALENDAR_CACHE_SECONDS = 0
# Notifications are delivered right after the commit, in the test process (no worker).
MASHANG_NOTIFY_DELIVER_INLINE = True
# Administrators sign in with the password alone here (force_login, admin_client); the tests of
# the second factor turn it on (mashang/org/tests/test_second_factor.py).
MASHANG_ADMIN_OTP_REQUIRED = False

if DATABASES["default"]["ENGINE"] in ("django.db.backends.sqlite3", "mashang.core.sqlite"):  # noqa: F405
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
    # Named outright so pytest-django leaves it in memory under xdist: it adds a worker suffix
    # to any other test name (and "test_:memory:_gw0" would be a file in the working directory).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}  # noqa: F405

# pytest-xdist names its processes gw0, gw1, … (pytest-django gives each its own test
# database). The Redis the Celery tests send their tasks through is shared, so each process
# takes its own database number, counting down from the configured one (gw0 15, gw1 14, …):
# one never flushes or consumes another's queue.
XDIST_WORKER = env_str("PYTEST_XDIST_WORKER") or "gw0"
_worker = int(XDIST_WORKER.removeprefix("gw"))
_redis = urlsplit(env_str("MASHANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
_redis_db = int(_redis.path.strip("/") or 0) - _worker
if _redis_db < 0:
    raise ImproperlyConfigured(
        f"MASHANG_TEST_REDIS_URL: no Redis database number left for pytest-xdist worker {XDIST_WORKER}"
    )
MASHANG_TEST_REDIS_URL = _redis._replace(path=f"/{_redis_db}").geturl()
