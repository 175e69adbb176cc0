"""What enterprises write and what units answer: templates with slots, filled per demand.

A template's ``{slot}`` is filled once per demand (the same value in its title and its
description) from :data:`SLOTS`, or from the context given to :func:`fill` (the
enterprise's product, the lead unit's name…).
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from mashang.demo.reference import BUILDINGS, GATES, ROADS


@dataclass(frozen=True)
class Topic:
    """One kind of demand an enterprise raises, and who handles it."""

    category: str
    title: str
    description: str
    lead: str | None = None  # None: the category's default lead unit
    co: tuple[str, ...] = ()  # units that often co-handle it
    urgent: float = 0.12  # how often it is urgent
    replies: tuple[str, ...] = ()  # answers particular to the topic (else the category's)
    weight: int = 10


def _month(rng: random.Random, ctx: Mapping[str, object]) -> str:
    today = ctx.get("today")
    day = (today if isinstance(today, date) else date(2026, 6, 1)) - timedelta(days=rng.randint(20, 110))
    return f"{day.month}"


def _plot(rng: random.Random, ctx: Mapping[str, object]) -> str:
    return f"NL{rng.choice((2022, 2023, 2024, 2025))}-{rng.randint(1, 48):02d}"


def _between(low: int, high: int) -> Callable[[random.Random, Mapping[str, object]], str]:
    return lambda rng, ctx: str(rng.randint(low, high))


def _one_of(*values: str) -> Callable[[random.Random, Mapping[str, object]], str]:
    return lambda rng, ctx: rng.choice(values)


SUBSIDY_PROGRAMS = (
    "技术改造补助", "高新技术企业认定奖励", "首台（套）重大技术装备奖励", "专精特新企业奖励",
    "固定资产投资奖励", "研发投入后补助", "小升规奖励", "外贸出口奖励", "工业设计中心奖励",
)
MATERIALS = (
    "营业执照副本扫描件", "用电负荷清单", "项目备案证", "近三年财务审计报告", "土地权属证明",
    "环评批复文件", "员工社保缴纳证明", "研发项目立项材料", "设备采购合同和发票", "施工图审查合格书",
    "法定代表人授权委托书", "厂区总平面布置图",
)

SLOTS: dict[str, Callable[[random.Random, Mapping[str, object]], str]] = {
    "road": _one_of(*ROADS),
    "road2": _one_of(*ROADS),
    "gate": _one_of(*GATES),
    "building": _one_of(*BUILDINGS),
    "plot": _plot,
    "month": _month,
    "kva": _one_of("400", "630", "800", "1000", "1250", "1600", "2000", "2500"),
    "n": _between(2, 6),
    "times": _between(3, 8),
    "people": _between(6, 80),
    "days": _between(12, 45),
    "amount": _one_of("30", "50", "80", "120", "200", "300", "500", "800", "1000", "1500", "2000", "3000"),
    "area": _between(12, 120),
    "meters": _between(2, 15),
    "cm": _between(20, 60),
    "dn": _one_of("DN100", "DN150", "DN200", "DN300"),
    "gas": _one_of("500", "800", "1500", "3000", "6000"),
    "water": _one_of("200", "350", "500", "800", "1200"),
    "program": _one_of(*SUBSIDY_PROGRAMS),
    "material": _one_of(*MATERIALS),
    "ratio_from": _one_of("1.2", "1.5", "1.8"),
    "ratio_to": _one_of("2.0", "2.5", "3.0"),
    "hours": _between(2, 12),
    "percent": _between(8, 30),
    "rooms": _between(10, 120),
    "weekday": _one_of("周一", "周二", "周三", "周四", "周五"),
    "workdays": _between(3, 15),
}

_FORMATTER = string.Formatter()


def fill(texts: tuple[str, ...], rng: random.Random, ctx: Mapping[str, object]) -> tuple[str, ...]:
    """Fill every ``{slot}`` of ``texts``; a slot used twice gets the same value."""
    return fill_values(texts, rng, ctx)[0]


def fill_values(
    texts: tuple[str, ...], rng: random.Random, ctx: Mapping[str, object]
) -> tuple[tuple[str, ...], dict[str, object]]:
    """Like :func:`fill`, and also the values chosen (a reply reuses its demand's plot, road…)."""
    values: dict[str, object] = {}
    for text in texts:
        for _, name, _, _ in _FORMATTER.parse(text):
            if name is None or name in values:
                continue
            if name in ctx:
                values[name] = ctx[name]
            elif name in SLOTS:
                values[name] = SLOTS[name](rng, ctx)
            else:
                raise KeyError(f"demo text slot {{{name}}} has no value")
    return tuple(text.format(**values) for text in texts), values


T = Topic

TOPICS: tuple[Topic, ...] = (
    # --- 用地 -----------------------------------------------------------------------------
    T("land", "{plot} 地块用地红线与规划图不一致",
      "我司位于{road}的 {plot} 地块，用地红线与控制性详细规划图存在约 {meters} 米偏差，"
      "影响总平面图报审，请协助复核红线并出具意见。",
      replies=("已会同规划部门现场复核，{plot} 地块红线以出让时的批复文件为准，规划图偏差已更正，"
               "更正后的图纸已发企业。",)),
    T("land", "申请扩产用地约 {area} 亩",
      "受订单增长影响，我司计划新增{product}产能，需要在现厂区周边新增工业用地约 {area} 亩，"
      "请协助了解可供地块、供地方式和大致时间。", co=("zsj",), weight=12,
      replies=("已梳理{road}片区可供地块两宗，面积分别约 {area} 亩和 30 亩，已约企业现场踏勘，"
               "后续按“标准地”方式挂牌出让。",)),
    T("land", "不动产权证书办理进度咨询",
      "我司已缴清 {plot} 地块土地出让金和契税，不动产权证书至今未办出，影响项目抵押融资，请帮忙催办。",
      co=("sw",), urgent=0.2,
      replies=("经核查，缺少契税完税凭证的电子信息，已与税务分局完成数据推送，不动产权证书已于今日核发。",)),
    T("land", "厂区{gate}外闲置地块临时用地申请",
      "项目施工需要临时堆放钢材和设备，拟申请使用厂区{gate}外闲置地块作为临时用地约 {n} 个月，"
      "请告知办理流程和所需材料。"),
    T("land", "土地出让合同约定的动工期限能否延后",
      "受进口设备到货延迟影响，{plot} 地块可能无法在出让合同约定期限内动工，请问能否申请延期动工，"
      "需要提交哪些材料？"),
    T("land", "{plot} 地块内高压线迁改",
      "我司 {plot} 地块内有一条 110kV 高压线穿越，影响{building}布局，请协调迁改方案和费用分摊。",
      co=("gdj",), weight=6),
    T("land", "申请提高 {plot} 地块容积率",
      "为提高土地利用效率，我司拟将 {plot} 地块容积率由 {ratio_from} 提高到 {ratio_to}，建设多层厂房，"
      "请问调整程序和是否需要补缴地价。", co=("zjj",), weight=7),
    T("land", "拿地后能否同步办理规划和施工许可",
      "我司即将参与 {plot} 地块挂牌，希望摘牌后即可动工，请问哪些手续可以在挂牌期间预审。",
      co=("zjj", "jyzx"), weight=6),
    # --- 报建审批 --------------------------------------------------------------------------
    T("permit", "{building}施工许可证办理进度缓慢",
      "我司{building}已于 {month} 月提交施工许可申请，至今已超过 {days} 个工作日未办结，影响开工，"
      "请协助催办。", urgent=0.25, weight=14,
      replies=("经核查，申请材料中的监理合同未上传，已指导企业补正，施工许可证已于今日核发。",)),
    T("permit", "施工图联合审查意见反复修改",
      "{building}施工图联合审查已提出 {n} 轮意见，每轮意见不一致，请协调审图机构一次性告知全部修改意见。",
      weight=10),
    T("permit", "{building}竣工联合验收预约",
      "我司{building}主体已完工，计划近期投产，请问竣工联合验收如何预约、需要准备哪些材料。",
      co=("yjj",), weight=10),
    T("permit", "{building}层高调整需变更建设工程规划许可证",
      "因工艺调整，{building}层高需要由 8 米调整为 10 米，请问建设工程规划许可证变更手续和时限。",
      co=("zrzy",), weight=8),
    T("permit", "消防设计审查意见咨询",
      "{building}消防设计审查意见要求增设防火分隔，与我司{line}工艺冲突，请协助组织专家论证。",
      weight=7),
    T("permit", "厂房之间加建钢结构连廊是否需要报建",
      "我司拟在{building}与仓库之间加建一条钢结构连廊，长约 {meters} 米，请问是否需要办理规划和施工许可。",
      weight=6),
    T("permit", "申请夜间施工许可",
      "{building}主体结构混凝土需连续浇筑，预计 {hours} 小时，申请办理夜间施工许可。", co=("jdb",), weight=6),
    # --- 水电气 --------------------------------------------------------------------------
    T("utilities", "申请增容 {kva} kVA 用电报装进度缓慢",
      "我司新增{line}，需要将变压器容量增至 {kva} kVA，{month} 月已提交报装申请，目前仍未安排现场勘查，"
      "请协调加快。", lead="gdj", urgent=0.25, weight=16,
      replies=("已协调供电局完成现场勘查，{kva} kVA 增容方案已确定，计划 {workdays} 个工作日内完成送电。",)),
    T("utilities", "厂区近期频繁停电影响生产",
      "近两周厂区已发生 {times} 次非计划停电，每次都造成在线产品报废，请供电部门排查线路并告知原因。",
      lead="gdj", urgent=0.6, weight=12,
      replies=("经排查为{road}架空线路树障放电所致，已完成清障并加装故障指示器，近期将安排线路入地改造。",)),
    T("utilities", "新厂区供水管网接驳申请",
      "{building}即将投产，需要从{road}市政管网接入 {dn} 供水管，日用水量约 {water} 吨，请协助办理接驳。",
      lead="gs", weight=10),
    T("utilities", "厂区用水高峰水压不足",
      "近期{building}在用水高峰时段水压明显不足，冷却系统无法正常运行，请供水公司排查。",
      lead="gs", urgent=0.35, weight=8),
    T("utilities", "天然气管道接入申请",
      "我司{line}需要使用天然气，日用气量约 {gas} 立方米，请协助接入{road}的中压燃气管道。",
      lead="rq", co=("zjj",), weight=8),
    T("utilities", "申请双回路供电",
      "我司{line}对供电可靠性要求高，一旦停电损失较大，申请建设双回路供电，请告知条件和费用。",
      lead="gdj", weight=6),
    T("utilities", "临时施工用电报装",
      "{building}项目已开工，需要报装临时施工用电约 {kva} kVA，请协助尽快接电。", lead="gdj", urgent=0.3, weight=8),
    T("utilities", "生产废水预处理后接入市政污水管网",
      "我司生产废水经预处理达标后需接入{road}市政污水管网，请告知接驳条件和办理流程。",
      lead="gs", co=("sthj",), weight=6),
    # --- 人才与住房 ---------------------------------------------------------------------------
    T("talent", "人才公寓申请进度咨询",
      "我司 {n} 名技术骨干于 {month} 月申请入住人才公寓，至今未收到审核结果，请帮忙查询进度。",
      co=("zjj",), weight=14,
      replies=("经核查，{n} 名人员资格审核已通过，已安排入住南岭人才公寓 B 栋，请企业通知员工办理入住。",)),
    T("talent", "高层次人才认定申请咨询",
      "我司引进的研发总监具有博士学位和 {n} 项发明专利，请问能否申请高层次人才认定，认定后享受哪些待遇。",
      weight=8),
    T("talent", "引进骨干员工子女入学协调",
      "我司引进的 {n} 名骨干员工子女需要在园区附近就近入学，请协助协调学位。", co=("jdb",), weight=8),
    T("talent", "新招员工社保参保登记异常",
      "我司新招 {people} 名员工，社保参保登记时系统提示身份信息不一致，无法参保，请协助处理。",
      urgent=0.2, weight=8),
    T("talent", "招工难，申请举办专场招聘会",
      "我司{line}扩产，需要招聘一线操作工约 {people} 人，申请在园区举办专场招聘会。", weight=10),
    T("talent", "员工宿舍租赁需求",
      "我司新增一线员工约 {people} 人，需要在园区附近租赁员工宿舍约 {rooms} 间，请协助对接房源。",
      lead="jdb", co=("zjj",), weight=8),
    T("talent", "外籍专家工作许可办理",
      "我司聘请的外籍工艺专家需办理外国人工作许可，请问办理流程和时限。", weight=5),
    T("talent", "技能人才培训补贴申请",
      "我司今年组织员工技能培训 {people} 人次，请问如何申请职业技能培训补贴。", weight=6),
    # --- 融资 ----------------------------------------------------------------------------
    T("finance", "设备贷款贴息政策咨询",
      "我司 {month} 月取得银行贷款 {amount} 万元用于设备采购，请问是否符合区里的贷款贴息政策以及申报时间。",
      weight=12),
    T("finance", "贷款即将到期，申请应急转贷资金",
      "我司一笔 {amount} 万元银行贷款即将到期，续贷审批尚未完成，申请使用应急转贷资金过桥。",
      co=("yh",), urgent=0.5, weight=10),
    T("finance", "银行授信审批进度缓慢",
      "我司向银行申请 {amount} 万元授信用于{line}建设，已提交材料 {days} 个工作日，仍未出审批结果。",
      lead="yh", co=("cz",), weight=8),
    T("finance", "知识产权质押融资咨询",
      "我司拥有发明专利 {n} 项，希望以专利质押方式融资约 {amount} 万元，请问区里有无贴息和风险补偿政策。",
      co=("scjg", "yh"), weight=6),
    T("finance", "申请纳入政府性融资担保",
      "我司为科技型中小企业，缺少抵押物，申请通过政府性融资担保机构获得贷款 {amount} 万元。",
      co=("yh",), weight=7),
    T("finance", "设备融资租赁对接",
      "我司计划采购{product}生产设备约 {amount} 万元，希望对接融资租赁机构，请协助推荐。", weight=5),
    # --- 政策兑现 ---------------------------------------------------------------------------
    T("subsidy", "{program}资金何时拨付",
      "我司已于 {month} 月通过{program}评审并公示，奖励资金 {amount} 万元至今未到账，请协助查询拨付进度。",
      co=("cz",), weight=16,
      replies=("经核查，{program}资金已完成财政审核，已于今日拨付到企业账户，请企业注意查收。",)),
    T("subsidy", "{program}申报材料咨询",
      "我司拟申报{program}，请问申报条件、需要提交的材料和截止时间。", weight=12),
    T("subsidy", "招商协议约定的扶持资金未兑现",
      "根据我司与管委会签订的投资协议，项目投产后可获得扶持资金 {amount} 万元，项目已投产 {n} 个月，"
      "资金仍未兑现。", lead="zsj", co=("cz",), urgent=0.2, weight=8),
    T("subsidy", "稳岗补贴申领咨询",
      "我司去年未裁员，员工 {people} 人，请问稳岗返还补贴如何申领，是否需要企业申请。",
      lead="rsj", weight=6),
    T("subsidy", "政策兑现系统无法提交申报",
      "在政策兑现系统申报{program}时，上传附件后一直提示“提交失败”，已尝试 {times} 次，申报即将截止。",
      lead="sjj", urgent=0.5, weight=6),
    T("subsidy", "专精特新企业认定辅导",
      "我司主营{product}，细分市场占有率较高，希望申报省级专精特新中小企业，请安排辅导。", weight=7),
    # --- 环保 ----------------------------------------------------------------------------
    T("environment", "扩产项目环评审批进度",
      "我司{line}扩产项目环评报告表已于 {month} 月提交，至今未批复，影响项目开工，请协助推进。",
      urgent=0.2, weight=12),
    T("environment", "排污许可证延续办理",
      "我司排污许可证将于下月到期，延续申请提交后系统显示“退回修改”，但未说明原因，请协助。", weight=8),
    T("environment", "VOCs 治理设施改造技术指导",
      "按照最新要求需要对{line}的 VOCs 治理设施进行升级，请安排专家上门技术指导。", weight=8),
    T("environment", "周边企业异味影响员工",
      "近期{road}一带夜间常有刺鼻异味，员工反映强烈，请生态环境部门排查来源。",
      co=("jdb",), urgent=0.3, weight=8),
    T("environment", "危险废物转移联单办理",
      "我司有废切削液约 {n} 吨需要转移处置，电子联单系统无法选择接收单位，请协助。", weight=6),
    T("environment", "扩产项目环评是否需要重新报批",
      "我司拟在原有产线基础上增加{product}产能约 {percent}%，请问是否需要重新报批环评。", weight=6),
    # --- 物流交通 --------------------------------------------------------------------------
    T("logistics", "厂区门口道路积水严重影响货车进出",
      "每逢下雨，{road}靠近我司{gate}的路段积水深达 {cm} 厘米，货车无法进出，请协调排水改造。",
      lead="zjj", co=("jdb",), urgent=0.35, weight=14,
      replies=("已组织对{road}该路段雨水管进行清疏，并新增雨水口 {n} 处，近期降雨未再出现积水。",)),
    T("logistics", "申请在{road}增设公交站点",
      "我司员工约 {people} 人，上下班通勤不便，申请在{road}{gate}附近增设公交站点并调整班次。", weight=10),
    T("logistics", "货车限行时段影响原材料运输",
      "{road}货车限行时段调整后，我司原材料车辆每天只能在夜间进出，申请办理货车通行证。",
      urgent=0.2, weight=8),
    T("logistics", "{road}路灯损坏夜间通行不安全",
      "{road}靠近我司{gate}的一段路灯已损坏 {n} 周，夜班员工下班通行不安全，请尽快修复。",
      lead="zjj", co=("jdb",), weight=8),
    T("logistics", "园区道路占道停车严重",
      "{road}两侧大量车辆长期占道停放，货车会车困难，请协调整治。", lead="jdb", weight=8),
    T("logistics", "申请办理大件运输通行证",
      "我司需要运输超限设备（{product}生产线），请问大件运输许可的办理流程。", weight=6),
    T("logistics", "厂区出入口申请增设掉头口",
      "我司{gate}正对{road}，货车出厂需要绕行约 3 公里掉头，申请在路口增设掉头口或信号灯。", weight=6),
    T("logistics", "{road}路面破损严重",
      "{road}靠近我司的路段路面破损，出现多个坑洼，重载货车通行颠簸严重，请安排修补。", lead="zjj", weight=8),
    # --- 税务 ----------------------------------------------------------------------------
    T("tax", "研发费用加计扣除政策咨询",
      "我司今年研发投入约 {amount} 万元，请问研发费用加计扣除的范围、比例以及如何在预缴时享受。", weight=14,
      replies=("已安排税务专管员上门辅导，企业可在预缴申报时享受研发费用加计扣除，归集口径已书面告知。",)),
    T("tax", "增值税留抵退税申请进度",
      "我司 {month} 月提交增值税增量留抵退税申请，金额约 {amount} 万元，至今未到账。", urgent=0.2, weight=10),
    T("tax", "出口退税办理时间较长",
      "我司出口{product}，近期出口退税办理时间明显变长，资金周转压力大，请协助加快。", weight=8),
    T("tax", "发票领用额度不足申请调增",
      "我司订单增长，本月发票额度已用完，申请调增开票额度。", urgent=0.4, weight=10),
    T("tax", "高新技术企业所得税优惠享受条件",
      "我司刚通过高新技术企业认定，请问企业所得税 15% 优惠税率从何时开始享受，需要备案哪些资料。",
      weight=8),
    T("tax", "城镇土地使用税困难减免申请",
      "受行业周期影响，我司今年经营困难，请问能否申请城镇土地使用税困难减免。", weight=5),
    T("tax", "土地契税缴纳方式咨询",
      "我司刚取得 {plot} 地块，请问契税是否可以在线缴纳，缴纳后多久可以办理不动产登记。",
      co=("zrzy",), weight=6),
    # --- 其他 ----------------------------------------------------------------------------
    T("other", "厂区周边治安问题",
      "近期厂区周边夜间多次发生电缆被盗，请协调加强{road}一带的夜间巡逻。", urgent=0.3, weight=8),
    T("other", "食品生产许可证变更办理",
      "我司新增{product}品类，需要变更食品生产许可证，请问办理流程和现场核查时间。", lead="scjg", weight=8),
    T("other", "安全生产标准化评审咨询",
      "我司准备申请安全生产标准化三级评审，请问评审流程和费用。", lead="yjj", weight=8),
    T("other", "特种设备检验预约",
      "我司新安装叉车和起重机共 {n} 台，需要预约特种设备首次检验，请协助尽快安排。", lead="scjg", weight=6),
    T("other", "商标被侵权请求协助维权",
      "我司发现有企业在电商平台销售仿冒我司商标的{product}，请协助调查和维权。", lead="scjg", weight=6),
    T("other", "营业执照变更网上办理失败",
      "我司在政务服务网办理营业执照经营范围变更，多次提示系统异常无法提交，请协助。",
      lead="sjj", weight=8),
    T("other", "厂区消防通道被外来车辆占用",
      "{road}一侧我司消防通道经常被外来车辆占用，存在安全隐患，请协调处理。", lead="yjj", co=("jdb",), weight=6),
    T("other", "企业开办和迁入手续咨询",
      "我司总部拟从外地迁入园区，请问企业迁入、税务迁移和银行账户变更的办理顺序。", lead="sjj",
      co=("sw",), weight=5),
)

#: Replies when a topic has none of its own, by category.
CATEGORY_REPLIES: dict[str, tuple[str, ...]] = {
    "land": (
        "已会同相关部门研究，该事项按现行用地政策可以办理，具体流程和材料清单已书面告知企业，"
        "企业按清单提交后 {workdays} 个工作日内办结。",
        "经现场核查并与企业沟通，已明确处理方案，相关手续已启动，进度将由专职小组继续跟踪。",
    ),
    "permit": (
        "已协调审批窗口和审图机构一次性告知修改意见，企业补正后已于今日完成审批。",
        "已为企业开通报建绿色通道，材料齐全后即来即办，验收时间已与企业约定。",
    ),
    "utilities": (
        "已协调相关公司上门勘查并确定方案，预计 {workdays} 个工作日内完成施工，届时通知企业。",
        "问题已处理完毕，已与企业确认恢复正常，后续将加强巡检。",
    ),
    "talent": (
        "已与企业人事负责人对接，相关申请已按政策受理，结果将在 {workdays} 个工作日内反馈。",
        "已协调相关部门处理，企业员工的问题已解决，相关政策文件已发企业。",
    ),
    "finance": (
        "已组织合作银行与企业对接，授信方案已初步确定，贴息按季度申报，申报指引已发企业。",
        "经审核，企业符合政策条件，资金已按程序拨付（办理），请企业注意查收。",
    ),
    "subsidy": (
        "经核查，企业符合申报条件，申报指南和材料清单已发企业，专职小组将协助完成申报。",
        "资金拨付流程已走完，款项已于今日到账，已电话告知企业财务负责人。",
    ),
    "environment": (
        "已安排技术人员上门指导，整改方案已确定，企业按方案实施后即可办理。",
        "经现场核查，已明确处理意见，相关审批已加快办理并于今日办结。",
    ),
    "logistics": (
        "已组织现场踏勘并制定整改方案，工程已于本周完工，已请企业确认效果。",
        "已协调交警和相关部门研究，调整方案已实施，企业车辆通行问题已解决。",
    ),
    "tax": (
        "已安排税务专管员一对一辅导，政策适用口径已书面答复企业。",
        "经核查已加快办理，相关款项（额度）已于今日办结，请企业在电子税务局查看。",
    ),
    "other": (
        "已协调相关部门现场处理，问题已解决，已与企业确认。",
        "已明确办理流程并安排专人帮办，企业已于今日办结相关手续。",
    ),
}

TRIAGE_NOTES = ("", "", "", "已电话核实诉求内容", "诉求清楚，直接派单", "企业选错类别，已更正")
DISPATCH_NOTES = ("", "", "请按时限联系企业", "请主办单位牵头，协办单位配合", "企业较急，请优先处理")
RESPOND_NOTES = (
    "已电话联系企业{contact}，了解诉求详情",
    "已联系企业{contact}，约定上门时间",
    "已与企业{contact}电话沟通",
    "已上门走访企业，了解现场情况",
    "",
)
ASSESSMENTS = (
    "经研判，该诉求属于{unit}职责范围，已安排专人跟进，预计 {workdays} 个工作日内办结。",
    "已现场查看，问题属实。初步方案：先行临时处理，再按程序彻底解决。",
    "诉求涉及{unit}与其他部门，已发函协调，按政策可以办理，需企业补充部分材料。",
    "经研判，按现行政策可部分支持企业诉求，具体方案报分管领导审定后答复。",
    "已梳理企业诉求要点，明确办理路径和时间节点，每周向企业通报一次进度。",
)
RETURN_REASONS = (
    "经核实，该事项属于{right}职责，不属于本单位职能范围，请改派。",
    "该诉求涉及的设施不归本单位管理，建议派{right}办理。",
    "本单位无该事项审批权限，建议由{right}主办。",
)
EXTENSION_REASONS = (
    "涉及多部门会商，需报市级部门审批，申请延期 {days} 个工作日。",
    "需等待现场施工完成后才能验证效果，申请延期 {days} 个工作日。",
    "企业补充材料较多，审核需要时间，申请延期 {days} 个工作日。",
)
EXTENSION_APPROVE_NOTES = ("理由充分，同意延期", "同意，请在延期内办结", "")
EXTENSION_REFUSE_NOTES = ("不同意延期，请按原时限办结", "延期理由不充分，请加快办理", "")
WAIT_QUESTIONS = (
    "请企业补充提供{material}。",
    "请企业确认具体位置并提供现场照片。",
    "请企业提供{material}，以便核实。",
    "请企业明确需求时间和规模。",
)
CO_OPINIONS = (
    "经核查，我单位职责范围内无异议，请主办单位按规定办理。",
    "建议主办单位先核实企业提交材料的完整性，我单位可配合现场踏勘。",
    "该事项涉及我单位审批环节，建议企业同步补充相关证明材料，我单位将优先受理。",
    "我单位已掌握相关情况，可提供近三年同类事项的处理意见供参考。",
)
WAIT_ANSWERS = ("已上传补充材料", "材料已通过邮件发送", "已补充，现场照片见附件", "需求已确认，请继续办理")
REOPEN_REASONS = (
    "问题没有实际解决，申请重办",
    "答复与实际情况不符，请重新核实",
    "只是答复了政策，具体问题仍未处理",
    "回访时企业表示问题依旧，申请重办",
)
ESCALATE_REASONS = (
    "涉及多个部门职责交叉，常规办理难以解决，提请难题专办",
    "企业两次反映未解决，提交领导协调",
    "需突破现有政策，提请难题专办研究",
)
DIFFICULT_DISPATCH_NOTES = (
    "难题专办会议决定：由{unit}牵头，相关单位配合，限期办结",
    "经领导协调，明确由{unit}主办",
)
WITHDRAW_REASONS = ("问题已自行解决", "企业已通过其他渠道办理", "情况有变，暂不需要", "")
MERGE_REASONS = ("与 {number} 为同一事项，合并办理", "企业重复提交，并入 {number}")
RATING_COMMENTS = {
    "satisfied": ("处理及时，非常满意", "感谢专职小组的跟进", "效率很高", "", "", ""),
    "basic": ("基本解决，但用时较长", "问题解决了，沟通可以更及时", ""),
    "unsatisfied": ("回复流于形式，问题没有解决", "处理太慢，影响生产", "答复没有针对我们的问题"),
}
