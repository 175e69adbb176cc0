from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from mashang.core.management.moments import at_option_parse
from mashang.supervision.services import supervision_sweep


class Command(BaseCommand):
    """Run the supervision sweep once: raise the reminders, yellow and red cards that deadlines
    near or past have earned (each level once per deadline), and print how many."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="sweep as of this instant (ISO 8601); default: now")
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be raised, write nothing"
        )

    def handle(self, *args, at=None, dry_run=False, **options):
        result = supervision_sweep(at=at_option_parse(at), dry_run=dry_run)
        r = result.raised
        verb = "将发出" if result.dry_run else "已发出"
        self.stdout.write(
            f"督办巡查（{timezone.localtime(result.at).isoformat()}）：{verb}提醒 {r['reminder']} 条、"
            f"黄牌 {r['yellow']} 张、红牌 {r['red']} 张（候选诉求 {result.candidates} 条，用时 {result.seconds:.2f} 秒）"
        )
