from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mashang.supervision.services import supervision_sweep

MSG_BAD_AT = "--at 需要 ISO 8601 时间，例如 2026-10-09T14:30:00+08:00（不带时区按本地时间）。"


def _parse_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(MSG_BAD_AT) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


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
        result = supervision_sweep(at=_parse_at(at), dry_run=dry_run)
        r = result.raised
        verb = "将发出" if result.dry_run else "已发出"
        self.stdout.write(
            f"督办巡查（{timezone.localtime(result.at).isoformat()}）：{verb}提醒 {r['reminder']} 条、"
            f"黄牌 {r['yellow']} 张、红牌 {r['red']} 张（候选诉求 {result.candidates} 条，用时 {result.seconds:.2f} 秒）"
        )
