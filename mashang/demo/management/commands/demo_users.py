from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand

from mashang.demo.load import CONTACT_USERNAME
from mashang.demo.reference import DEMO_PASSWORD, ROLE_NAMES, STAFF_USERS
from mashang.org.models import User

MSG_NONE = "还没有载入演示数据：先运行 mashang load_demo。"
MSG_TITLE = "演示用户（密码均为 {password}）"
HEADERS = ("用户名", "角色", "单位 / 企业")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    """List the demo users and their password, short: one row per person of the zone's staff,
    one line for the unit staff and the unit heads, the enterprise contacts as a range."""

    help = __doc__

    def handle(self, *args, **options):
        staff_names = [name for name, *_ in STAFF_USERS]
        people = list(
            User.objects.filter(username__in=staff_names)
            .select_related("unit")
            .order_by("username")
        )
        people.sort(key=lambda u: staff_names.index(u.username))
        unit_staff = list(
            User.objects.filter(username__startswith="unit-", role=User.Role.UNIT_STAFF).order_by(
                "username"
            )
        )
        heads = list(
            User.objects.filter(username__startswith="head-", role=User.Role.UNIT_HEAD).order_by(
                "username"
            )
        )
        contacts = list(
            User.objects.filter(username__regex=CONTACT_USERNAME.pattern, role=User.Role.ENTERPRISE)
            .select_related("enterprise")
            .order_by("username")
        )
        if not (people or unit_staff or heads or contacts):
            self.stdout.write(MSG_NONE)
            return

        rows = [
            (u.username, ROLE_NAMES.get(u.role, u.role), u.unit.name if u.unit else "—")
            for u in people
        ]
        if unit_staff:
            rows.append(
                (
                    "unit-<单位代码>",
                    ROLE_NAMES["unit_staff"],
                    f"每个承办单位一位，共 {len(unit_staff)} 位",
                )
            )
        if heads:
            rows.append(
                ("head-<单位代码>", ROLE_NAMES["unit_head"], f"每个单位一位，共 {len(heads)} 位")
            )
        if contacts:
            first, last = contacts[0], contacts[-1]
            span = first.username if first is last else f"{first.username}…{last.username}"
            rows.append(
                (
                    span,
                    ROLE_NAMES["enterprise"],
                    f"每家企业一位，共 {len(contacts)} 位（{first.username}：{first.enterprise}）",
                )
            )

        widths = [max(_width(row[i]) for row in [HEADERS, *rows]) + 2 for i in range(2)]
        self.stdout.write(MSG_TITLE.format(password=DEMO_PASSWORD))
        self.stdout.write("")
        for row in [HEADERS, *rows]:
            self.stdout.write(
                f"{_pad(row[0], widths[0])}{_pad(row[1], widths[1])}{row[2]}".rstrip()
            )
        if unit_staff:
            self.stdout.write("")
            self.stdout.write(f"承办单位工作人员：{' '.join(u.username for u in unit_staff)}")
        if heads:
            self.stdout.write(f"单位负责人：{' '.join(u.username for u in heads)}")
