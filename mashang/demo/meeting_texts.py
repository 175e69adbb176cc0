"""What the demo's review meetings say: titles, decisions, action items, progress reports.

Templates with ``{slots}`` filled by :mod:`mashang.demo.meetings` from the agenda item (the
demand's number, its lead unit, the category, the enterprise…). Natural Chinese, as the
minutes of a development zone's meetings are written.
"""

from __future__ import annotations

from dataclasses import dataclass

PLACES = ("管委会三楼第一会议室", "管委会五楼会商室", "企业服务中心二楼会议室")
LAND_PLACE = "管委会四楼国土规划会议室"

REVIEW_TITLE = "{year}年{month}月企业诉求研判会"
REVIEW_NOTE = (
    "研判{year}年{month}月企业诉求办理情况，议定疑难、超期、退单争议和重复诉求的处理意见。"
)

LAND_TITLES = {
    "land_consultation": "{year}年{month}月供地协调商办会",
    "land_joint": "{year}年{month}月供地联席会办会议",
    "land_difficult": "{year}年{month}月供地难题专办会议",
}
LAND_NOTE = "审议供地条件成熟的项目，协调项目供地中的跨部门问题。"

CANCEL_REASON = (
    "受台风影响，全区启动防风Ⅲ级应急响应，各成员单位负责人须在岗值守，本次研判会取消，"
    "议题并入下月研判会一并研究。"
)

# --- decisions on the items the rules propose -------------------------------------------------

DIFFICULT_WAITING = (
    "该诉求经{unit}办理后企业仍不满意，已提请难题专办。会议决定：由{leader}同志挂点协调，{unit}牵头、"
    "{co}配合，{days}个工作日内拿出解决方案并当面答复企业，督查办全程跟踪。",
    "会议认为，该诉求涉及多个部门职责交叉，单靠一个单位难以解决。决定列入难题专办，由{unit}牵头会同"
    "{co}现场办公，{days}个工作日内形成处理意见报管委会。",
)
DIFFICULT_ASSIGNED = (
    "会议听取了{coordinator}同志关于该难题办理进展的汇报。要求{unit}按既定方案加快推进，在时限内答复企业，"
    "答复意见由单位主要负责人审核把关。",
    "该难题已明确由{coordinator}同志协调推进，目前进展基本正常。会议要求{unit}每周向督查办报送一次进展，"
    "遇有卡点及时提请管委会协调。",
)
OVERDUE = (
    "该诉求已超过办理时限{overdue}天仍未办结。会议要求{unit}于{days}个工作日内办结并书面说明超期原因，"
    "督查办发出督办通知并纳入月度测评。",
    "会议对{unit}超期办理的情况予以通报。要求{unit}分管负责人亲自过问，{days}个工作日内办结，"
    "逾期未办结的提请管委会约谈单位主要负责人。",
)
REOPENED = (
    "企业对首轮办理结果不满意，诉求已重办。会议要求{unit}重新研判，主要负责人带队上门与企业沟通，"
    "{days}个工作日内拿出实质性解决办法，不得简单答复了事。",
    "该诉求已进入第{round}轮办理。会议要求{unit}认真查找前几轮办理不到位的原因，会同{co}现场核实，"
    "{days}个工作日内办结。",
)
DISPUTED = (
    "该诉求在{unit}与{other}之间多次退单。经会议研究，明确由{unit}主办、{other}协办，不得再次退单；"
    "{unit}{days}个工作日内办结。",
    "会议认为，该诉求的职责边界清楚，退单理由不充分。明确{unit}为主办单位，{other}配合提供相关材料，"
    "{days}个工作日内答复企业。",
)
ACTION_OVERDUE = (
    "督办事项{number}已逾期{overdue}天。会议对{unit}予以通报，要求{days}个工作日内办结并报送书面说明，"
    "由督查办跟踪核实。",
    "会议听取了{unit}关于督办事项{number}逾期原因的说明，要求倒排时间、压实责任，{days}个工作日内办结，"
    "督查办发出黄牌督办。",
)
REPEAT = (
    "{enterprise}本月就“{category}”问题反复反映{count}次，说明问题未从根本上解决。会议要求{unit}"
    "建立一企一档台账，主动上门走访，一揽子解决企业诉求。",
    "同一企业同类诉求反复出现，反映出办理中存在就事论事的问题。会议要求{unit}会同企业服务专职小组"
    "走访{enterprise}，梳理全部“{category}”问题，{days}个工作日内逐项答复。",
)
VOLUME = (
    "“{category}”类诉求本月达{count}件，明显高于前几个月的平均水平。会议要求{unit}牵头分析原因，"
    "区分共性问题和个性问题，{days}个工作日内形成专题报告，共性问题研究出台解决措施。",
    "会议注意到“{category}”类诉求数量上升较快。要求{unit}对本月诉求逐件回访，查找集中反映的问题，"
    "{days}个工作日内提出改进措施报管委会。",
)
ASSESSMENT = (
    "{unit}本月综合测评得分下降明显。会议要求{unit}查找响应慢、办结率低的原因，{days}个工作日内"
    "向督查办报送整改措施，并在下次研判会上作表态发言。",
    "会议通报了{unit}测评得分下降的情况。要求该单位主要负责人牵头整改，压实首问责任，"
    "{days}个工作日内报送整改报告。",
)

