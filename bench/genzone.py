"""The zone the generator fills: its units, categories, enterprises and people, and how its
demands are distributed (statuses by age, channels, urgencies, texts)."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from itertools import accumulate
from types import SimpleNamespace

# --- the zone's reference data ---------------------------------------------------------------

UNITS = [
    ("natres", "自然资源分局"),
    ("housing", "住房和城乡建设局"),
    ("tax", "税务分局"),
    ("finance", "财政局"),
    ("trading", "公共资源交易中心"),
    ("street-east", "东区街道办事处"),
    ("street-west", "西区街道办事处"),
    ("economy", "经济发展局"),
    ("invest", "投资促进局"),
    ("market", "市场监督管理局"),
    ("ecology", "生态环境分局"),
    ("hrss", "人力资源和社会保障局"),
    ("emergency", "应急管理局"),
    ("water", "水务局"),
    ("power", "供电局"),
    ("transport", "交通运输局"),
    ("fire", "消防救援大队"),
    ("police", "公安分局"),
    ("bank-icbc", "工商银行园区支行"),
    ("bank-ccb", "建设银行园区支行"),
]
SERVICE_TEAM = ("service-team", "企业服务专职小组")
SUPERVISION = ("supervision", "督查办")

# code, name, default lead unit, weight of demands, (triage h, first contact h, interim d, resolution d)
CATEGORIES = [
    ("land", "土地与规划", "natres", 22, (1, 1, 3, 5)),
    ("construction", "报建与施工许可", "housing", 16, (1, 1, 3, 5)),
    ("tax", "税费", "tax", 13, (1, 1, 2, 3)),
    ("funding", "融资与资金", "bank-icbc", 11, (1, 2, 3, 5)),
    ("policy", "政策兑现", "economy", 9, (1, 1, 3, 10)),
    ("talent", "人才与用工", "hrss", 8, (1, 1, 3, 5)),
    ("utilities", "水电气", "power", 7, (1, 1, 2, 5)),
    ("environment", "环保与能评", "ecology", 6, (1, 1, 3, 10)),
    ("safety", "安全生产与消防", "emergency", 5, (1, 1, 3, 5)),
    ("market", "市场准入与证照", "market", 3, (1, 1, 2, 3)),
]

TITLES = {
    "land": [
        "用地规划条件咨询",
        "土地出让合同签订进度",
        "宗地红线调整申请",
        "不动产权证办理进度",
        "供地审议材料补正",
    ],
    "construction": [
        "施工许可证办理进度",
        "工程规划许可咨询",
        "图审意见整改",
        "竣工验收安排",
        "临时施工用地申请",
    ],
    "tax": [
        "契税缴纳咨询",
        "增值税留抵退税进度",
        "发票额度提升申请",
        "研发费用加计扣除",
        "税收优惠备案",
    ],
    "funding": [
        "流动资金贷款申请",
        "设备更新贷款贴息",
        "银行授信额度咨询",
        "专项债资金拨付",
        "融资担保对接",
    ],
    "policy": [
        "产业扶持资金兑现",
        "技改补贴申报",
        "高新技术企业认定",
        "招商引资奖励兑现",
        "稳岗补贴发放",
    ],
    "talent": ["人才公寓申请", "招工需求对接", "外籍人员工作许可", "子女入学咨询", "技能培训补贴"],
    "utilities": ["临时用电报装", "供水管网接入", "燃气开户进度", "双回路供电申请", "停电影响生产"],
    "environment": [
        "环评批复进度",
        "排污许可证办理",
        "能评审查咨询",
        "固废处置渠道",
        "环保验收安排",
    ],
    "safety": [
        "消防设计审查",
        "安全生产许可咨询",
        "危化品仓储备案",
        "消防验收预约",
        "应急预案备案",
    ],
    "market": ["营业执照变更", "食品经营许可", "特种设备登记", "商标注册咨询", "名称核准"],
}
DESCRIPTIONS = [
    "{ent}反映：{title}事项已提交材料{n}天，目前尚无进展，请协调相关部门尽快办理。",
    "{ent}项目进入关键节点，{title}影响后续开工计划，希望明确办理时限和所需材料。",
    "关于{title}，{ent}已按要求补充材料，但不清楚下一步流程，请给予指导。",
    "{ent}新建厂房预计{n}月投产，{title}需在本月内完成，恳请加快处理。",
    "{ent}咨询{title}相关政策，希望了解适用条件、办理渠道和预计时间。",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂"
ENT_PREFIX = [
    "粤",
    "华",
    "中",
    "广",
    "珠",
    "新",
    "宏",
    "鸿",
    "金",
    "恒",
    "永",
    "兴",
    "盛",
    "东",
    "南",
]
ENT_CORE = [
    "科",
    "创",
    "达",
    "利",
    "通",
    "源",
    "泰",
    "丰",
    "瑞",
    "信",
    "维",
    "锐",
    "联",
    "德",
    "安",
]
INDUSTRIES = [
    "新材料",
    "智能制造",
    "电子信息",
    "生物医药",
    "新能源",
    "精密机械",
    "食品加工",
    "物流",
    "化工",
    "汽车零部件",
]

# --- what the demands look like --------------------------------------------------------------

CLOSED_STATUSES = [("closed", 94), ("withdrawn", 4), ("merged", 2)]
# status weights of open demands by age in days (upper bound of the bracket)
OPEN_BY_AGE = [
    (0.05, [("submitted", 70), ("triaged", 20), ("dispatched", 10)]),
    (
        1.0,
        [
            ("submitted", 15),
            ("triaged", 10),
            ("dispatched", 35),
            ("in_progress", 30),
            ("waiting", 5),
            ("returned", 3),
            ("difficult", 2),
        ],
    ),
    (
        7.0,
        [
            ("submitted", 3),
            ("triaged", 2),
            ("dispatched", 12),
            ("in_progress", 45),
            ("waiting", 10),
            ("replied", 18),
            ("returned", 3),
            ("unresolved", 3),
            ("difficult", 4),
        ],
    ),
    # older: mostly waiting on the enterprise (its answer, its confirmation), extended, or difficult
    (
        math.inf,
        [
            ("submitted", 1),
            ("triaged", 1),
            ("dispatched", 2),
            ("in_progress", 24),
            ("waiting", 20),
            ("replied", 32),
            ("returned", 2),
            ("unresolved", 4),
            ("difficult", 14),
        ],
    ),
]
# Action items (督办事项) a review meeting decided: what the lead unit is to do.
ACTION_TITLES = [
    "牵头协调{unit}相关审批事项限时办结",
    "梳理本季度逾期诉求并提交整改清单",
    "会同相关部门研究{topic}政策口径",
    "对{topic}类诉求开展专项回访",
    "完善{topic}事项办理指引并公开",
    "组织{topic}重点项目现场协调会",
]
ACTION_TOPICS = ["用地", "报建", "税费", "融资", "政策兑现", "用工", "水电气", "环保", "消防", "证照"]
ACTION_DESCRIPTION = "按{meeting}研判会议决定：{title}，并按期报送办理情况。"
# Open action items by age in days (upper bound of the bracket), as the demands' above.
ITEM_OPEN_BY_AGE = [
    (1.0, [("dispatched", 80), ("in_progress", 20)]),
    (math.inf, [("dispatched", 4), ("in_progress", 66), ("replied", 30)]),
]
CHANNELS = [("web", 45), ("api", 10), ("phone", 25), ("visit", 10), ("chat", 10)]
URGENCIES = [("normal", 85), ("urgent", 12), ("critical", 3)]
OPEN_FLOOR = 0.012  # the chance that a year-old demand is still open (difficult, forgotten…)


class Picker:
    """Weighted choice in O(log n) from one random number."""

    def __init__(self, pairs):
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect_right(self.cum, rng.random() * self.total)]


def open_decay_days(target: float, span_days: float, floor: float = OPEN_FLOOR) -> float:
    """The time constant tau such that P(open | age) = floor + (1-floor)·exp(-age/tau) averages ``target``."""
    if target <= floor:
        return 1e-9

    def mean(tau: float) -> float:
        return floor + (1 - floor) * tau / span_days * (1 - math.exp(-span_days / tau))

    lo, hi = 1e-6, span_days * 1000
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mean(mid) < target else (lo, mid)
    return (lo + hi) / 2


def credit_code(rng: random.Random) -> str:
    from mashang.org.credit_code import ALPHABET, check_character

    body = (
        "91440"
        + "".join(rng.choice("0123456789") for _ in range(4))
        + "".join(rng.choice(ALPHABET) for _ in range(8))
    )
    return body + check_character(body)


def person_name(rng: random.Random) -> str:
    return (
        rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    )


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def ensure_reference_data(*, seed: int, enterprises: int) -> SimpleNamespace:
    """Create what is missing of the zone's units, categories, enterprises and people; return their ids."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from mashang.org.models import Category, Enterprise, Unit, User

    rng = random.Random(f"{seed}:reference")
    with transaction.atomic():
        kinds = {SERVICE_TEAM[0]: Unit.Kind.SERVICE_TEAM, SUPERVISION[0]: Unit.Kind.SUPERVISION}
        Unit.objects.bulk_create(
            [
                Unit(
                    code=code,
                    name=name,
                    kind=kinds.get(
                        code, Unit.Kind.PARTNER if code.startswith("bank") else Unit.Kind.DEPARTMENT
                    ),
                )
                for code, name in [*UNITS, SERVICE_TEAM, SUPERVISION]
            ],
            ignore_conflicts=True,
        )
        unit_ids = dict(
            Unit.objects.filter(code__in=[c for c, _ in UNITS]).values_list("code", "id")
        )
        Category.objects.bulk_create(
            [
                Category(
                    code=code,
                    name=name,
                    default_lead_unit_id=unit_ids[lead],
                    triage_hours=lim[0],
                    first_response_hours=lim[1],
                    interim_reply_days=lim[2],
                    resolution_days=lim[3],
                )
                for code, name, lead, _, lim in CATEGORIES
            ],
            ignore_conflicts=True,
        )
        categories = {
            c.code: SimpleNamespace(  # plain data: it travels to the worker processes
                pk=c.pk,
                lead_unit_id=c.default_lead_unit_id,
                triage_hours=c.triage_hours,
                first_response_hours=c.first_response_hours,
                interim_reply_days=c.interim_reply_days,
                resolution_days=c.resolution_days,
            )
            for c in Category.objects.filter(code__in=[c[0] for c in CATEGORIES])
        }

        codes = list(dict.fromkeys(credit_code(rng) for _ in range(enterprises)))
        Enterprise.objects.bulk_create(
            [
                Enterprise(
                    credit_code=code,
                    name=f"广东{rng.choice(ENT_PREFIX)}{rng.choice(ENT_CORE)}{rng.choice(ENT_CORE)}{rng.choice(INDUSTRIES)}有限公司{i}",
                    industry=rng.choice(INDUSTRIES),
                    address=f"开发区{rng.randint(1, 30)}号路{rng.randint(1, 300)}号",
                )
                for i, code in enumerate(codes)
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        ent_ids = dict(
            Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "id")
        )
        enterprise_ids = [ent_ids[c] for c in codes]

        unusable = make_password(None)  # nobody logs in as a generated person
        people = [
            User(
                username=f"bench-contact-{i:05d}",
                role=User.Role.ENTERPRISE,
                enterprise_id=eid,
                display_name=person_name(rng),
                phone=phone(rng),
                password=unusable,
            )
            for i, eid in enumerate(enterprise_ids)
        ]
        people += [
            User(
                username=f"bench-officer-{i}",
                role=User.Role.OFFICER,
                display_name=person_name(rng),
                phone=phone(rng),
                password=unusable,
            )
            for i in range(1, 6)
        ]
        people += [
            User(
                username=f"bench-staff-{code}",
                role=User.Role.UNIT_STAFF,
                unit_id=uid,
                display_name=person_name(rng),
                phone=phone(rng),
                password=unusable,
            )
            for code, uid in unit_ids.items()
        ]
        # Leaders who take difficult cases on and name their coordinators, and each unit's head
        # (who signs off the reply to a difficult case); after the others, so that adding them
        # left the names drawn before unchanged.
        people += [
            User(
                username=f"bench-leader-{i}",
                role=User.Role.LEADER,
                display_name=person_name(rng),
                phone=phone(rng),
                password=unusable,
            )
            for i in range(1, 4)
        ]
        people += [
            User(
                username=f"bench-head-{code}",
                role=User.Role.UNIT_HEAD,
                unit_id=uid,
                display_name=person_name(rng),
                phone=phone(rng),
                password=unusable,
            )
            for code, uid in unit_ids.items()
        ]
        User.objects.bulk_create(people, ignore_conflicts=True, batch_size=1000)
        users = {
            u: (pk, dn, ph)
            for u, pk, dn, ph in User.objects.filter(username__startswith="bench-").values_list(
                "username", "id", "display_name", "phone"
            )
        }
    contacts = [users[f"bench-contact-{i:05d}"] for i in range(len(enterprise_ids))]
    officers = [users[f"bench-officer-{i}"] for i in range(1, 6)]
    leaders = [users[f"bench-leader-{i}"] for i in range(1, 4)]
    return SimpleNamespace(
        unit_ids=unit_ids,
        categories=categories,
        enterprise_ids=enterprise_ids,
        contacts=contacts,
        officers=officers,
        # Who may coordinate a difficult case: leaders, supervisors, service officers (ids).
        coordinators=[pk for pk, *_ in leaders + officers],
        staff={uid: users[f"bench-staff-{code}"][0] for code, uid in unit_ids.items()},
        heads={uid: users[f"bench-head-{code}"][0] for code, uid in unit_ids.items()},
    )
