"""The Celery app of mashang: background work in production (a Redis broker).

``MASHANG_BROKER_URL`` names the broker; empty (the embedded default) means no broker and
``mashang worker`` runs the same jobs in its own loop. Beat runs the delivery of due
notifications every 10 seconds, the supervision sweep and the land-start sweep every minute
(``MASHANG_SWEEP_SECONDS``); ``mashang worker`` starts the worker with beat embedded (without a broker, run the land-start
sweep with ``mashang landstart_sweep``).
"""

from __future__ import annotations

import os

from celery import Celery
from django.core.exceptions import ImproperlyConfigured

from config.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

#: Seconds between two runs of the supervision sweep and the land-start sweep (beat's schedule,
#: and the embedded loop of ``mashang worker``); a shorter one only for tests and demonstrations.
SWEEP_SECONDS = float(env_int("MASHANG_SWEEP_SECONDS", 60))
if SWEEP_SECONDS < 1:
    raise ImproperlyConfigured("MASHANG_SWEEP_SECONDS must be at least 1")

#: Seconds between two scheduled retrainings of the suggestion classifiers (0: only on demand).
ROUTING_RETRAIN_SECONDS = float(env_int("MASHANG_ROUTING_RETRAIN_SECONDS", 86400))

app = Celery("mashang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.beat_schedule = {
    # A run that could not start in time is dropped: the next one does the same work.
    "deliver-notifications": {
        "task": "mashang.notify.deliver_pending",
        "schedule": 10.0,
        "options": {"expires": 10},
    },
    "supervision-sweep": {
        "task": "mashang.notify.supervision_sweep",
        "schedule": SWEEP_SECONDS,
        "options": {"expires": SWEEP_SECONDS},
    },
    # Pre-review deadlines and promised documents (mashang.landstart.tasks).
    "landstart-sweep": {
        "task": "mashang.landstart.sweep",
        "schedule": SWEEP_SECONDS,
        "options": {"expires": SWEEP_SECONDS},
    },
    # The hot topics (未诉先办) of the last 30 days, every hour (mashang.routing.tasks).
    "routing-hot-topics": {
        "task": "mashang.routing.hot_topics",
        "schedule": 3600.0,
        "options": {"expires": 3600},
    },
    # New demands dispatched automatically where the zone turned that on (mashang.routing.tasks).
    "routing-auto-dispatch": {
        "task": "mashang.routing.auto_dispatch",
        "schedule": 10.0,
        "options": {"expires": 10},
    },
    # The suggestion classifiers retrained on the zone's history, daily (mashang.routing.tasks).
    **(
        {
            "routing-retrain": {
                "task": "mashang.routing.retrain",
                "schedule": ROUTING_RETRAIN_SECONDS,
                "options": {"expires": 3600},
            }
        }
        if ROUTING_RETRAIN_SECONDS > 0
        else {}
    ),
    # The security audit log's retention (mashang.audit.tasks): rows past MASHANG_SECURITY_LOG_DAYS.
    "security-log-retention": {
        "task": "mashang.audit.security_log_purge",
        "schedule": 86400.0,
        "options": {"expires": 3600},
    },
}
app.autodiscover_tasks(["mashang.notify", "mashang.landstart", "mashang.audit", "mashang.routing"])
