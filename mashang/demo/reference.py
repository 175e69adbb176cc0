"""Reference data of the demo zone: a Guangdong development zone, its units and categories.

The zone is fictional; its units are the departments and partners such a zone works with,
and its limits are those of the Guangdong "马上办" demand rules (1 working hour to accept
and to contact the enterprise, 3 working days to an interim reply, 5 to close), longer for
categories whose work takes longer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ZONE_NAME = "南岭经济技术开发区管理委员会"
ZONE_SHORT = "南岭开发区"

#: Every demo user has this password.
DEMO_PASSWORD = "mashang-demo"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str  # a Unit.Kind value
    handles: bool = True  # a handling unit (gets a unit-<code> staff user and demands)


UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("zrzy", "自然资源分局", "department"),
    UnitSpec("zjj", "住房和城乡建设局", "department"),
    UnitSpec("sw", "税务分局", "department"),
    UnitSpec("cz", "财政局", "department"),
    UnitSpec("jyzx", "公共资源交易中心", "department"),
    UnitSpec("sjj", "政务服务和数据管理局", "department"),
    UnitSpec("jdb", "南岭街道办事处", "department"),
    UnitSpec("zsj", "投资促进局", "department"),
    UnitSpec("jfj", "经济发展和科技局", "department"),
    UnitSpec("sthj", "生态环境分局", "department"),
    UnitSpec("rsj", "人力资源和社会保障局", "department"),
    UnitSpec("scjg", "市场监督管理局", "department"),
    UnitSpec("yjj", "应急管理局", "department"),
    UnitSpec("jtj", "交通运输局", "department"),
    UnitSpec("yh", "南岭农商银行开发区支行", "partner"),
    UnitSpec("gdj", "南岭供电局", "partner"),
    UnitSpec("gs", "南岭供水有限公司", "partner"),
    UnitSpec("rq", "南岭燃气有限公司", "partner"),
    UnitSpec("fwzx", "企业服务专职小组", "service_team", handles=False),
    UnitSpec("dcb", "督查办", "supervision", handles=False),
)

UNIT_NAMES = {u.code: u.name for u in UNITS}
HANDLING_UNITS = tuple(u.code for u in UNITS if u.handles)

#: A unit that a demand for ``key`` is easily dispatched to by mistake (it returns it).
CONFUSED_WITH: dict[str, str] = {
    "zrzy": "zjj",
    "zjj": "zrzy",
    "sw": "cz",
    "cz": "yh",
    "yh": "cz",
    "sjj": "jdb",
    "jdb": "zjj",
    "zsj": "jfj",
    "jfj": "zsj",
    "sthj": "yjj",
    "rsj": "jdb",
    "scjg": "sjj",
    "yjj": "sthj",
    "jtj": "zjj",
    "gdj": "gs",
    "gs": "gdj",
    "rq": "gdj",
    "jyzx": "zrzy",
}


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    hint: str
    lead: str
    triage_hours: Decimal = Decimal(1)
    first_response_hours: Decimal = Decimal(1)
    interim_reply_days: Decimal = Decimal(3)
    resolution_days: Decimal = Decimal(5)
    weight: int = 10  # how often enterprises raise it


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "land", "用地", "用地红线、供地、土地出让合同、不动产权证书等土地方面的问题",
        "zrzy", interim_reply_days=Decimal(5), resolution_days=Decimal(15), weight=10,
    ),
    CategorySpec(
        "permit", "报建审批", "规划许可、施工许可、图纸审查、竣工验收等报建手续",
        "zjj", resolution_days=Decimal(10), weight=16,
    ),
    CategorySpec(
        "utilities", "水电气", "用电报装与增容、停电、供水、排水、燃气接入",
        "gdj", weight=15,
    ),
    CategorySpec(
        "talent", "人才与住房", "人才认定、人才公寓、员工宿舍、子女入学、招工用工",
        "rsj", weight=10,
    ),
    CategorySpec(
        "finance", "融资", "贷款、贴息、转贷、融资担保、银行授信",
        "cz", resolution_days=Decimal(10), weight=8,
    ),
    CategorySpec(
        "subsidy", "政策兑现", "奖励、补助、扶持资金的申报和拨付进度",
        "jfj", resolution_days=Decimal(10), weight=12,
    ),
    CategorySpec(
        "environment", "环保", "环评、排污许可、危废处置、环保整改",
        "sthj", resolution_days=Decimal(10), weight=7,
    ),
    CategorySpec(
        "logistics", "物流交通", "厂区周边道路、积水、路灯、公交、货车通行",
        "jtj", weight=8,
    ),
    CategorySpec("tax", "税务", "税收优惠、退税、发票、申报", "sw", weight=9),
    CategorySpec("other", "其他", "不属于以上类别的问题，先提交，我们来分派", "jdb", weight=5),
)

CATEGORY_NAMES = {c.code: c.name for c in CATEGORIES}

#: Demo users besides the per-unit ones; (username, role, display name, unit code or None).
STAFF_USERS: tuple[tuple[str, str, str, str | None], ...] = (
    ("admin", "admin", "系统管理员", None),
    ("officer", "officer", "陈晓东", "fwzx"),
    ("officer2", "officer", "林嘉欣", "fwzx"),
    ("officer3", "officer", "黄俊杰", "fwzx"),
    ("supervisor", "supervisor", "梁文静", "dcb"),
    ("leader", "leader", "郑国华", None),
    # Separation of administrative duties (三员分立): accounts' security, and the audit log.
    ("security", "security_admin", "安全管理员", None),
    ("auditor", "audit_admin", "审计管理员", None),
)

ROLE_NAMES = {
    "admin": "管理员",
    "security_admin": "安全管理员",
    "audit_admin": "审计管理员",
    "officer": "专职小组成员",
    "supervisor": "督查办",
    "leader": "领导",
    "unit_staff": "承办单位工作人员",
    "unit_head": "单位负责人",
    "enterprise": "企业联系人",
}

# --- people -----------------------------------------------------------------------------

SURNAMES = (
    "陈李黄张梁林刘吴罗何郑杨谢冯周叶邓曾彭苏许钟卢赖蔡朱潘余江方唐汤袁高莫温关麦区伍欧阳"
)
GIVEN_CHARS = (
    "志伟俊杰嘉欣晓东国华文静丽婷家豪子轩宇航泽林建明海涛振宇秀英美玲慧敏德明永强锦辉"
    "佩仪咏诗卓然启航瑞霖雅琪思远浩然梓晴欣怡冠宏展鹏铭轩宏达永康少华碧云泳诗"
)

# --- enterprises --------------------------------------------------------------------------


@dataclass(frozen=True)
class Industry:
    name: str
    stems: tuple[str, ...]  # what the company name says it does
    products: tuple[str, ...]
    lines: tuple[str, ...]  # production lines or facilities
    weight: int


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "新能源", ("新能源科技", "储能科技", "光伏科技", "锂电科技", "氢能科技"),
        ("锂电池模组", "储能电柜", "光伏组件", "充电桩", "动力电池壳体"),
        ("电芯装配线", "储能集成产线", "组件层压线", "化成分容车间"), 16,
    ),
    Industry(
        "精密制造", ("精密制造", "精密机械", "精工科技", "模具", "五金制品"),
        ("精密模具", "数控机床零部件", "汽车零部件", "精密轴承", "五金结构件"),
        ("数控加工车间", "压铸线", "冲压线", "热处理线"), 18,
    ),
    Industry(
        "生物医药", ("生物医药", "生物科技", "医疗器械", "制药"),
        ("体外诊断试剂", "医用敷料", "原料药", "医疗影像设备", "生物制剂"),
        ("GMP 洁净车间", "制剂车间", "无菌灌装线", "检测实验室"), 10,
    ),
    Industry(
        "电子信息", ("电子科技", "智能科技", "半导体", "信息技术", "光电科技"),
        ("电子元器件", "智能终端", "功率半导体", "PCB 线路板", "LED 显示屏"),
        ("SMT 产线", "封装测试线", "洁净车间", "老化测试车间"), 16,
    ),
    Industry(
        "新材料", ("新材料", "高分子材料", "复合材料", "金属材料"),
        ("改性塑料", "碳纤维复合材料", "铝合金型材", "功能薄膜", "特种涂料"),
        ("挤出生产线", "涂布线", "熔铸车间", "配料车间"), 12,
    ),
    Industry(
        "智能装备", ("智能装备", "自动化设备", "机器人", "智能制造"),
        ("工业机器人", "自动化生产线", "智能仓储设备", "激光加工设备"),
        ("总装车间", "调试车间", "钣金车间"), 10,
    ),
    Industry(
        "食品", ("食品", "饮料", "调味品", "食品科技"),
        ("预制菜", "烘焙食品", "调味酱料", "植物饮料", "冷冻食品"),
        ("中央厨房", "灌装线", "冷库", "烘焙车间"), 8,
    ),
    Industry(
        "现代物流", ("物流", "供应链管理", "冷链物流", "仓储服务"),
        ("仓储配送", "冷链运输", "跨境电商仓储", "城市配送"),
        ("分拣中心", "高标仓", "冷库", "月台"), 6,
    ),
    Industry(
        "家居建材", ("家居", "建材", "陶瓷", "门窗科技"),
        ("定制家具", "建筑陶瓷", "系统门窗", "装配式构件"),
        ("喷涂线", "窑炉车间", "板材加工车间"), 4,
    ),
)

TRADE_NAMES = (
    "宏达", "恒信", "华创", "金科", "瑞丰", "鼎盛", "中拓", "粤海", "嘉润", "博远", "新航", "盈科",
    "德力", "铭泰", "联创", "天泽", "永晟", "宇辰", "海纳", "凯达", "晶华", "源泰", "卓越", "锦程",
    "星河", "佳禾", "和丰", "立德", "启明", "睿达", "晟丰", "正源", "安捷", "信达", "万顺", "同舟",
    "润邦", "智远", "精诚", "顺鑫", "华锐", "永信", "南岭", "岭峰", "汇通", "明阳", "科达", "欧朗",
    "雅博", "澳森", "东瑞", "泰丰", "骏业", "广利", "富华", "长隆", "景鸿", "中科", "创维", "高科",
)


@dataclass(frozen=True)
class Region:
    code: str  # the six-digit administrative division code in the credit code
    prefix: str  # how a company registered there starts its name
    weight: int


#: Where the zone's enterprises are registered: most in the zone's own district.
REGIONS: tuple[Region, ...] = (
    Region("440605", "佛山市", 34),  # 南海区 — the zone's district
    Region("440606", "佛山市", 8),  # 顺德区
    Region("440604", "佛山市", 5),  # 禅城区
    Region("440607", "佛山市", 4),  # 三水区
    Region("440600", "广东", 14),
    Region("440100", "广东", 6),
    Region("440106", "广州", 5),  # 天河区
    Region("440112", "广州", 4),  # 黄埔区
    Region("440300", "深圳市", 5),
    Region("440305", "深圳市", 4),  # 南山区
    Region("441900", "东莞市", 6),
    Region("442000", "中山市", 3),
    Region("440703", "江门市", 2),  # 蓬江区
)

COMPANY_SUFFIXES = (("有限公司", 80), ("股份有限公司", 14), ("集团有限公司", 6))

# --- places of the zone -------------------------------------------------------------------

ROADS = (
    "科技大道", "创新路", "兴业路", "南岭大道", "工业三路", "银河路", "产业园二路", "环城北路",
    "高新五路", "智造大道", "临港路", "东湖路", "岭南大道", "新材料路", "振兴路", "启航路",
)
GATES = ("东门", "南门", "北门", "西门", "2号门", "货运出入口")
BUILDINGS = ("1号厂房", "2号厂房", "3号厂房", "研发楼", "综合楼", "员工宿舍楼", "成品仓库")

