"""Suggestions learnt from the zone's history: training, the rule that beats a suggestion, a
worse classifier that does not replace a better one, automatic dispatch only above the
zone's threshold (and recorded), the honesty page and the triage panel."""

from __future__ import annotations

import random
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from mashang.audit.models import Event
from mashang.demands.models import Demand, Status
from mashang.org.models import User
from mashang.routing import classifier
from mashang.routing.models import AutoDispatch, Classifier, Suggestion, Target
from mashang.routing.rules import RuleSpec
from mashang.routing.services.automatic import auto_dispatch_pending, demand_auto_dispatch
from mashang.routing.services.rules import rule_create
from mashang.routing.services.training import classifier_train, model_in_use
from mashang.routing.suggest import suggestion_outcomes, suggestions_compute, triage_advice_for
from tests.kit.clocks import at
from tests.kit.factories import CategoryFactory, UnitFactory, UserFactory
from tests.kit.walk import act, submit

# Three kinds of enterprise demand, each with its own words, the way a zone's history reads.
TOPICS = {
    "power": (
        "power",
        ["园区", "厂区", "车间", "二期厂房", "仓库"],
        ["突然停电", "电压不稳", "供电线路老化", "变压器增容", "频繁跳闸", "临时用电申请"],
        ["影响生产线运行", "请供电所尽快处理", "设备多次损坏", "需要增加用电容量"],
    ),
    "tax": (
        "tax",
        ["公司", "企业", "我司", "新设公司"],
        ["出口退税进度", "增值税留抵退税", "发票领用", "纳税信用评级", "研发费用加计扣除"],
        ["请税务分局答复", "材料已经提交", "影响资金周转", "申报期临近"],
    ),
    "hiring": (
        "hr",
        ["新项目", "工厂", "企业", "生产基地"],
        ["招聘技术工人", "用工缺口", "人才公寓申请", "社保补贴", "高校毕业生招聘会"],
        ["希望人社局协助", "春节后返岗困难", "岗位缺口较大", "请给予政策支持"],
    ),
}


def _text(rng: random.Random, topic: str) -> tuple[str, str]:
    _, places, issues, details = TOPICS[topic]
    title = f"{rng.choice(places)}{rng.choice(issues)}"
    body = f"{rng.choice(places)}{rng.choice(issues)}，{rng.choice(details)}。"
    return title, body


@pytest.fixture
def history(zone):
    """120 dispatched demands of the three kinds, with their categories and units (one in ten
    classified as another kind, as happens)."""
    units = {t: UnitFactory(code=u, name=f"{u}-单位") for t, (u, *_rest) in TOPICS.items()}
    categories = {t: CategoryFactory(code=t, name=f"{t}-类", default_lead_unit=units[t]) for t in TOPICS}
    rng = random.Random(7)
    start = at(2026, 9, 1, 9, 0)
    rows = []
    for i in range(120):
        topic = list(TOPICS)[i % 3]
        title, body = _text(rng, topic)
        if i % 10 == 9:  # as in real history, some demands were classified otherwise
            topic = list(TOPICS)[(i + 1) % 3]
        when = start + timedelta(hours=i)
        rows.append(
            Demand(
                number=f"T{i:05d}", enterprise=zone.enterprise, submitted_by=zone.contact, channel="web",
                title=title, description=body, submitted_at=when, status=Status.CLOSED,
                category=categories[topic], lead_unit=units[topic], triaged_at=when, dispatched_at=when,
            )
        )
    Demand.objects.bulk_create(rows)
    return {"units": units, "categories": categories}


def _train(target=Target.CATEGORY) -> Classifier:
    return classifier_train(target=target, trigger="test")


# --- the classifier itself ---------------------------------------------------------------


