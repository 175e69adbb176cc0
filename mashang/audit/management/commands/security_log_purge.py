from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mashang.audit.security import security_log_purge
from mashang.core.errors import ApplicationError


class Command(BaseCommand):
    """Delete the security audit log's rows older than ``MASHANG_SECURITY_LOG_DAYS`` (180 by
    default; never fewer than 180 days are kept). Celery beat runs it daily; running it again
    deletes nothing more."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep this many days (180 or more).")

    def handle(self, *args, **options):
        try:
            removed = security_log_purge(days=options["days"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已清除 {removed} 条超过保存期限的安全审计日志。")
