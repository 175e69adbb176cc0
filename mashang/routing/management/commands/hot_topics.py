from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mashang.core.management.moments import at_option_parse
from mashang.routing.topics import TopicParams, topics_compute

MSG_BAD_DAYS = "--days 至少为 1。"
MSG_DONE = "热点话题（{start} 至 {end}，{demands} 件诉求，用时 {seconds:.1f} 秒）：{count} 个"
HEADER = "排名  热度  诉求  增长  企业  话题"
ROW = "{rank:>4}  {heat:>5.1f}  {volume:>4}  {growth:>+5.0%}  {enterprises:>4}  {label}{rising}"
RISING = "  [上升]"


class Command(BaseCommand):
    """Compute the hot topics (未诉先办) now and store them as the latest (the worker does it
    every hour), then print them: rank, heat, demands, growth against the window before,
    enterprises affected and the topic's words, rising ones marked."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="the window ends at this instant (ISO 8601); default: now")
        parser.add_argument("--days", type=int, help="the window's length in days (default 30)")

    def handle(self, *args, at=None, days=None, **options):
        params = TopicParams.configured()
        if days is not None:
            if days < 1:
                raise CommandError(MSG_BAD_DAYS)
            params = TopicParams(**{**params.__dict__, "window_days": days})
        computed = topics_compute(at=at_option_parse(at), params=params)
        run = computed.run
        self.stdout.write(
            MSG_DONE.format(
                start=timezone.localtime(run.window_start).strftime("%Y-%m-%d %H:%M"),
                end=timezone.localtime(run.window_end).strftime("%Y-%m-%d %H:%M"),
                demands=run.demands,
                seconds=run.seconds,
                count=len(computed.topics),
            )
        )
        if computed.topics:
            self.stdout.write(HEADER)
        for t in computed.topics:
            self.stdout.write(
                ROW.format(
                    rank=t.rank, heat=t.heat, volume=t.volume, growth=t.growth,
                    enterprises=t.enterprises, label=t.label, rising=RISING if t.is_rising else "",
                )
            )