def test_the_classifier_learns_the_words_of_each_kind_and_says_why():
    rng = random.Random(1)
    docs, labels = [], []
    for i in range(90):
        topic = list(TOPICS)[i % 3]
        docs.append(_text(rng, topic))
        labels.append(topic)
    model = classifier.train(docs, labels)
    top = model.top("车间频繁跳闸", "生产线多次停电，请供电所处理。")
    assert top[0].label == "power"
    assert len(top) == 3 and top[0].confidence > top[1].confidence >= top[2].confidence
    assert sum(c.confidence for c in top) == pytest.approx(1.0, abs=1e-6)  # three labels: all of them
    assert any("跳闸" in w or "停电" in w or "供电" in w for w in top[0].words)
    # Words as a reader names them: whole words of the title or the description, no fragments.
    text_words = {"车间", "频繁", "跳闸", "生产线", "多次", "停电", "供电所", "处理"}
    assert top[0].words and set(top[0].words) <= text_words
    # Stored and read back, it decides the same.
    again = classifier.TextModel.from_bytes(model.to_bytes())
    probe = [("出口退税进度", ""), ("招聘技术工人", "岗位缺口较大")]
    assert again.predict(probe) == model.predict(probe) == ["tax", "hiring"]


def test_two_labels_are_told_apart_too():
    rng = random.Random(4)
    docs = [_text(rng, ("power", "tax")[i % 2]) for i in range(40)]
    labels = [("power", "tax")[i % 2] for i in range(40)]
    model = classifier.train(docs, labels)
    top = model.top("车间突然停电", "")
    assert [c.label for c in top] == ["power", "tax"] and top[0].confidence > 0.5
    assert classifier.cross_validate(docs, labels, folds=4).macro_f1 > 0.9


def test_cross_validation_scores_every_row_once_on_a_model_that_never_saw_it():
    rng = random.Random(2)
    docs = [_text(rng, list(TOPICS)[i % 3]) for i in range(60)]
    labels = [list(TOPICS)[i % 3] for i in range(60)]
    scores = classifier.cross_validate(docs, labels, folds=3)
    assert scores.n == 60 and scores.folds == 3
    assert sum(map(sum, scores.confusion)) == 60
    assert scores.macro_f1 > 0.9
    # Labels that cannot be told apart (shuffled) score near chance, not near 1.
    shuffled = labels[:]
    random.Random(3).shuffle(shuffled)
    assert classifier.cross_validate(docs, shuffled, folds=3).macro_f1 < 0.6


# --- training on the zone's history, and replacing only by a classifier not worse --------


def test_training_on_the_history_puts_the_first_classifier_in_use(history):
    row = _train()
    assert row.status == Classifier.Status.ACTIVE and row.version == 1
    assert row.n_samples == 120 and row.folds == 5
    assert row.macro_f1 > 0.8  # one in ten of the history is classified otherwise
    assert set(row.per_class) == {"power", "tax", "hiring"}
    assert row.confusion["labels"] == ["hiring", "power", "tax"]
    assert Event.objects.filter(subject_type="routing_classifier", subject_id=row.pk, action="train").exists()
    loaded = model_in_use(Target.CATEGORY)
    assert loaded is not None and loaded[0].pk == row.pk


def test_a_worse_classifier_does_not_replace_a_better_one(history):
    good = _train()
    # The history gets confused: categories given at random to most demands.
    rng = random.Random(5)
    categories = list(history["categories"].values())
    for d in Demand.objects.all():
        if rng.random() < 0.7:
            d.category = rng.choice(categories)
            d.save(update_fields=["category"])
    worse = _train()
    assert worse.macro_f1 < good.macro_f1
    assert worse.status == Classifier.Status.REJECTED
    good.refresh_from_db()
    assert good.status == Classifier.Status.ACTIVE
    assert model_in_use(Target.CATEGORY)[0].pk == good.pk
    assert "worse" in worse.note or "不如" in worse.note or str(good.version) in worse.note


def test_a_classifier_that_could_no_longer_suggest_an_active_category_is_not_used(history):
    good = _train()
    # Nearly all the hiring demands are gone (merged elsewhere): too few to learn it again.
    hiring = Demand.objects.filter(category__code="hiring").order_by("id")
    Demand.objects.filter(pk__in=list(hiring.values_list("pk", flat=True)[2:])).delete()
    narrower = _train()
    assert "hiring" not in narrower.labels and "hiring" in narrower.params["left_out"]
    assert narrower.status == Classifier.Status.REJECTED and "hiring" in narrower.note
    good.refresh_from_db()
    assert good.status == Classifier.Status.ACTIVE


def test_a_classifier_at_least_as_good_replaces_the_one_in_use(history):
    first = _train()
    second = _train()
    assert second.macro_f1 >= first.macro_f1 - 1e-9  # the same data, the same seed
    first.refresh_from_db()
    assert (second.status, first.status) == (Classifier.Status.ACTIVE, Classifier.Status.RETIRED)


