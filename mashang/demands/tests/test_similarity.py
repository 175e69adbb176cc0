"""Similar demands (``demands.similarity``): the same issue filed again is found by its text —
paraphrased, re-filed with a few words changed, or its title repeated over another description —
and distinct demands, even of one category, are not paired. Beside it: who sees what as similar,
the team queue's hint and the routing panel's one-click merge (the review agenda's repeats:
``meetings/tests/test_agenda_similar.py``)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mashang.audit.models import Event
from mashang.demands.models import Demand, Status
from mashang.demands.similarity import similar_demands, similar_groups, similar_pairs
from tests.kit.clocks import at
from tests.kit.walk import submit

#: Enterprise demands of a development zone: the pairs of ``PLANTED`` are one issue filed twice,
#: every other pair is two issues (several of one category: roads, tax, land, permits).
TEXTS = {
    "power": ("厂区频繁停电影响生产",
              "近两周我司厂区已发生4次非计划停电，每次停电都造成在线产品报废，请供电部门排查线路原因。"),
    "power_again": ("再次反映：厂区频繁停电",
                    "我司厂区近期又停电两次，生产线被迫中断，产品报废损失较大，请尽快排查供电线路并告知停电原因。"),
    "power_capacity": ("申请增容1250kVA用电报装进度缓慢",
                       "我司新增一条注塑生产线，需要将变压器容量增至1250kVA，3月已提交报装申请，至今未安排现场勘查。"),
    "red_line": ("NL2024-07地块用地红线与规划图不一致",
                 "我司位于兴业大道的NL2024-07地块，用地红线与控规图存在约6米偏差，影响总平面图报审，请协助复核。"),
    "red_line_again": ("NL2024-07地块红线偏差请复核",
                       "NL2024-07地块的用地红线和控制性详细规划图对不上，偏差大约6米，总平面图无法报审，请尽快协调复核红线。"),
    "land_expansion": ("申请扩产用地约50亩",
                       "受订单增长影响，我司计划扩大电池模组产能，需要在现厂区周边新增工业用地约50亩，请协助了解可供地块。"),
    "permit": ("1号厂房施工许可证办理进度缓慢",
               "我司1号厂房已于4月提交施工许可申请，至今已超过20个工作日未办结，影响开工，请协助催办。"),
    "permit_again": ("1号厂房施工许可证办理进度缓慢",
                     "施工许可申请材料已经按要求补正，窗口仍未出证，工程队已经进场等待，请帮忙了解卡在哪个环节。"),
    "acceptance": ("2号厂房竣工联合验收预约",
                   "我司2号厂房主体已完工，计划下月投产，请问竣工联合验收如何预约、需要准备哪些材料。"),
    "vat_refund": ("增值税留抵退税申请进度",
                   "我司5月提交增值税增量留抵退税申请，金额约300万元，至今未到账，资金周转困难。"),
    "vat_refund_again": ("留抵退税300万元迟迟未到账",
                         "5月份我们提交了增值税留抵退税申请，约300万元，到现在还没有到账，请税务部门帮忙查一下进度。"),
    "rnd_deduction": ("研发费用加计扣除政策咨询",
                      "我司今年研发投入约800万元，请问研发费用加计扣除的范围、比例以及如何在预缴时享受。"),
    "invoices": ("发票领用额度不足申请调增", "我司订单增长，本月发票额度已用完，申请调增开票额度。"),
    "job_fair": ("招工难，申请举办专场招聘会", "我司扩产需要招聘一线操作工约60人，申请在园区举办专场招聘会。"),
    "job_fair_again": ("申请在园区办一场专场招聘会",
                       "因扩大生产，我司急需一线操作工60人左右，希望园区帮忙组织一场专场招聘会。"),
    "talent_flats": ("人才公寓申请进度咨询",
                     "我司5名技术骨干于3月申请入住人才公寓，至今未收到审核结果，请帮忙查询进度。"),
    "social_insurance": ("新招员工社保参保登记异常",
                         "我司新招30名员工，社保参保登记时系统提示身份信息不一致，无法参保，请协助处理。"),
    "flooding": ("厂区门口道路积水严重影响货车进出",
                 "每逢下雨，园区三路靠近我司北门的路段积水深达40厘米，货车无法进出，请协调排水改造。"),
    "flooding_again": ("园区三路北门路段积水",
                       "下雨后园区三路我司北门附近路段积水四十厘米左右，货车进不来也出不去，请尽快协调改造排水。"),
    "street_lights": ("园区三路路灯损坏夜间通行不安全",
                      "园区三路靠近我司北门的一段路灯已损坏3周，夜班员工下班通行不安全，请尽快修复。"),
    "potholes": ("园区三路路面破损严重",
                 "园区三路靠近我司的路段路面破损，出现多个坑洼，重载货车通行颠簸严重，请安排修补。"),
    "subsidy_paid": ("技术改造补助资金何时拨付",
                     "我司已于3月通过技术改造补助评审并公示，奖励资金200万元至今未到账，请协助查询拨付进度。"),
    "subsidy_apply": ("专精特新企业奖励申报材料咨询",
                      "我司拟申报专精特新企业奖励，请问申报条件、需要提交的材料和截止时间。"),
}
PLANTED = {
    frozenset(("power", "power_again")),  # re-filed, words changed
    frozenset(("red_line", "red_line_again")),  # paraphrase
    frozenset(("permit", "permit_again")),  # the title again, another description
    frozenset(("vat_refund", "vat_refund_again")),  # paraphrase in plainer words
    frozenset(("job_fair", "job_fair_again")),  # paraphrase
    frozenset(("flooding", "flooding_again")),  # paraphrase, the title rewritten
}
KEYS = list(TEXTS)


# --- the pure part ------------------------------------------------------------------------


def test_every_planted_repeat_is_paired_and_no_two_distinct_demands_are():
    pairs = similar_pairs([TEXTS[k] for k in KEYS])
    assert {frozenset((KEYS[i], KEYS[j])) for i, j, _score in pairs} == PLANTED


def test_a_pair_scores_the_same_both_ways_and_the_best_comes_first():
    pairs = similar_pairs([TEXTS[k] for k in KEYS])
    assert [p[2] for p in pairs] == sorted((p[2] for p in pairs), reverse=True)
    reversed_pairs = similar_pairs([TEXTS[k] for k in reversed(KEYS)])
    n = len(KEYS) - 1
    assert sorted(round(s, 4) for *_ij, s in pairs) == sorted(
        round(s, 4) for *_ij, s in reversed_pairs
    )
    assert {frozenset((KEYS[n - i], KEYS[n - j])) for i, j, _s in reversed_pairs} == PLANTED


def test_repeats_of_one_issue_form_one_group():
    texts = [TEXTS["flooding"], TEXTS["talent_flats"], TEXTS["flooding_again"], TEXTS["flooding"]]
    assert similar_groups(texts) == [[0, 2, 3]]


def test_empty_texts_pair_with_nothing():
    assert similar_pairs([("", ""), ("", "")]) == []
    assert similar_pairs([]) == []


# --- who sees what as similar ---------------------------------------------------------------


def _file(zone, key: str, when=None, **kw) -> Demand:
    title, description = TEXTS[key]
    return submit(zone, title=title, description=description, when=when, **kw)


@pytest.mark.django_db
def test_an_enterprise_never_sees_another_enterprises_demand_as_similar(zone):
    theirs = _file(zone, "flooding", at(2026, 3, 2, 9, 0))
    mine = _file(zone, "flooding_again", at(2026, 3, 3, 9, 0), actor=zone.other_contact)
    assert similar_demands(actor=zone.other_contact, demand=mine) == []
    assert similar_demands(actor=zone.contact, demand=theirs) == []
    # The service team sees both, and is told they come from two enterprises.
    [found] = similar_demands(actor=zone.officer, demand=mine)
    assert found.demand == theirs and not found.same_enterprise and found.percent >= 32


@pytest.mark.django_db
def test_a_unit_sees_as_similar_only_the_demands_dispatched_to_it(zone):
    a = _file(zone, "flooding", at(2026, 3, 2, 9, 0))
    b = _file(zone, "flooding_again", at(2026, 3, 3, 9, 0))
    assert similar_demands(actor=zone.land_staff, demand=b) == []
    found = similar_demands(actor=zone.officer, demand=b)
    assert [(s.demand, s.same_enterprise) for s in found] == [(a, True)]


@pytest.mark.django_db
def test_a_closed_demand_counts_within_the_window_only(zone):
    from mashang.demands import services as S

    old = _file(zone, "flooding", at(2026, 1, 5, 9, 0))
    S.demand_withdraw(
        actor=zone.contact, demand_id=old.pk, version=old.version, reason="已自行解决",
        at=at(2026, 1, 5, 10, 0),
    )
    merged_away = _file(zone, "flooding", at(2026, 3, 1, 9, 0))
    keeper = _file(zone, "flooding", at(2026, 3, 1, 10, 0))
    S.demand_merge(
        actor=zone.officer, demand_id=merged_away.pk, version=merged_away.version,
        into=keeper.number, at=at(2026, 3, 1, 11, 0),
    )
    new = _file(zone, "flooding_again", at(2026, 3, 2, 9, 0))
    # Withdrawn two months before: out of the window; merged: never offered.
    assert [s.demand for s in similar_demands(actor=zone.officer, demand=new)] == [keeper]
    recent = _file(zone, "flooding_again", at(2026, 1, 20, 9, 0))
    assert old in [s.demand for s in similar_demands(actor=zone.officer, demand=recent)]


# --- the team queue and the routing panel ---------------------------------------------------


@pytest.mark.django_db
def test_the_team_queue_hints_at_an_unclassified_repeat_with_its_similarity(zone, client):
    first = _file(zone, "vat_refund")
    again = _file(zone, "vat_refund_again")
    other = _file(zone, "rnd_deduction")
    client.force_login(zone.officer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("demands:team")).content.decode()
    assert "Possible duplicates" in html
    assert f'href="{reverse("demands:detail", args=[again.pk])}" title=' in html
    assert f'href="{reverse("demands:detail", args=[first.pk])}" title=' in html
    assert f'href="{reverse("demands:detail", args=[other.pk])}" title=' not in html
    assert re.search(r"\((\d+)% similar\)", html)


def _merge_form(html: str) -> dict[str, str] | None:
    form = re.search(r'<form class="similar-merge" method="post" action="([^"]+)".*?</form>', html, re.S)
    if form is None:
        return None
    fields = dict(re.findall(r'name="(version|into|reason)" value="([^"]*)"', form.group(0)))
    return {"action": form.group(1), **fields}


@pytest.mark.django_db
def test_the_officer_merges_a_repeat_into_the_similar_demand_with_one_click(zone, client):
    keeper = _file(zone, "job_fair", at(2026, 3, 2, 9, 0))
    repeat = _file(zone, "job_fair_again", at(2026, 3, 4, 9, 0))
    elsewhere = _file(zone, "job_fair", at(2026, 3, 3, 9, 0), actor=zone.other_contact)
    client.force_login(zone.officer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("demands:detail", args=[repeat.pk])).content.decode()
    assert "Similar demands" in html and elsewhere.number in html and "甲企业有限公司" in html
    form = _merge_form(html)
    # One button: into the same enterprise's demand, not into another enterprise's.
    assert html.count('class="similar-merge"') == 1
    assert form["action"] == reverse("demands:act", args=[repeat.pk, "merge"])
    assert form["into"] == keeper.number and form["version"] == str(repeat.version)
    response = client.post(form.pop("action"), form)
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.status == Status.MERGED and repeat.merged_into == keeper
    event = Event.objects.get(subject_type="demand", subject_id=repeat.pk, action="merge")
    assert event.actor == zone.officer and keeper.number in event.reason


@pytest.mark.django_db
def test_no_merge_button_for_a_closed_similar_demand(zone, client):
    from mashang.demands import services as S

    done = _file(zone, "job_fair", at(2026, 3, 2, 9, 0))
    S.demand_withdraw(
        actor=zone.contact, demand_id=done.pk, version=done.version, reason="情况有变",
        at=at(2026, 3, 2, 10, 0),
    )
    repeat = _file(zone, "job_fair_again", at(2026, 3, 4, 9, 0))
    client.force_login(zone.officer)
    html = client.get(reverse("demands:detail", args=[repeat.pk])).content.decode()
    assert done.number in html and _merge_form(html) is None



@pytest.mark.django_db
def test_a_queue_page_costs_two_queries_however_many_demands_it_holds(
    zone, django_assert_num_queries
):
    from mashang.demands.queues import demand_possible_duplicates

    page = [_file(zone, key) for key in KEYS]
    # The candidates, then the demands found: not one query per row.
    with django_assert_num_queries(2):
        found = demand_possible_duplicates(actor=zone.officer, demands=page)
    by_key = dict(zip(KEYS, page, strict=True))
    assert {
        frozenset((k, next(x for x in KEYS if by_key[x] == s.demand)))
        for k, d in by_key.items()
        for s in found[d.pk]
    } == PLANTED
