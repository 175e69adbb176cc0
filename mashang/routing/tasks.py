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


def retrain_now(trigger: str = "schedule") -> list[str]:
    """Retrain both suggestion classifiers; each one's version and status."""
    from mashang.routing.services.training import classifiers_retrain

    rows = classifiers_retrain(trigger=trigger)
    return [f"{r.target} v{r.version}: {r.status}" for r in rows]


@app.task(name=RETRAIN_TASK, ignore_result=True)
def retrain(trigger: str = "schedule") -> list[str]:
    return retrain_now(trigger)
