"""The periodic jobs the worker runs besides delivery, registered by the apps that own them.

notify knows no domain app: an app above it registers its job here in its ``AppConfig.ready``
(supervision registers its deadline sweep as :data:`SWEEP`), and the worker, embedded or
Celery, runs whatever is registered.
"""

from __future__ import annotations

from collections.abc import Callable

#: The deadline sweep, run every minute.
SWEEP = "sweep"

_jobs: dict[str, Callable[[], object]] = {}


def job_register(name: str, run: Callable[[], object]) -> None:
    """Have the worker run ``run()`` as the job ``name`` (registering again replaces it)."""
    _jobs[name] = run


def job_get(name: str) -> Callable[[], object] | None:
    """The job registered as ``name``, or None where no installed app provides it."""
    return _jobs.get(name)
