"""Fixtures of the notification tests: the stand-in chat platforms and one robot on each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mashang.notify.models import ChatRobot, Platform
from mashang.notify.tests.platforms import DINGTALK_SECRET, FEISHU_SECRET, FakePlatforms

CST = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 10, 12, 9, 0, tzinfo=CST)


@pytest.fixture
def platforms():
    fake = FakePlatforms()
    fake.start()
    yield fake
    fake.stop()


@dataclass
class Robots:
    wecom: ChatRobot
    dingtalk: ChatRobot
    feishu: ChatRobot

    def all(self) -> list[ChatRobot]:
        return [self.wecom, self.dingtalk, self.feishu]


def make_robots(platforms: FakePlatforms, unit=None) -> Robots:
    return Robots(
        wecom=ChatRobot.objects.create(
            name="自然资源工作群", platform=Platform.WECOM, webhook_url=platforms.url("wecom"), unit=unit
        ),
        dingtalk=ChatRobot.objects.create(
            name="钉钉工作群",
            platform=Platform.DINGTALK,
            webhook_url=platforms.url("dingtalk"),
            secret=DINGTALK_SECRET,
            unit=unit,
        ),
        feishu=ChatRobot.objects.create(
            name="飞书工作群",
            platform=Platform.FEISHU,
            webhook_url=platforms.url("feishu"),
            secret=FEISHU_SECRET,
            unit=unit,
        ),
    )


@pytest.fixture
def robots(db, platforms) -> Robots:
    return make_robots(platforms)


@pytest.fixture
def no_inline(settings):
    """Deliver only when the test says so (as the worker would), not right after each commit."""
    settings.MASHANG_NOTIFY_DELIVER_INLINE = False
    return settings
