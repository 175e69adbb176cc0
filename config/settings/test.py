"""Test settings: fast password hashing, the zone's time zone, the database from the environment.

``make test`` runs the suite twice: on SQLite (the default here) and on PostgreSQL
(``DATABASE_URL`` pointing at the local server).
"""

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TIME_ZONE = "Asia/Shanghai"
MASHANG_CALENDAR_CACHE_SECONDS = 0
# Notifications are delivered right after the commit, in the test process (no worker).
MASHANG_NOTIFY_DELIVER_INLINE = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE"}  # noqa: F405
