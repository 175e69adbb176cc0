"""What the demo's investment projects are called, who invests, and the zone's land-start records.

Data only, in the zone's language (like :mod:`mashang.demo.texts`): project-name patterns per
industry, the prospective investors not yet registered in the zone, the reasons written on
projects that are late, paused or dropped, the blockers raised on projects, and the minutes
of each land-start record from the award to the construction permit.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The demo's industries (:data:`mashang.demo.reference.INDUSTRIES` by name, plus services)
#: as the project's industry choice (:class:`mashang.projects.models.Industry` values).
INDUSTRY_OF = {
    "新能源": "new_energy",
    "精密制造": "advanced_manufacturing",
    "生物医药": "biomedicine",
    "电子信息": "electronics",
    "新材料": "new_materials",
    "智能装备": "equipment",
    "食品": "food",
    "现代物流": "logistics",
    "家居建材": "other",
    "services": "services",
}

#: A name pattern and the numbers its ``{n}`` takes (none: the pattern has no ``{n}``).
Pattern = tuple[str, tuple[int, ...]]

#: New-land-supply projects: a plant, a base, a park, by industry.
NEW_LAND_NAMES: dict[str, tuple[Pattern, ...]] = {
    "new_energy": (
        ("年产 {n} GWh 储能电池及系统集成项目", (2, 5, 8, 10, 20)),
        ("年产 {n} 万套新能源汽车动力电池结构件项目", (30, 50, 100, 150)),
        ("{n} GW 高效光伏组件智能制造基地项目", (2, 3, 5, 10)),
        ("氢燃料电池电堆及系统生产基地项目", ()),
        ("新能源汽车充换电设备生产基地项目", ()),
    ),
    "advanced_manufacturing": (
        ("年产 {n} 万套新能源汽车零部件生产基地项目", (20, 50, 80, 120)),
        ("精密模具及汽车零部件智能制造项目", ()),
        ("年产 {n} 万件精密压铸结构件项目", (100, 300, 500)),
        ("高端数控机床功能部件生产项目", ()),
    ),
    "electronics": (
        ("功率半导体封装测试基地项目", ()),
        ("年产 {n} 万平方米高多层 PCB 线路板项目", (60, 120, 200)),
        ("Mini LED 显示模组生产基地项目", ()),
        ("智能终端研发及生产总部项目", ()),
        ("车规级电子模组生产项目", ()),
    ),
    "new_materials": (
        ("年产 {n} 万吨改性塑料生产基地项目", (5, 10, 20)),
        ("高性能铝合金型材及精深加工项目", ()),
        ("碳纤维复合材料制品生产项目", ()),
        ("年产 {n} 万吨电子级功能薄膜材料项目", (2, 3, 5)),
    ),
    "biomedicine": (
        ("体外诊断试剂及仪器研发生产基地项目", ()),
        ("高端医疗器械产业化项目", ()),
        ("生物制剂 GMP 生产基地项目", ()),
        ("原料药及制剂一体化生产项目", ()),
    ),
    "equipment": (
        ("工业机器人及智能装备制造基地项目", ()),
        ("年产 {n} 台（套）激光加工装备项目", (800, 1500, 3000)),
        ("智能仓储物流装备生产基地项目", ()),
        ("储能变流器及电力装备制造项目", ()),
    ),
    "food": (
        ("年产 {n} 万吨预制菜中央厨房项目", (3, 5, 10)),
        ("休闲食品智能工厂项目", ()),
        ("调味品生产基地项目", ()),
    ),
    "logistics": (
        ("冷链物流园项目", ()),
        ("跨境电商智慧物流中心项目", ()),
        ("供应链管理总部及高标仓项目", ()),
    ),
    "services": (
        ("区域总部及研发中心项目", ()),
        ("工业互联网平台运营中心项目", ()),
        ("检验检测认证中心项目", ()),
    ),
    "other": (
        ("定制家居智能制造基地项目", ()),
        ("装配式建筑构件生产基地项目", ()),
        ("系统门窗生产基地项目", ()),
    ),
}

#: Lease projects: a line in a rented standard factory ({product} of the investor's industry).
LEASE_NAMES: tuple[Pattern, ...] = (
    ("租赁 {n} 平方米标准厂房建设{product}生产线项目", (3000, 5000, 8000, 12000, 20000)),
    ("租赁标准厂房建设{product}研发及生产项目", ()),
)

#: Capital increase and expansion: more of what an enterprise of the zone already makes.
EXPANSION_NAMES: tuple[Pattern, ...] = (
    ("新增{line}增资扩产项目", ()),
    ("{product}扩产及智能化技术改造项目", ()),
    ("增资扩产新增 {n} 条{product}生产线项目", (2, 3, 4, 6)),
)

#: Industries a lease project can be in (a warehouse or a head office is not "a line").
LEASE_INDUSTRIES = ("新能源", "精密制造", "生物医药", "电子信息", "新材料", "智能装备", "食品", "家居建材")


@dataclass(frozen=True)
class Prospect:
    """An investor the zone is talking to that is not registered in the zone yet."""

    name: str
    short: str  # what the project's name calls it
    industry: str  # a reference industry's name, or "services"


PROSPECTS: tuple[Prospect, ...] = (
    Prospect("上海曜辰智能科技股份有限公司", "曜辰", "智能装备"),
    Prospect("江苏擎宇新能源科技有限公司", "擎宇", "新能源"),
    Prospect("浙江泓源新材料股份有限公司", "泓源", "新材料"),
    Prospect("深圳市峰岳电子科技有限公司", "峰岳", "电子信息"),
    Prospect("北京瀚海生物医药科技有限公司", "瀚海", "生物医药"),
    Prospect("苏州磐石精密制造有限公司", "磐石", "精密制造"),
    Prospect("宁波德晟汽车零部件有限公司", "德晟", "精密制造"),
    Prospect("厦门云帆智能装备有限公司", "云帆", "智能装备"),
    Prospect("成都昊远医疗器械有限公司", "昊远", "生物医药"),
    Prospect("香港弘毅投资控股有限公司", "弘毅", "services"),
    Prospect("广州极芯半导体有限公司", "极芯", "电子信息"),
    Prospect("湖南锦溪食品集团有限公司", "锦溪", "食品"),
    Prospect("江西航纳锂电科技有限公司", "航纳", "新能源"),
    Prospect("福建沐阳光电科技有限公司", "沐阳", "电子信息"),
    Prospect("天津瑞岳机器人有限公司", "瑞岳", "智能装备"),
    Prospect("重庆朗程汽车零部件有限公司", "朗程", "精密制造"),
    Prospect("安徽恒驰储能科技有限公司", "恒驰", "新能源"),
    Prospect("山东晟鑫铝业股份有限公司", "晟鑫", "新材料"),
    Prospect("武汉熠光激光装备有限公司", "熠光", "智能装备"),
    Prospect("杭州数澜工业互联网有限公司", "数澜", "services"),
    Prospect("新加坡丰源实业控股有限公司", "丰源", "现代物流"),
    Prospect("施泰因精密机械（中国）有限公司", "施泰因", "精密制造"),
    Prospect("东和化成（广州）有限公司", "东和", "新材料"),
    Prospect("深圳市鲲羽储能技术有限公司", "鲲羽", "新能源"),
    Prospect("上海澜湾生物科技有限公司", "澜湾", "生物医药"),
    Prospect("江苏博昇电子材料有限公司", "博昇", "新材料"),
    Prospect("广西桂润食品有限公司", "桂润", "食品"),
    Prospect("珠海远航冷链物流有限公司", "远航", "现代物流"),
    Prospect("东莞市匠心家居科技有限公司", "匠心", "家居建材"),
    Prospect("中山市恒美门窗科技有限公司", "恒美", "家居建材"),
    Prospect("北京中检联检测认证有限公司", "中检联", "services"),
    Prospect("浙江启澄光伏科技股份有限公司", "启澄", "新能源"),
    Prospect("深圳市智联云终端有限公司", "智联云", "电子信息"),
    Prospect("苏州澄微精密材料有限公司", "澄微", "新材料"),
    Prospect("上海德迈医疗设备有限公司", "德迈", "生物医药"),
    Prospect("青岛海澄智能装备有限公司", "海澄", "智能装备"),
)

PROSPECT_NAMES = frozenset(p.name for p in PROSPECTS)

#: Why a key project is behind plan, by the milestone it missed.
BEHIND_REASONS = {
    "listed": "地块内一段 110 千伏高压线需要迁改，迁改方案尚待供电部门批复，土地挂牌较计划推迟。",
    "land_review": "项目用地涉及控制性详细规划调整，调整方案须报市政府批准后才能提交供地审议，较计划推迟。",
    "producing": "核心生产设备从德国进口，受海运周期和清关影响到货推迟约两个月，投产时间相应顺延。",
}

PAUSE_REASON = "投资方母公司全球战略调整，扩产计划暂缓，项目暂停推进，待投资方明确新的投资计划后恢复。"
DROP_REASON = "投资方综合比较土地价格和产业配套后选址外省园区，经多轮洽谈未能达成一致，项目终止。"

#: Notes on funds in place (到资), by project type, in the order the funds usually arrive.
FUNDS_NOTES = {
    "new_land": ("注册资本金首期到位", "土地及基建投资", "设备购置款", "增资款到位"),
    "lease": ("注册资本金首期到位", "厂房装修及设备购置款", "流动资金投入"),
    "expansion": ("增资款首期到位", "设备购置款", "增资款到位", "流动资金投入"),
}


@dataclass(frozen=True)
class Blocker:
    """A blocker raised on a project (a demand of its investor) and who handles it."""

    role: str  # which demo project it is raised on (see mashang.demo.projects)
    title: str
    description: str
    category: str
    lead: str
    co: tuple[str, ...] = ()
    urgency: str = "normal"
    days_before: int = 10  # raised this many days before the demo's "now"
    stop: str = "in_progress"  # submitted, dispatched or in_progress


BLOCKERS: tuple[Blocker, ...] = (
    Blocker(
        "behind_listed",
        "项目地块 110 千伏高压线迁改需协调",
        "项目地块内有一段 110 千伏高压线穿越，须迁改后才能挂牌出让。迁改方案已报供电部门，"
        "请协调自然资源分局和供电局加快审批，明确迁改工期和费用分担。",
        "land", "zrzy", ("gdj",), "urgent", days_before=26,
    ),
    Blocker(
        "run1",
        "新厂区临时施工用电报装",
        "项目已取得施工许可证，桩基施工需要临时用电 1250 千伏安，报装申请已提交半个月仍未接电，"
        "影响施工进度，请协调供电局尽快接入。",
        "utilities", "gdj", days_before=12, stop="dispatched",
    ),
    Blocker(
        "live_run",
        "项目地块周边市政道路未贯通",
        "项目地块北侧规划道路尚未贯通，拿地后施工车辆只能绕行村道进出，存在安全隐患，"
        "请协调交通运输局和街道办明确道路建设时间，先行开设临时施工便道。",
        "logistics", "jtj", ("jdb",), days_before=4, stop="dispatched",
    ),
    Blocker(
        "key_expansion",
        "新增生产线用气需要管道扩容",
        "增资扩产新增的生产线投产后，天然气用量将从每月 3000 立方米增加到约 8000 立方米，"
        "现有管道管径不足，请协调燃气公司尽快完成管道扩容。",
        "utilities", "rq", days_before=8,
    ),
    Blocker(
        "behind_review",
        "项目环境影响评价审批进度",
        "项目环评报告书已于上月报送，目前仍在技术评估阶段，请生态环境分局告知审批进度和需补充的材料，"
        "以免影响供地审议。",
        "environment", "sthj", days_before=1, stop="submitted",
    ),
)


@dataclass(frozen=True)
class Record:
    """One land-start run: the award's clock time and when each step was done (minutes after it)."""

    award: str  # HH:MM
    minutes: dict[str, float]
    staged: tuple[str, ...]  # steps the units had pre-reviewed and marked ready while listed


