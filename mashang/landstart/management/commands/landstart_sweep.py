from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mashang.core.management.moments import at_option_parse
from mashang.landstart.tasks import landstart_sweep_now

MSG_DONE = "拿地即动工巡查（{at}）：预审逾期提醒 {prereview} 条"
MSG_COMMITMENTS = "，容缺承诺督办 {commitments} 条"


class Command(BaseCommand):
    """Run the land-start sweep once (the worker's beat runs it every minute): tell each unit of
    its pre-review steps still not ready on the working day before the listing closes (once
    per step), and raise the notices that promised documents' deadlines have earned; print how
    many. For the embedded default without a worker, run it from cron."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="sweep as of this instant (ISO 8601); default: now")

    def handle(self, *args, at=None, **options):
        now = at_option_parse(at) or timezone.now()
        done = landstart_sweep_now(now=now)
        text = MSG_DONE.format(at=timezone.localtime(now).isoformat(), prereview=done["prereview"])
        if "commitments" in done:
            text += MSG_COMMITMENTS.format(commitments=done["commitments"])
        self.stdout.write(text + "。")
