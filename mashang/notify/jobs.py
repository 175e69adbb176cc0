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
#: name -> seconds between two runs, for the jobs the embedded worker runs on its own clock
#: (with a broker, beat's schedule in config.celery runs them as Celery tasks).
_every: dict[str, float] = {}


def job_register(name: str, run: Callable[[], object], *, every: float | None = None) -> None:
    """Have the worker run ``run()`` as the job ``name`` (registering again replaces it); with
    ``every``, the embedded worker runs it every that many seconds (the first time one interval
    after its start)."""
    _jobs[name] = run
    if every is not None:
        _every[name] = every


def jobs_periodic() -> dict[str, tuple[float, Callable[[], object]]]:
    """The jobs registered with an interval: name -> (seconds, run)."""
    return {name: (seconds, _jobs[name]) for name, seconds in _every.items() if name in _jobs}


def job_get(name: str) -> Callable[[], object] | None:
    """The job registered as ``name``, or None where no installed app provides it."""
    return _jobs.get(name)
