from __future__ import annotations

from django.core.management.base import BaseCommand

from mashang.core.uploads import held_uploads_purge


class Command(BaseCommand):
    """Remove the files held for forms that were never sent again (kept when a form came back
    with an error, so the person need not choose them again) once they are a day old. Run it
    daily (cron); running it again removes nothing more."""

    help = __doc__

    def handle(self, *args, **options):
        removed = held_uploads_purge()
        self.stdout.write(f"已清除 {removed} 个超过一天的暂存文件。")