@override_settings(MASHANG_ROUTING_MIN_DEMANDS=500)
def test_too_little_history_trains_nothing_and_says_so(history):
    row = _train()
    assert row.status == Classifier.Status.FAILED and "120" in row.note
    assert model_in_use(Target.CATEGORY) is None


# --- a rule beats a suggestion ------------------------------------------------------------


def _admin():
    return UserFactory(username="admin", role=User.Role.ADMIN)


def test_a_matching_rule_wins_over_the_suggested_lead_unit(zone, history):
    _train(Target.CATEGORY)
    _train(Target.LEAD_UNIT)
    demand = submit(zone, title="二期厂房突然停电", description="车间频繁跳闸，影响生产线运行。")
    advice = triage_advice_for(demand)
    assert (advice.category, advice.lead_unit) == ("power", "power")  # the suggestion alone
    rule_create(
        actor=_admin(),
        spec=RuleSpec.build(name="停电找住建", words=["停电"], lead_unit=zone.housing.code, urgency="urgent"),
    )
    advice = triage_advice_for(demand)
    assert advice.lead_unit == zone.housing.code and advice.urgency == "urgent"
    assert advice.category == "power"  # the rule decides the unit, the suggestion still the category


# --- automatic dispatch -------------------------------------------------------------------


def _enable(threshold=0.6, excluded=()):
    AutoDispatch.objects.update_or_create(
        pk=1, defaults={"is_enabled": True, "threshold": threshold, "excluded_categories": list(excluded)}
    )


def test_nothing_is_dispatched_automatically_until_the_zone_turns_it_on(zone, history):
    _train(Target.CATEGORY)
    _train(Target.LEAD_UNIT)
    demand = submit(zone, title="车间频繁跳闸", description="二期厂房突然停电，影响生产线运行。")
    assert auto_dispatch_pending() == 0
    demand.refresh_from_db()
    assert demand.status == Status.SUBMITTED
    assert not Event.objects.filter(subject_id=demand.pk, action="auto_dispatch").exists()
    assert not Suggestion.objects.filter(demand=demand).exists()  # not even looked at


def test_a_confident_new_demand_is_dispatched_automatically_and_the_event_says_so(zone, history):
    _train(Target.CATEGORY)
    _train(Target.LEAD_UNIT)
    _enable(threshold=0.6)
    demand = submit(zone, title="车间频繁跳闸", description="二期厂房突然停电，影响生产线运行。")
    assert auto_dispatch_pending() == 1  # the worker's job, every ten seconds
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED
    assert demand.category.code == "power" and demand.lead_unit.code == "power"
    auto = Event.objects.get(subject_type="demand", subject_id=demand.pk, action="auto_dispatch")
    assert auto.payload["category"] == "power" and auto.payload["category_confidence"] >= 0.6
    assert auto.payload["threshold"] == 0.6 and auto.actor.username == "mashang-routing"
    dispatch = Event.objects.get(subject_type="demand", subject_id=demand.pk, action="dispatch")
    assert dispatch.actor_id == auto.actor_id and dispatch.reason.startswith(("Automatic", "自动"))
    assert Suggestion.objects.filter(demand=demand, automatic=True).count() == 2
    # Considered once: the next pass leaves it (and everything else) alone.
    assert auto_dispatch_pending() == 0
    assert Event.objects.filter(subject_id=demand.pk, action="auto_dispatch").count() == 1


def test_a_category_the_enterprise_chose_is_kept_and_its_exclusion_holds(zone, history):
    _train(Target.CATEGORY)
    _train(Target.LEAD_UNIT)
    # Filed as a tax matter though it reads like a power cut: the category stays tax.
    filed = submit(zone, title="车间频繁跳闸", description="二期厂房突然停电。", category_code="tax")
    _enable(threshold=0.6, excluded=["tax"])
    assert demand_auto_dispatch(demand_id=filed.pk) is None
    filed.refresh_from_db()
    assert filed.status == Status.SUBMITTED and filed.category.code == "tax"
    _enable(threshold=0.6)
    rule_create(actor=_admin(), spec=RuleSpec.build(name="税务", categories=["tax"], lead_unit="tax"))
    dispatched = demand_auto_dispatch(demand_id=filed.pk)
    assert dispatched.status == Status.DISPATCHED
    assert (dispatched.category.code, dispatched.lead_unit.code) == ("tax", "tax")
    auto = Event.objects.get(subject_id=filed.pk, action="auto_dispatch")
    assert auto.payload["category_confidence"] is None and auto.payload["rule"] is not None


