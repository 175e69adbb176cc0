from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from mashang.demands.models import Status
from mashang.demo.load import DemoOptions, DemoRefused, demo_check, demo_load, demo_wipe
from mashang.demo.reference import DEMO_PASSWORD, ZONE_NAME
from mashang.demo.simulate import DemoError
from mashang.workcal.selectors import calendar_get

MSG_ALREADY = "演示数据已经载入（种子 {seed}，截至 {until}，{demands} 条诉求，{enterprises} 家企业），未做任何改动。"
MSG_WIPED = "已清除原有演示数据（{count} 条诉求）。"
MSG_PROGRESS = "已生成 {done}/{total} 条诉求…"
MSG_DONE = "演示数据已载入：{zone}，{demands} 条诉求，{enterprises} 家企业，{users} 位用户，用时 {seconds:.1f} 秒。"
MSG_MEETINGS = "研判会议 {meetings} 次，会议决定的督办事项 {action_items} 项。"
MSG_SWEEPS = "督办巡查按时回放 {sweeps} 次，发出提醒、黄牌和红牌共 {notices} 条。"
MSG_ROUTING = "分拨建议：{models}；近 30 天热点 {topics} 个（其中上升 {rising} 个），用时 {seconds:.1f} 秒。"
MSG_PASSWORD = "演示用户的密码均为 {password}；mashang demo_users 列出全部用户。"
MSG_BAD_DATE = "--until 应为 YYYY-MM-DD 格式的日期，例如 2026-06-30"


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(MSG_BAD_DATE) from None


class Command(BaseCommand):
    """Load the demo zone: units and their people, categories, enterprises, a year of demands,
    investment projects with their land-start runs and batches, and the review meetings with the
    action items they decided. The live land-start run is awarded at the moment of the load.

    Every demand and every move goes through the demand services with its actor and time,
    during the twelve months before --until (default: today in the zone's time zone). The
    same --seed and --until give the same data. Loading again is harmless: if this demo is
    already loaded nothing changes. A database with other data is refused unless --force,
    which first wipes what the demo owns (its enterprises, their demands, the ent users)
    and updates the demo units, categories and people in place. All demo users have the
    password mashang-demo (see demo_users).
    """

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--until",
            type=str,
            default=None,
            help="the demo's 'today', YYYY-MM-DD: demands fill the twelve months before it (default: today)",
        )
        parser.add_argument(
            "--demands", type=int, default=3000, help="how many demands (default 3000)"
        )
        parser.add_argument(
            "--enterprises",
            type=int,
            default=200,
            help="how many enterprises (default 200, at most 999)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="wipe the demo-owned data first and load even if the database holds other data",
        )

    def handle(
        self,
        *args,
        seed: int,
        until: str | None,
        demands: int,
        enterprises: int,
        force: bool,
        **options,
    ):
        verbosity = options.get("verbosity", 1)
        until_given = until is not None
        day = _date(until) if until_given else timezone.now().astimezone(calendar_get().tz).date()
        wanted = DemoOptions(seed=seed, until=day, demands=demands, enterprises=enterprises)
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if verbosity:
                self.stdout.write(MSG_PROGRESS.format(done=done, total=total))

        try:
            if not force:
                loaded = demo_check(wanted, until_given=until_given)
                if loaded is not None:
                    self.stdout.write(MSG_ALREADY.format(**loaded))
                    return
            with transaction.atomic():  # a failed load leaves the wiped demo in place
                if force:
                    wiped = demo_wipe()
                    if wiped and verbosity:
                        self.stdout.write(MSG_WIPED.format(count=wiped))
                result = demo_load(wanted, progress=progress)
        except (DemoRefused, DemoError) as exc:
            raise CommandError(str(exc)) from exc
        routing = self._routing()
        seconds = time.perf_counter() - started
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    MSG_DONE.format(
                        zone=ZONE_NAME,
                        demands=sum(result.statuses.values()),
                        enterprises=enterprises,
                        users=result.users,
                        seconds=seconds,
                    )
                )
            )
            summary = "，".join(
                f"{Status(status).label} {count}"
                for status, count in sorted(result.statuses.items(), key=lambda i: -i[1])
            )
            self.stdout.write(f"状态：{summary}")
            self.stdout.write(
                MSG_MEETINGS.format(meetings=result.meetings, action_items=result.action_items)
            )
            self.stdout.write(
                MSG_SWEEPS.format(sweeps=result.stats.sweeps, notices=result.stats.notices)
            )
            self.stdout.write(routing)
            self.stdout.write(MSG_PASSWORD.format(password=DEMO_PASSWORD))

    def _routing(self) -> str:
        """Suggestions learnt from the loaded history and its hot topics, as the worker would
        compute them later (daily and hourly), so the demo shows them at once."""
        from mashang.routing.services.training import classifiers_retrain
        from mashang.routing.topics import topics_compute

        started = time.perf_counter()
        trained = classifiers_retrain(trigger="demo")
        computed = topics_compute()
        models = "，".join(
            f"{c.get_target_display()} v{c.version} {c.get_status_display()}"
            + (f"（宏平均 F1 {c.macro_f1:.3f}）" if c.macro_f1 is not None else "")
            for c in trained
        )
        return MSG_ROUTING.format(
            models=models,
            topics=len(computed.topics),
            rising=sum(1 for t in computed.topics if t.is_rising),
            seconds=time.perf_counter() - started,
        )
