"""The world of the authorization matrix (``tests/flows/test_authorization_matrix.py``): one of
every kind of object, all of them party A's — the first enterprise's demand, project, land-start
run, commitment, batch, inbox notification and token, a supervision notice on its demand, a
review meeting — and the parties that must not reach them: the other enterprise's contact and
the staff of a unit involved in none of them.

Plain functions (no fixtures): the test module builds the world once, and asks the kit for a
request body that the API's schema accepts, so a refusal is the permission's, not the parser's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from mashang.api.tokens import api_token_issue
from mashang.landstart.models import BundleTemplate, RunStep, StepDocument
from mashang.landstart.services import landstart_award, landstart_step_complete
from mashang.landstart.services.batches import batch_create, batch_run_add
from mashang.landstart.services.commitments import CommitmentTerms
from mashang.notify.models import Notification
from mashang.org.models import User
from tests.kit.factories import CategoryFactory, EnterpriseFactory, UnitFactory, UserFactory
from tests.kit.landstart import AWARD, OPENED, ORDER, Bundle, run_of
from tests.kit.zone import Zone

R = User.Role
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class World:
    zone: Zone
    bundle: Bundle
    outsider: User  # staff of a unit that has nothing to do with any object of the world
    objects: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # username -> bearer token

    def person(self, name: str) -> User:
        return self.outsider if name == "outsider" else getattr(self.zone, name)


def zone_build() -> Zone:
    """The ``zone`` fixture's zone, as a plain function (the world is built once per module)."""
    land = UnitFactory(code="zrzy", name="自然资源分局")
    housing = UnitFactory(code="zjj", name="住房和城乡建设局")
    enterprise = EnterpriseFactory(name="甲企业有限公司")
    other = EnterpriseFactory(name="乙企业有限公司")
    return Zone(
        land=land,
        housing=housing,
        category=CategoryFactory(code="land", name="用地", default_lead_unit=land),
        enterprise=enterprise,
        other_enterprise=other,
        contact=UserFactory(username="ent-a", role=R.ENTERPRISE, enterprise=enterprise),
        other_contact=UserFactory(username="ent-b", role=R.ENTERPRISE, enterprise=other),
        officer=UserFactory(username="officer", role=R.OFFICER),
        land_staff=UserFactory(username="unit-zrzy", role=R.UNIT_STAFF, unit=land),
        housing_staff=UserFactory(username="unit-zjj", role=R.UNIT_STAFF, unit=housing),
        supervisor=UserFactory(username="supervisor", role=R.SUPERVISOR),
        leader=UserFactory(username="leader", role=R.LEADER),
    )


def bundle_build(zone: Zone) -> Bundle:
    """The ``bundle`` fixture's five units, their people, the default template and a project."""
    from mashang.landstart.services import template_install_default

    units = {
        "zrzy": zone.land,
        "zjj": zone.housing,
        "jyzx": UnitFactory(code="jyzx", name="公共资源交易中心"),
        "cz": UnitFactory(code="cz", name="财政局"),
        "sw": UnitFactory(code="sw", name="税务分局"),
    }
    people = {
        "zrzy": zone.land_staff,
        "zjj": zone.housing_staff,
        **{
            code: UserFactory(username=f"unit-{code}", role=R.UNIT_STAFF, unit=units[code])
            for code in ("jyzx", "cz", "sw")
        },
    }
    template, _created = template_install_default(at=OPENED)
    b = Bundle(
        zone=zone,
        units=units,
        people=people,
        admin=UserFactory(username="admin", role=R.ADMIN),
        project=None,  # type: ignore[arg-type]
        template=template,
    )
    b.project = b.make_project(number="XM-2026-0001")
    return b