_ALL_STAGED = ("confirmation", "land_contract", "land_use_permit", "works_permit", "title", "construction_permit")

#: The zone's land-start history, in award order: 145 minutes for its first project, 40 for the
#: latest. Finance and tax (the money branch) and natural resources' planning permits run in
#: parallel; whichever finishes later decides the critical path, and it changes from run to
#: run. The more the units pre-review while the land is listed, the shorter the record.
RECORDS: tuple[Record, ...] = (
    Record(
        "09:30",
        {"confirmation": 8, "land_contract": 26, "land_use_permit": 41, "works_permit": 63,
         "land_payment": 71, "deed_tax": 88, "title": 104, "construction_permit": 145},
        ("confirmation", "land_contract"),
    ),
    Record(
        "14:30",
        {"confirmation": 4, "land_contract": 15, "land_use_permit": 24, "land_payment": 31,
         "deed_tax": 40, "title": 48, "works_permit": 62, "construction_permit": 98},
        ("confirmation", "land_contract", "land_use_permit"),
    ),
    Record(
        "10:00",
        {"confirmation": 2, "land_contract": 8, "land_use_permit": 12, "works_permit": 17,
         "land_payment": 19, "deed_tax": 26, "title": 33, "construction_permit": 72},
        ("confirmation", "land_contract", "land_use_permit", "works_permit", "construction_permit"),
    ),
    Record(
        "09:30",
        {"confirmation": 1, "land_contract": 4, "land_use_permit": 6, "land_payment": 8,
         "deed_tax": 11, "title": 14, "works_permit": 17, "construction_permit": 55},
        ("confirmation", "land_contract", "land_use_permit", "works_permit", "construction_permit"),
    ),
    # The published provincial record: award 09:30, land-use planning permit 09:31, title
    # 09:32, works planning permit 09:33, construction permit 10:11.
    Record(
        "09:30",
        {"confirmation": 0.25, "land_contract": 0.75, "land_payment": 1, "land_use_permit": 1,
         "deed_tax": 1.5, "title": 2, "works_permit": 3, "construction_permit": 41},
        _ALL_STAGED,
    ),
    Record(
        "09:30",
        {"confirmation": 0.25, "land_contract": 0.75, "land_use_permit": 1.25, "land_payment": 1.5,
         "works_permit": 2.25, "deed_tax": 2.5, "title": 3.5, "construction_permit": 40},
        _ALL_STAGED,
    ),
)

#: The run in progress at the demo's "now": awarded when the demo is loaded (its ``award`` is
#: not used), three steps done within the first minute (the published record's pace), the land
#: price payment and the works planning permit in hand, the rest waiting.
LIVE_RECORD = Record("", {"confirmation": 0.25, "land_contract": 0.5, "land_use_permit": 0.75}, _ALL_STAGED)

#: The run whose land is still listed: what the units have pre-reviewed so far.
LISTED_STAGED = ("confirmation", "land_contract", "land_use_permit")

#: Who completes each step of the default bundle (the demo's unit users).
STEP_UNITS = {
    "confirmation": "jyzx",
    "land_contract": "zrzy",
    "land_payment": "cz",
    "deed_tax": "sw",
    "title": "zrzy",
    "land_use_permit": "zrzy",
    "works_permit": "zrzy",
    "construction_permit": "zjj",
}
