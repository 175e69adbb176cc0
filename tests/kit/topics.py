"""A zone whose demands hold hot topics (mashang.routing.topics), computed at Thu 2026-12-03
09:00 over 30 days (from 11-03 09:00), against the 30 days before.

    SURGE    12 demands about power cuts (停电、供电) from 8 enterprises in the last week,
             one of them urgent, one very urgent; one power cut in the window before
                                                       → rising, labelled with 停电/供电
    STEADY   recruiting (招聘/招工) from several enterprises, one every 3 days through both
             windows (10 against 10)                   → a topic, not rising
    BACKGROUND  five other themes (tax refunds, roads, broadband, subsidies, dormitories),
             one demand of each every 4 days, and a handful of one-off demands

Plain functions: a test module makes its fixture of :func:`topics_zone_build`.
"""

from __future__ import annotations

import random
from datetime import timedelta

from mashang.demands.models import Demand, Urgency
from tests.kit.clocks import at
from tests.kit.factories import EnterpriseFactory

AT = at(2026, 12, 3, 9, 0)
DAY = timedelta(days=1)

SURGE = [
    ("厂区突然停电", "今天上午厂区突然停电，生产线全部停工，请供电公司尽快恢复供电。"),
    ("园区频繁停电", "最近一周园区东片频繁停电，设备损坏，希望供电局排查线路。"),
    ("车间停电影响生产", "二号车间连续两天停电，订单交付延误，请协调供电部门。"),
    ("供电线路跳闸停电", "配电房线路跳闸导致全厂停电，请供电公司派人检修。"),
    ("关于停电的问题", "本周已停电三次，每次停电数小时，请供电局说明原因。"),
    ("供电不稳定经常停电", "电压波动大，经常停电，冷库货物受损，请尽快解决供电问题。"),
    ("停电无预先通知", "供电公司计划停电没有提前通知企业，造成损失，请规范停电通知。"),
    ("夜间停电", "夜班生产时突然停电，员工安全受影响，请供电部门排查。"),
    ("厂房停电", "新厂房停电两天了，供电抢修一直没有到位。"),
    ("供电故障停电", "变压器故障导致停电，请供电公司更换设备恢复供电。"),
    ("停电造成损失", "昨天停电导致注塑机模具报废，请供电局核查停电原因。"),
    ("园区西片停电", "园区西片大面积停电，多家企业停产，请尽快恢复供电。"),
]
STEADY = [
    ("招工困难", "普工招聘困难，流水线缺人，请人社局组织招聘会。"),
    ("技术工人招聘难", "数控技术工人招聘不到，希望推荐技校毕业生。"),
    ("招聘渠道少", "企业招聘渠道少，请协助发布招聘信息。"),
    ("员工流失招工难", "员工流失严重，招工困难，希望组织专场招聘。"),
]
BACKGROUND = {
    "tax": [
        ("出口退税进度慢", "出口退税申报两个月还没有到账，请税务局加快审核。"),
        ("留抵退税政策咨询", "留抵退税政策适用条件不清楚，希望税务专员辅导。"),
    ],
    "road": [
        ("园区道路破损", "纬三路路面坑洼积水，货车通行困难，请修复路面。"),
        ("路灯不亮", "经五路路灯不亮，夜间通行不安全，请维修路灯。"),
    ],
    "broadband": [
        ("宽带网速太慢", "厂区宽带网速太慢，影响视频会议，请运营商排查。"),
        ("光纤专线报装", "光纤专线报装排期太长，请运营商加快报装。"),
    ],
    "subsidy": [
        ("技改补贴未到账", "去年技改补贴至今没有到账，请财政局说明拨付进度。"),
        ("人才补贴申报", "人才补贴申报材料被退回，申报条件不清楚。"),
    ],
    "dormitory": [
        ("员工宿舍紧张", "员工宿舍房源紧张，新员工没有地方住，请增加人才公寓。"),
        ("人才公寓租金偏高", "人才公寓租金偏高，员工负担重，希望降低租金。"),
    ],
}
ONE_OFFS = [
    ("商标被仿冒", "我司商标被外地企业仿冒，请市场监管局查处。"),
    ("危废清运不及时", "危险废物清运不及时，仓库堆满，请协调清运。"),
    ("子女入学", "员工子女入学困难，请教育局协调学位。"),
]


class Zone:
    def __init__(self, zone):
        self.zone = zone
        self.enterprises = [zone.enterprise, zone.other_enterprise] + [
            EnterpriseFactory(name=f"企业{i}有限公司") for i in range(10)
        ]
        self.rows: list[Demand] = []
        self.rng = random.Random(7)

    def file(self, text: tuple[str, str], when, enterprise=None, urgency=Urgency.NORMAL) -> Demand:
        title, description = text
        d = Demand(
            number=f"SQ-2026-{len(self.rows) + 1:06d}",
            enterprise=enterprise or self.rng.choice(self.enterprises),
            channel="web",
            title=title,
            description=description,
            urgency=urgency,
            submitted_at=when,
            submitted_by=self.zone.officer,
        )
        self.rows.append(d)
        return d

    def save(self) -> None:
        Demand.objects.bulk_create(self.rows)


def topics_zone_build(zone) -> dict:
    """The demands of the module's docstring, in ``zone``: {"surge", "steady", "z"}."""
    z = Zone(zone)
    start = AT - 60 * DAY
    surge = []
    for i, text in enumerate(SURGE):
        urgency = {3: Urgency.URGENT, 7: Urgency.CRITICAL}.get(i, Urgency.NORMAL)
        when = AT - 7 * DAY + i * timedelta(hours=13)
        surge.append(z.file(text, when, z.enterprises[i % 8], urgency))
    z.file(SURGE[0], AT - 40 * DAY)  # one power cut in the window before
    steady = []
    for k in range(20):
        d = z.file(STEADY[k % len(STEADY)], start + k * 3 * DAY + timedelta(hours=2))
        if d.submitted_at >= AT - 30 * DAY:
            steady.append(d)
    for theme in BACKGROUND.values():
        for k in range(15):
            z.file(theme[k % 2], start + k * 4 * DAY + timedelta(hours=5 + z.rng.randint(0, 8)))
    for k, text in enumerate(ONE_OFFS):
        z.file(text, AT - (5 + 7 * k) * DAY)
    z.save()
    return {"zone": zone, "surge": surge, "steady": steady, "z": z}
