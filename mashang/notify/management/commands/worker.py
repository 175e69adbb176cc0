from __future__ import annotations

import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

EMBEDDED_SLEEP_SECONDS = 2.0


class Command(BaseCommand):
    """Run the background work: deliver notifications (every 10 s with a broker, every 2 s in the
    embedded loop), sweep deadlines (every minute, MASHANG_SWEEP_SECONDS) and the other
    registered jobs on their own intervals. With MASHANG_BROKER_URL set, this is the Celery worker with beat embedded; without,
    an embedded loop that does the same in this one process. --once runs one pass and exits."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass of every job, then exit (no broker used).")
        parser.add_argument(
            "--embedded", action="store_true", help="Run the embedded loop even when a broker is configured."
        )
        parser.add_argument("--loglevel", default="INFO", help="Celery's log level (with a broker).")

    def handle(self, *args, **options):
        if options["once"]:
            self._pass(sweep=True)
            return
        if settings.MASHANG_BROKER_URL and not options["embedded"]:
            self._celery(options["loglevel"])
        else:
            self._embedded()

    def _celery(self, loglevel: str) -> None:
        from config.celery import app

        schedule = settings.DATA_DIR / "celerybeat-schedule"
        schedule.parent.mkdir(parents=True, exist_ok=True)
        argv = [
            "worker",
            "--beat",
            f"--schedule={schedule}",
            # The jobs wait on HTTP and the database: threads in one process keep the worker small.
            "--pool=threads",
            f"--concurrency={settings.MASHANG_WORKER_CONCURRENCY}",
            f"--loglevel={loglevel}",
            "--without-mingle",
            "--without-gossip",
        ]
        try:
            app.worker_main(argv=argv)
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise CommandError(f"the Celery worker stopped with {exc.code}") from exc

    def _pass(self, *, sweep: bool) -> None:
        from mashang.notify.tasks import deliver_due_now, supervision_sweep_now

        sent = deliver_due_now()
        if sent:
            self.stdout.write(f"delivered {sent}")
        if sweep and supervision_sweep_now():
            self.stdout.write("supervision sweep done")

    def _embedded(self) -> None:
        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        from config.celery import SWEEP_SECONDS  # MASHANG_SWEEP_SECONDS, as beat's schedule
        from mashang.notify.jobs import jobs_periodic

        self.stdout.write("mashang worker: no broker, running the embedded loop (Ctrl-C stops it)")
        last_sweep = 0.0
        # The other registered jobs (hot topics, retraining) run first one interval after the
        # start: a restart neither repeats them nor makes the worker heavy at once.
        started = time.monotonic()
        last_run: dict[str, float] = {name: started for name in jobs_periodic()}
        while not stopping:
            now = time.monotonic()
            due_sweep = now - last_sweep >= SWEEP_SECONDS
            # A long-lived process: drop a connection the database closed or that is too old.
            close_old_connections()
            try:
                self._pass(sweep=due_sweep)
            except Exception as exc:  # noqa: BLE001 - keep the loop alive; the next pass retries
                self.stderr.write(f"pass failed: {exc.__class__.__name__}: {exc}")
            # The other registered jobs (hot topics…), each on its own interval.
            for name, (every, run) in jobs_periodic().items():
                if name in last_run and now - last_run[name] < every:
                    continue
                last_run[name] = now
                try:
                    run()
                except Exception as exc:  # noqa: BLE001 - as above: the next interval retries
                    self.stderr.write(f"job {name} failed: {exc.__class__.__name__}: {exc}")
            close_old_connections()
            if due_sweep:
                last_sweep = now
            deadline = time.monotonic() + EMBEDDED_SLEEP_SECONDS
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
        self.stdout.write("mashang worker: stopped")
