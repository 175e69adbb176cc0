"""Smart dispatch's periodic work as Celery tasks (beat's schedule is in :mod:`config.celery`);
the embedded worker runs the same functions through :mod:`mashang.notify.jobs`."""

from __future__ import annotations

import logging

from config.celery import app

logger = logging.getLogger(__name__)

HOT_TOPICS_TASK = "mashang.routing.hot_topics"
#: The job's name in :mod:`mashang.notify.jobs`.
HOT_TOPICS_JOB = "routing.hot_topics"
#: Seconds between two runs (as beat's "routing-hot-topics" entry in config.celery).
HOT_TOPICS_SECONDS = 3600.0


def hot_topics_now() -> int:
    """Compute and store the hot topics of the window ending now; how many topics were found."""
    from mashang.routing.topics import topics_compute

    computed = topics_compute()
    logger.info(
        "hot topics: %d topics over %d demands in %.1f s",
        len(computed.topics), computed.run.demands, computed.run.seconds,
    )
    return len(computed.topics)


@app.task(name=HOT_TOPICS_TASK, ignore_result=True)
def hot_topics() -> int:
    return hot_topics_now()


RETRAIN_TASK = "mashang.routing.retrain"
#: The job's name in :mod:`mashang.notify.jobs` (run on demand by the page, and on schedule).
RETRAIN_JOB = "routing.retrain"


def retrain_now(trigger: str = "schedule", actor_id: int | None = None) -> list[str]:
    """Retrain both suggestion classifiers (for ``actor_id``, who asked, if someone did); each
    one's version and status."""
    from mashang.org.models import User
    from mashang.routing.services.training import classifiers_retrain

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    rows = classifiers_retrain(trigger=trigger, actor=actor)
    return [f"{r.target} v{r.version}: {r.status}" for r in rows]


@app.task(name=RETRAIN_TASK, ignore_result=True)
def retrain(trigger: str = "schedule", actor_id: int | None = None) -> list[str]:
    return retrain_now(trigger, actor_id)


AUTO_DISPATCH_TASK = "mashang.routing.auto_dispatch"
AUTO_DISPATCH_JOB = "routing.auto_dispatch"
#: Seconds between two looks for new demands to dispatch automatically (beat and the embedded
#: worker); nothing is read but one settings row while automatic dispatch is off.
AUTO_DISPATCH_SECONDS = 10.0


def auto_dispatch_now() -> int:
    """Dispatch the new demands the zone's settings allow; how many."""
    from mashang.routing.services.automatic import auto_dispatch_pending

    return auto_dispatch_pending()


@app.task(name=AUTO_DISPATCH_TASK, ignore_result=True)
def auto_dispatch() -> int:
    return auto_dispatch_now()