#: Action item titles per reason for listing (at most 200 characters).
ACTION_TITLES = {
    "difficult": "牵头拿出{number}解决方案并答复企业",
    "overdue": "限期办结{number}并书面说明超期原因",
    "reopened": "重新研判{number}并上门答复企业",
    "disputed_return": "主办{number}，不得再次退单",
    "repeat": "走访{enterprise}，建立“{category}”诉求一企一档台账",
    "volume_rise": "形成“{category}”类诉求上升原因分析报告",
    "assessment_fall": "报送测评得分下降整改措施",
}
CO_ACTION_TITLES = {
    "difficult": "配合{unit}提出{number}的处理意见",
    "volume_rise": "梳理“{category}”类共性问题并提出政策建议",
}

CLOSING_RULES = {
    "difficult": "企业确认解决、经督查办核实后办结",
    "overdue": "企业确认解决后办结，超期原因说明报督查办备案",
    "reopened": "企业确认解决后办结",
    "disputed_return": "经督查办核实后办结",
    "repeat": "台账报督查办备案、企业确认后办结",
    "volume_rise": "专题报告经管委会分管领导审定后办结",
    "assessment_fall": "整改措施报督查办备案后办结",
    "manual": "经督查办核实后办结",
    "land": "经督查办核实后办结",
}

# --- items the secretary adds ----------------------------------------------------------------


@dataclass(frozen=True)
class PlannedWork:
    """An action item a manual item's decision plans."""

    title: str
    lead: str
    co: tuple[str, ...] = ()
    working_days: int = 10


@dataclass(frozen=True)
class ManualItem:
    title: str
    evidence: str
    decision: str
    work: tuple[PlannedWork, ...] = ()
    #: A rule change the decision adopts: (category code, RuleField value, new value).
    rule: tuple[str, str, str] | None = None


KICK_OFF = ManualItem(
    "研究建立月度企业诉求研判工作机制",
    "按照管委会工作部署，每月上旬召开企业诉求研判会，研究上月超期、重办、退单争议和难题专办诉求。",
    "会议同意建立月度企业诉求研判工作机制。每月上旬由督查办提出议题，管委会领导主持，"
    "各承办单位主要负责人参加；会议决定事项形成督办事项，由督查办跟踪办结。",
    (PlannedWork("制定企业诉求研判会议工作规则", "sjj", ("fwzx",), 15),),
)

#: Every quarter's second month, the supervision office reports (no action item).
MONTHLY_REPORT = ManualItem(
    "通报上月企业诉求办理情况及各承办单位测评排名",
    "督查办汇总上月诉求受理、办结、满意度情况及各承办单位测评得分。",
    "会议听取了督查办关于上月企业诉求办理情况的通报。要求测评排名后三位的单位认真查找原因，"
    "主要负责人亲自抓整改；各单位对照通报问题举一反三，提升一次办结率。",
)

#: Topics the secretary puts on the agenda once each over the year.
TOPIC_ITEMS = (
    ManualItem(
        "研究企业诉求办结后回访工作",
        "部分诉求办结后企业反映“答复了但问题没解决”，回访发现满意度与办结率不匹配。",
        "会议决定，诉求办结后由企业服务专职小组按不低于三成的比例电话回访，对“基本满意”和"
        "“不满意”的诉求逐件分析原因，回访结果纳入月度测评。",
        (PlannedWork("制定诉求办结回访工作方案", "sjj", ("fwzx",), 10),),
    ),
    ManualItem(
        "研究重点企业包联服务工作",
        "重点企业诉求集中在用地、报建和水电气接入，涉及单位多、协调难度大。",
        "会议决定，对年纳税额或投资额排名靠前的重点企业实行领导包联，每家企业明确一名服务专员，"
        "企业诉求由服务专员全程跟踪；包联名单由投资促进局提出，报管委会审定。",
        (PlannedWork("提出重点企业领导包联名单", "zsj", ("jfj",), 10),),
    ),
    ManualItem(
        "研究诉求办理中“容缺受理”的适用范围",
        "报建审批类诉求中，有相当部分因个别非关键材料缺失被退回，企业反映往返多次。",
        "会议同意对非关键材料缺失的报建事项实行容缺受理，企业书面承诺限期补齐；"
        "由住房和城乡建设局会同政务服务和数据管理局梳理容缺事项清单。",
        (PlannedWork("梳理报建审批容缺受理事项清单", "zjj", ("sjj",), 15),),
    ),
)