def world_build() -> World:
    """Every kind of object, party A's, and the people who must not reach them."""
    from mashang.demands.services.attachments import demand_attach
    from mashang.meetings.services import meeting_plan
    from mashang.supervision.services import notice_issue
    from tests.kit.walk import submit, walk_to

    zone = zone_build()
    bundle = bundle_build(zone)
    street = UnitFactory(code="jd", name="街道办")
    outsider = UserFactory(username="unit-jd", role=R.UNIT_STAFF, unit=street)
    w = World(zone=zone, bundle=bundle, outsider=outsider)
    o = w.objects

    # A demand of enterprise A, in progress at natural resources (housing co-handles), with
    # the enterprise's attachment and a supervisor's notice to the lead unit.
    demand = walk_to(zone, "in_progress")
    o["attachment"] = demand_attach(actor=zone.contact, demand_id=demand.pk, files=[pdf()])[0]
    o["notice"] = notice_issue(
        actor=zone.supervisor, demand_id=demand.pk, level="yellow", comment="请今日答复"
    )
    demand.refresh_from_db()
    o["demand"] = demand
    o["keeper"] = submit(zone, title="另一项诉求")
    o["notification"] = Notification.objects.filter(recipient=zone.contact).first() or (
        Notification.objects.create(
            kind="demand.replied", channel="inbox", recipient=zone.contact, subject="已答复"
        )
    )

    # Enterprise A's project, its land-start run (three steps done, the deed tax under a
    # commitment) in a batch, and a document on file for a step.
    o["project"] = bundle.project
    run = run_of(bundle, opened=OPENED)
    batch = batch_create(
        actor=zone.officer, name="第一批", award_from=AWARD.date(), award_to=AWARD.date(), at=OPENED
    )
    batch_run_add(actor=zone.officer, batch_id=batch.pk, run_id=run.pk, at=OPENED)
    batch.refresh_from_db()
    o["batch"] = batch
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=AWARD, at=AWARD)
    for minute, (code, unit) in enumerate(ORDER[:3], start=1):
        landstart_step_complete(
            actor=bundle.people[unit],
            run_id=run.pk,
            step_code=code,
            at=AWARD + timedelta(minutes=minute),
        )
    StepDocument.objects.filter(step__run=run, step__code="deed_tax").delete()
    RunStep.objects.filter(run=run, code="deed_tax").update(allows_commitment=True)
    landstart_step_complete(
        actor=bundle.people["sw"],
        run_id=run.pk,
        step_code="deed_tax",
        at=AWARD + timedelta(minutes=6),
        commitment=CommitmentTerms(promised_by="甲企业有限公司 张三", working_days=2),
    )
    run.refresh_from_db()
    o["run"] = run
    o["step"] = RunStep.objects.filter(run=run, state="active").order_by("id").first()
    o["document"] = StepDocument.objects.filter(step__run=run).order_by("id").first()
    o["commitment"] = RunStep.objects.get(run=run, code="deed_tax").commitments.get()
    o["template"] = BundleTemplate.objects.filter(code=bundle.template.code).latest("version")
    o["category"] = zone.category

    # A review meeting of the supervision office, chaired by a leader.
    o["meeting"] = meeting_plan(
        actor=zone.supervisor,
        title="12 月企业诉求研判会",
        starts_at="2026-12-20T10:00",
        place="管委会 301 会议室",
        chair="leader",
        secretary="supervisor",
        participants=["officer"],
        units=["zrzy", "zjj"],
    )
    from django.utils.timezone import now as timezone_now

    from mashang.routing.rules import RuleSpec
    from mashang.routing.services.rules import rule_create

    o["rule"] = rule_create(
        actor=UserFactory(username="admin-routing", role=R.ADMIN),
        spec=RuleSpec.build(name="园区供电", words=["停电"], lead_unit="zrzy"),
    )

    # A trained classifier's figures (the suggestions' honesty page).
    from mashang.routing.models import Classifier

    o["classifier"] = Classifier.objects.create(
        target="category", version=1, status="active", trained_at=timezone_now(), n_samples=120,
        labels=["land"], macro_f1=0.9, accuracy=0.9, folds=5,
        per_class={"land": {"precision": 0.9, "recall": 0.9, "f1": 0.9, "support": 120}},
        confusion={"labels": ["land"], "matrix": [[120]]},
    )

    # A hot topic of the latest computation (mashang.routing.topics) holding the demand.
    from django.utils import timezone

    from mashang.routing.models import Topic, TopicRun

    now = timezone.now()
    o["topic"] = Topic.objects.create(
        run=TopicRun.objects.create(computed_at=now, window_start=now - timedelta(days=30), window_end=now),
        rank=1, label="停电、供电", terms=["停电", "供电"], heat=10.0, volume=1, previous=0, growth=1.0,
        enterprises=1, demand_ids=[demand.pk], numbers=[demand.number],
    )

    for person in (zone.contact, zone.other_contact, outsider):
        w.tokens[person.username], record = api_token_issue(user=person, label="matrix")
        if person is zone.contact:
            o["token"] = record
    return w


# --- request bodies the schema accepts --------------------------------------------------------


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(schema: dict, components: dict, *, version: int | None = None) -> Any:
    """A value of ``schema`` its validator accepts: required properties only, the first choice
    of an enum, the least length and the least number; ``version`` where a body asks for one."""
    schema = _resolve(schema, components)
    if "anyOf" in schema or "oneOf" in schema:
        options = [s for s in schema.get("anyOf", schema.get("oneOf")) if s.get("type") != "null"]
        return example(options[0], components, version=version) if options else None
    if "allOf" in schema:
        return example(schema["allOf"][0], components, version=version)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if kind == "object":
        body = {}
        for name in schema.get("required", []):
            prop = schema["properties"][name]
            if name == "version" and version is not None:
                body[name] = version
            else:
                body[name] = example(prop, components, version=version)
        if "version" in schema.get("properties", {}) and version is not None:
            body["version"] = version
        return body
    if kind == "array":
        return [example(schema["items"], components) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-12-31"
    if fmt == "date-time":
        return "2026-12-31T10:00:00+08:00"
    return "x" * max(1, schema.get("minLength", 1))