def test_below_the_threshold_or_in_an_excluded_category_the_demand_waits(zone, history):
    _train(Target.CATEGORY)
    _train(Target.LEAD_UNIT)
    vague = submit(zone, title="有事咨询", description="请尽快联系我们。")
    confident = submit(zone, title="车间频繁跳闸", description="二期厂房突然停电，影响生产线运行。")
    vague_confidence = suggestions_compute(vague)[Target.CATEGORY].choices[0].confidence
    assert vague_confidence < 0.9 <= suggestions_compute(confident)[Target.CATEGORY].choices[0].confidence
    _enable(threshold=0.9)
    assert demand_auto_dispatch(demand_id=vague.pk) is None
    # A category the zone excluded is never decided automatically.
    _enable(threshold=0.9, excluded=["power"])
    assert demand_auto_dispatch(demand_id=confident.pk) is None
    for d in (vague, confident):
        d.refresh_from_db()
        assert d.status == Status.SUBMITTED
        assert not Event.objects.filter(subject_id=d.pk, action__in=["triage", "dispatch", "auto_dispatch"]).exists()
    # Allowed again, the confident one goes; the vague one still waits.
    _enable(threshold=0.9)
    assert demand_auto_dispatch(demand_id=confident.pk).status == Status.DISPATCHED
    assert demand_auto_dispatch(demand_id=vague.pk) is None


# --- how officers answered the suggestions, and the pages ---------------------------------


def test_outcomes_count_accepted_changed_and_ignored(zone, history):
    row = _train(Target.CATEGORY)
    picks = {"power": "accepted"}
    for title, final in [("车间频繁跳闸", "power"), ("车间突然停电", "tax"), ("临时用电申请", None)]:
        d = submit(zone, title=title, description="影响生产线运行。")
        Client().force_login(zone.officer)
        Suggestion.objects.create(
            demand=d, target=Target.CATEGORY, classifier=row, at=d.submitted_at,
            choices=[{"label": "power", "confidence": 0.8, "words": []},
                     {"label": "tax", "confidence": 0.1, "words": []},
                     {"label": "hiring", "confidence": 0.1, "words": []}][: 2 if title == "车间突然停电" else 3],
        )
        if final:
            act(zone, "triage", "officer", d, category=final)
    outcomes = suggestion_outcomes(row)
    assert outcomes == {"accepted": 1, "changed": 1, "ignored": 0, "pending": 1}
    # A category the enterprise chose when filing is not an officer's decision yet.
    filed = submit(zone, title="车间突然停电", description="影响生产线运行。", category_code="power")
    Suggestion.objects.create(
        demand=filed, target=Target.CATEGORY, classifier=row, at=filed.submitted_at,
        choices=[{"label": "power", "confidence": 0.9, "words": []}],
    )
    assert suggestion_outcomes(row)["pending"] == 2
    assert picks  # the fixture's kinds are the ones suggested