#: Rule changes the year's meetings adopt, in order (the values differ from the reference data).
RULE_ITEMS = (
    ManualItem(
        "研究压减“报建审批”类诉求办结时限",
        "报建审批类诉求平均办理用时已降至 6 个工作日左右，现行 10 个工作日的办结时限偏宽。",
        "会议同意将“报建审批”类诉求办结时限由 10 个工作日压减为 8 个工作日，自纪要印发之日起执行；"
        "住房和城乡建设局做好内部流程衔接。",
        rule=("permit", "resolution_days", "8"),
    ),
    ManualItem(
        "研究调整“其他”类诉求默认主办单位",
        "“其他”类诉求多涉及政务服务事项，派给街道办事处后退单较多，二次派单耽误办理时间。",
        "会议同意将“其他”类诉求的默认主办单位由南岭街道办事处调整为政务服务和数据管理局，"
        "由其先行研判后再按职责转办；街道办事处继续负责属地事项。",
        rule=("other", "default_lead_unit", "sjj"),
    ),
    ManualItem(
        "研究压减“水电气”类诉求阶段性答复时限",
        "水电气类诉求直接影响企业生产，企业普遍希望尽早知道处理方案和时间。",
        "会议同意将“水电气”类诉求阶段性答复时限由 3 个工作日压减为 2 个工作日；"
        "供电、供水、燃气单位在阶段性答复中须明确办理节点。",
        rule=("utilities", "interim_reply_days", "2"),
    ),
)

# --- the land-supply reviews -----------------------------------------------------------------

LAND_APPROVE = (
    "{project}已完成规划条件核定、土地评估和出让方案编制，用地条件成熟。会议同意供地，由自然资源分局"
    "按程序组织挂牌出让，公共资源交易中心做好交易准备，各单位同步开展拿地即动工预审。"
)
LAND_ESCALATE = (
    "{project}地块内一段 110 千伏高压线须迁改后方能挂牌，迁改方案和费用分担涉及自然资源、供电等多个部门，"
    "会议决定提交供地难题专办会议研究。"
)
LAND_DEFER = "{project}投资方融资方案尚未落实，项目环评手续未办结，会议同意暂缓供地，待条件成熟后重新提交审议。"
DEFER_REASON = (
    "投资方融资方案尚未落实，项目环评手续未办结，暂缓供地，待条件成熟后重新提交供地审议。"
)
RESUME_REASON = (
    "投资方融资方案已落实，项目环评已取得批复，暂缓供地的条件已消除，恢复推进，重新提交供地审议。"
)
LAND_PENDING = (
    "{project}规划条件核定尚未完成。会议要求自然资源分局{days}个工作日内完成规划条件核定和土地评估，"
    "住房和城乡建设局同步核定建设条件，提交下次会议审议。"
)
LAND_PENDING_WORK = PlannedWork("完成{project}规划条件核定和土地评估", "zrzy", ("zjj",), 15)
LAND_PLAN_ITEM = "研究下一阶段供地计划"
LAND_PLAN = "会议研究了下一阶段供地计划，要求自然资源分局会同投资促进局梳理重点项目用地需求，按季度编制供地计划。"
KEY_BEHIND = (
    "{project}进度滞后于计划。会议要求投资促进局会同项目服务专员倒排工期，逐项列出卡点和责任单位，"
    "每两周向管委会报送一次进展。"
)
KEY_BEHIND_WORK = PlannedWork("倒排{project}推进计划并逐项落实卡点", "zsj", ("zrzy", "zjj"), 10)
LAND_DIFFICULT = (
    "会议研究了{project}地块高压线迁改问题。决定：由自然资源分局牵头、南岭供电局配合，{days}个工作日内"
    "确定迁改方案和费用分担办法；迁改工程与土地挂牌准备同步推进，迁改完成后即提交供地审议。"
)
LAND_DIFFICULT_WORK = (
    PlannedWork("确定{project}地块高压线迁改方案和费用分担办法", "zrzy", ("gdj",), 15),
    PlannedWork("完成{project}地块 110 千伏线路迁改工程设计", "gdj", ("zrzy",), 20),
)

# --- the action items' progress --------------------------------------------------------------

SIGNED_FOR = (
    "已收到督办事项，单位主要负责人已作批示，明确专人负责。",
    "已签收，已召开专题会议部署落实，明确分管负责人牵头。",
    "督办事项已签收，已与相关单位对接，制定了推进计划。",
)
PROGRESS = (
    "阶段进展：已完成现场核查，正在会同相关单位制定处理方案，预计按期办结。",
    "阶段进展：已与企业当面沟通，处理方案已基本明确，正在履行内部审批程序。",
    "阶段进展：已梳理问题清单，完成了大部分事项，剩余事项正在协调中。",
    "阶段进展：已形成初步意见，正在征求相关单位意见。",
)
DONE = (
    "已按会议纪要要求办理完毕，企业反映的问题已解决，相关材料已报督查办。",
    "督办事项已办结：处理方案已落实，已向企业当面反馈，企业表示认可。",
    "已完成督办事项，书面报告已报管委会分管领导和督查办。",
    "已按要求办结，并建立长效机制，防止同类问题反复出现。",
)
CONFIRMED = (
    "经督查办核实，已按会议纪要要求办结。",
    "经督查办现场核实，办理结果符合会议要求。",
    "经核实已办结，同意销号。",
)