def test_the_honesty_page_shows_versions_scores_and_the_confusion_matrix(zone, history):
    row = _train(Target.CATEGORY)
    client = Client()
    client.force_login(zone.supervisor)
    index = client.get(reverse("routing:classifiers"))
    assert index.status_code == 200
    assert f'data-classifier="{row.pk}"' in index.content.decode()
    detail = client.get(reverse("routing:classifier", args=[row.pk])).content.decode()
    assert "hiring-类" in detail and 'class="list confusion"' in detail
    export = client.get(reverse("routing:classifier-export", args=[row.pk]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(export.content))
    per_class, matrix = book.worksheets
    cells = [c for r in per_class.iter_rows(values_only=True) for c in r]
    assert "hiring-类" in cells and "power-类" in cells
    counts = [v for r in matrix.iter_rows(min_row=5, min_col=2, values_only=True) for v in r if v is not None]
    assert sum(counts) == row.n_samples  # every demand once in the matrix
    client.force_login(zone.contact)
    assert client.get(reverse("routing:classifiers")).status_code == 403
    assert client.get(reverse("routing:classifier-export", args=[row.pk])).status_code == 403


def test_retraining_on_demand_records_who_asked_and_a_second_press_waits(zone, history):
    from mashang.routing import classifier_views
    from mashang.routing.tasks import retrain_now

    admin = _admin()
    assert retrain_now("on demand", admin.pk) == ["category v1: active", "lead_unit v1: active"]
    events = Event.objects.filter(subject_type="routing_classifier", action="train")
    assert {e.actor_id for e in events} == {admin.pk}
    assert set(Classifier.objects.values_list("trigger", flat=True)) == {"on demand"}
    # While one runs in this process, the button says so and starts nothing.
    client = Client()
    client.force_login(admin)
    assert classifier_views._retraining.acquire(blocking=False)
    try:
        page = client.post(reverse("routing:classifiers-retrain"), follow=True)
    finally:
        classifier_views._retraining.release()
    assert page.status_code == 200
    assert Classifier.objects.count() == 2


def test_only_an_administrator_retrains_or_changes_automatic_dispatch(zone, history):
    client = Client()
    client.force_login(zone.officer)
    assert client.post(reverse("routing:classifiers-retrain")).status_code == 403
    assert client.post(reverse("routing:auto-dispatch"), {"version": 1, "threshold": 0.9}).status_code == 403
    client.force_login(_admin())
    page = client.post(reverse("routing:auto-dispatch"), {"version": 1, "threshold": 0.2, "is_enabled": "on"})
    assert page.status_code == 422
    assert not AutoDispatch.objects.filter(is_enabled=True).exists()
    saved = client.post(
        reverse("routing:auto-dispatch"),
        {"version": 1, "threshold": 0.95, "is_enabled": "on", "excluded_categories": ["tax"]},
    )
    assert saved.status_code == 302
    settings_row = AutoDispatch.objects.get()
    assert (settings_row.is_enabled, settings_row.threshold, settings_row.excluded_categories) == (True, 0.95, ["tax"])
    assert Event.objects.filter(subject_type="routing_auto_dispatch", action="update").count() == 1
    stale = client.post(reverse("routing:auto-dispatch"), {"version": 1, "threshold": 0.9})
    assert stale.status_code == 409


def test_the_triage_panel_shows_the_suggestions_and_the_form_starts_from_them(zone, history):
    _train(Target.CATEGORY)
    _train(Target.LEAD_UNIT)
    demand = submit(zone, title="仓库电压不稳", description="设备多次损坏，请供电所尽快处理。")
    client = Client()
    client.force_login(zone.officer)
    page = client.get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert 'class="routing-suggestions"' in page and 'data-code="power"' in page
    assert Suggestion.objects.filter(demand=demand).count() == 2
    # The enterprise sees no panel.
    client.force_login(zone.contact)
    assert "routing-suggestions" not in client.get(reverse("demands:detail", args=[demand.pk])).content.decode()


# --- over the API -------------------------------------------------------------------------


def test_the_api_answers_the_rule_and_the_suggestions_to_the_service_team_only(zone, history):
    from tests.kit.zone import ApiClient

    _train(Target.CATEGORY)
    _train(Target.LEAD_UNIT)
    demand = submit(zone, title="车间频繁跳闸", description="二期厂房突然停电，影响生产线运行。")
    officer = ApiClient("officer")
    path = f"/api/v1/demands/{demand.pk}/suggestions"
    answer = officer.get(path)
    assert answer.status_code == 200
    body = answer.json()
    assert body["rule"] is None
    assert body["category"]["choices"][0]["code"] == "power"
    assert body["lead_unit"]["choices"][0]["name"] == "power-单位"
    assert 0 < body["category"]["choices"][0]["confidence"] <= 1 and body["category"]["choices"][0]["words"]
    assert not Suggestion.objects.filter(demand=demand).exists()  # reading records nothing
    rule_create(actor=_admin(), spec=RuleSpec.build(name="停电", words=["停电"], lead_unit=zone.housing.code))
    assert officer.get(path).json()["rule"]["lead_unit"] == zone.housing.code
    # The enterprise that filed it and a unit's staff are refused; an unknown demand is 404.
    assert ApiClient("ent-a").get(path).status_code == 403
    assert ApiClient("unit-zrzy").get(path).status_code == 403
    assert officer.get("/api/v1/demands/999999/suggestions").status_code == 404
