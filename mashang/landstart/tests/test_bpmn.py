"""Reading a bundle template from a BPMN 2.0 file (mashang.landstart.bpmn).

The files in fixtures/ were drawn with the bpmn.io modeler (see make_default_bundle.py); the
small diagrams below are written out to show one rule each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mashang.core.errors import ValidationFailed
from mashang.landstart import bpmn
from mashang.landstart.bpmn import bpmn_bundle_read, parse_bpmn
from mashang.landstart.dag import MSG_CYCLE, MSG_UNKNOWN_UNIT
from mashang.landstart.default_bundle import DEFAULT_NAME, DEFAULT_STEPS
from mashang.landstart.models import BundleTemplate
from mashang.landstart.services import template_create

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def dag_of(steps) -> dict:
    """What makes two bundles the same: per code, its unit, prerequisites (as a set), minutes,
    pre-review flag, name and document."""
    return {
        s.code: (s.unit, frozenset(s.prerequisites), s.expected_minutes, s.pre_reviewable, s.name, s.document)
        for s in steps
    }


def refused(data: bytes) -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse_bpmn(data)
    assert list(caught.value.fields) == ["file"]
    assert caught.value.fields["file"] == [caught.value.message]
    return caught.value.message


def diagram(body: str, lanes: str = "", *, process_attrs: str = 'id="P" name="小包"') -> bytes:
    """A one-pool BPMN file whose process holds ``lanes`` (a laneSet's lanes) and ``body``."""
    lane_set = f'<bpmn:laneSet id="LS">{lanes}</bpmn:laneSet>' if lanes else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:mashang="{bpmn.NAMESPACE}" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process {process_attrs} isExecutable="false">
    {lane_set}
    <bpmn:startEvent id="start"/>
    {body}
  </bpmn:process>
</bpmn:definitions>""".encode()


def flow(source: str, target: str, extra: str = "") -> str:
    return f'<bpmn:sequenceFlow id="f_{source}_{target}" sourceRef="{source}" targetRef="{target}">{extra}</bpmn:sequenceFlow>'


def lane(name: str, *refs: str, attrs: str = "") -> str:
    nodes = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs)
    return f'<bpmn:lane id="lane_{name or "x"}" name="{name}" {attrs}>{nodes}</bpmn:lane>'


# --- the file drawn in the modeler ----------------------------------------------------------


def test_the_modeler_file_gives_the_same_dag_as_the_built_in_default_bundle():
    bundle = bpmn_bundle_read(fixture("default_bundle.bpmn"))

    assert dag_of(bundle.steps) == dag_of(DEFAULT_STEPS)
    assert bundle.name == DEFAULT_NAME
    # Read left to right as drawn: the award's step first, the construction permit last.
    assert bundle.steps[0].code == "confirmation"
    assert bundle.steps[-1].code == "construction_permit"


def test_the_modeler_file_is_what_a_modeler_writes():
    text = fixture("default_bundle.bpmn").decode()

    assert 'exporter="bpmn-js (https://bpmn.io)"' in text
    assert "<bpmndi:BPMNDiagram" in text and "<bpmndi:BPMNShape" in text and "<bpmndi:BPMNEdge" in text
    assert text.count("<bpmn:parallelGateway") == 2
    assert text.count("<bpmn:lane ") == 5
    assert f'xmlns:mashang="{bpmn.NAMESPACE}"' in text


def test_a_unit_code_the_zone_does_not_have_is_read_as_it_is_drawn():
    steps = {s.code: s for s in parse_bpmn(fixture("default_bundle_unknown_unit.bpmn"))}

    assert steps["deed_tax"].unit == "dishui"  # template_create is the one that refuses it


@pytest.mark.django_db
def test_the_imported_default_bundle_saves_as_a_template_like_the_built_in_one(bundle):
    template = template_create(
        actor=bundle.admin,
        code="from-bpmn",
        name=bpmn_bundle_read(fixture("default_bundle.bpmn")).name,
        award_unit_code="jyzx",
        steps=parse_bpmn(fixture("default_bundle.bpmn")),
    )

    def saved(t: BundleTemplate) -> dict:
        return {
            s.code: (s.unit.code, frozenset(s.prerequisites), s.expected_minutes, s.pre_reviewable)
            for s in t.steps.all()
        }

    assert saved(template) == saved(bundle.template)


@pytest.mark.django_db
def test_a_bpmn_file_with_an_unknown_unit_is_refused_naming_the_unit(bundle):
    with pytest.raises(ValidationFailed) as caught:
        template_create(
            actor=bundle.admin,
            code="from-bpmn",
            name="导入",
            award_unit_code="jyzx",
            steps=parse_bpmn(fixture("default_bundle_unknown_unit.bpmn")),
        )

    expected = str(MSG_UNKNOWN_UNIT).format(step="deed_tax", unit="dishui")
    assert caught.value.fields["steps"] == [expected]
    assert "dishui" in caught.value.message
    assert not BundleTemplate.objects.filter(code="from-bpmn").exists()


@pytest.mark.django_db
def test_a_cyclic_bpmn_file_is_refused_naming_the_cycle(bundle):
    steps = parse_bpmn(fixture("default_bundle_cyclic.bpmn"))
    assert set(next(s for s in steps if s.code == "land_use_permit").prerequisites) == {
        "land_contract",
        "works_permit",
    }

    with pytest.raises(ValidationFailed) as caught:
        template_create(actor=bundle.admin, code="loop", name="环", award_unit_code="jyzx", steps=steps)

    cycle = str(MSG_CYCLE).format(cycle=" → ".join(["land_use_permit", "works_permit", "land_use_permit"]))
    assert caught.value.fields["steps"] == [cycle]


# --- the mapping, one rule at a time ----------------------------------------------------------


def test_gateways_are_looked_through_for_prerequisites():
    body = "".join(
        [
            '<bpmn:task id="a" name="甲"/><bpmn:task id="b" name="乙"/>',
            '<bpmn:task id="c" name="丙"/><bpmn:task id="d" name="丁"/><bpmn:task id="e" name="戊"/>',
            '<bpmn:parallelGateway id="split"/><bpmn:parallelGateway id="join"/>',
            '<bpmn:parallelGateway id="join2"/><bpmn:endEvent id="end"/>',
            flow("start", "split"),
            flow("split", "a"),
            flow("split", "b"),
            flow("a", "join"),
            flow("b", "join"),
            flow("join", "c"),
            # a join right after a split: d needs c, and e needs c too
            '<bpmn:parallelGateway id="split2"/>',
            flow("c", "split2"),
            flow("split2", "d"),
            flow("split2", "e"),
            flow("d", "join2"),
            flow("e", "join2"),
            flow("join2", "end"),
        ]
    )
    steps = parse_bpmn(diagram(body, lane("zrzy", "a", "b", "c", "d", "e")))

    assert {s.code: set(s.prerequisites) for s in steps} == {
        "a": set(),
        "b": set(),
        "c": {"a", "b"},
        "d": {"c"},
        "e": {"c"},
    }


def test_every_kind_of_task_is_a_step_and_events_are_not():
    kinds = ["task", "userTask", "manualTask", "serviceTask", "sendTask", "receiveTask", "businessRuleTask"]
    body = "".join(f'<bpmn:{k} id="t{i}" name="{k}"/>' for i, k in enumerate(kinds))
    chain = ["start", *(f"t{i}" for i in range(len(kinds))), "end"]
    body += '<bpmn:endEvent id="end"/>' + "".join(flow(a, b) for a, b in zip(chain, chain[1:], strict=False))
    steps = parse_bpmn(diagram(body, lane("cz", *chain)))

    assert [s.name for s in steps] == kinds
    assert steps[3].prerequisites == ("t2",)


def test_the_unit_attribute_wins_over_the_lane_and_a_lane_without_name_gives_its_id():
    body = (
        '<bpmn:task id="a" name="甲" mashang:unit="sw"/><bpmn:task id="b" name="乙"/>'
        '<bpmn:task id="c" name="丙"/>' + flow("start", "a") + flow("a", "b") + flow("b", "c")
    )
    lanes = (
        lane("cz", "a", "b")
        + '<bpmn:lane id="zjj"><bpmn:flowNodeRef>c</bpmn:flowNodeRef></bpmn:lane>'
    )
    steps = {s.code: s.unit for s in parse_bpmn(diagram(body, lanes))}

    assert steps == {"a": "sw", "b": "cz", "c": "zjj"}


def test_a_lane_can_be_named_for_people_and_give_its_unit_in_the_attribute():
    body = '<bpmn:task id="a" name="甲"/>' + flow("start", "a")
    steps = parse_bpmn(diagram(body, lane("自然资源分局", "a", attrs='mashang:unit="zrzy"')))

    assert steps[0].unit == "zrzy"


def test_the_innermost_lane_names_the_unit():
    body = '<bpmn:task id="a" name="甲"/>' + flow("start", "a")
    lanes = (
        '<bpmn:lane id="outer" name="zone"><bpmn:flowNodeRef>a</bpmn:flowNodeRef>'
        f'<bpmn:childLaneSet id="inner_set">{lane("cz", "a")}</bpmn:childLaneSet></bpmn:lane>'
    )

    assert parse_bpmn(diagram(body, lanes))[0].unit == "cz"


def test_code_minutes_pre_review_and_document_come_from_the_extension_attributes():
    body = (
        '<bpmn:task id="Activity_0x1y" name=" 成交\n确认书 " mashang:code="confirm" mashang:minutes="7"'
        ' mashang:preReviewable="TRUE" mashang:document="成交确认书"/>'
        '<bpmn:task id="Activity_Second.Step" name="出让合同"/>'
        + flow("start", "Activity_0x1y")
        + flow("Activity_0x1y", "Activity_Second.Step")
    )
    first, second = parse_bpmn(diagram(body, lane("jyzx", "Activity_0x1y", "Activity_Second.Step")))

    assert first == bpmn.StepSpec(
        code="confirm",
        name="成交 确认书",
        unit="jyzx",
        expected_minutes=7,
        pre_reviewable=True,
        document="成交确认书",
    )
    # Without the attributes: the id made into a slug, no minutes, not pre-reviewable.
    assert (second.code, second.prerequisites, second.expected_minutes, second.pre_reviewable) == (
        "activity_secondstep",
        ("confirm",),
        0,
        False,
    )


def test_the_bundle_name_is_the_process_name_else_the_pool_name():
    assert bpmn_bundle_read(diagram('<bpmn:task id="a"/>' + flow("start", "a"), lane("cz", "a"))).name == "小包"
    with_pool = diagram(
        '<bpmn:task id="a"/>' + flow("start", "a"), lane("cz", "a"), process_attrs='id="P"'
    ).replace(
        b"<bpmn:process",
        b'<bpmn:collaboration id="C"><bpmn:participant id="pool" name="\xe6\xb1\xa0" processRef="P"/>'
        b"</bpmn:collaboration><bpmn:process",
    )
    assert bpmn_bundle_read(with_pool).name == "池"


# --- refused files -------------------------------------------------------------------------


def test_a_file_that_is_not_xml_is_refused():
    assert refused(b"%PDF-1.7 not a diagram") == str(bpmn.MSG_NOT_XML)
    assert refused(b"") == str(bpmn.MSG_NOT_XML)


def test_xml_that_is_not_bpmn_is_refused():
    assert refused(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>') == str(bpmn.MSG_NOT_BPMN)


def test_a_file_over_2_mb_is_refused_before_it_is_read():
    assert refused(b" " * (bpmn.MAX_BYTES + 1)) == str(bpmn.MSG_TOO_LARGE)


def test_a_bpmn_file_without_a_process_is_refused():
    empty = b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D"/>'
    assert refused(empty) == str(bpmn.MSG_NO_PROCESS)
    assert refused(diagram("")) == str(bpmn.MSG_NO_TASKS)


def test_an_exclusive_gateway_is_refused_by_name():
    body = (
        '<bpmn:task id="a" name="甲"/><bpmn:task id="b" name="乙"/><bpmn:task id="c" name="丙"/>'
        '<bpmn:exclusiveGateway id="xor" name="是否缴清？"/><bpmn:inclusiveGateway id="or"/>'
        + flow("start", "a")
        + flow("a", "xor")
        + flow("xor", "b")
        + flow("xor", "c")
    )
    message = refused(diagram(body, lane("cz", "a", "b", "c")))

    assert message == str(bpmn.MSG_UNSUPPORTED).format(
        elements="; ".join(
            [
                str(bpmn.MSG_ELEMENT).format(kind=bpmn._REFUSED["exclusiveGateway"], label="是否缴清？ (xor)"),
                str(bpmn.MSG_ELEMENT).format(kind=bpmn._REFUSED["inclusiveGateway"], label="or"),
            ]
        )
    )


@pytest.mark.parametrize(
    ("element", "kind"),
    [
        ('<bpmn:subProcess id="x" name="子流程"><bpmn:task id="inner"/></bpmn:subProcess>', "subProcess"),
        ('<bpmn:callActivity id="x" name="子流程"/>', "callActivity"),
        ('<bpmn:intermediateCatchEvent id="x" name="子流程"><bpmn:timerEventDefinition/></bpmn:intermediateCatchEvent>',
         "intermediateCatchEvent"),
        ('<bpmn:eventBasedGateway id="x" name="子流程"/>', "eventBasedGateway"),
        ('<bpmn:complexGateway id="x" name="子流程"/>', "complexGateway"),
        ('<bpmn:boundaryEvent id="x" name="子流程" attachedToRef="a"><bpmn:timerEventDefinition/></bpmn:boundaryEvent>',
         "boundaryEvent"),
    ],
)
def test_other_elements_mashang_cannot_run_are_refused_by_name(element, kind):
    body = '<bpmn:task id="a" name="甲"/>' + element + flow("start", "a")
    message = refused(diagram(body, lane("cz", "a")))

    assert message == str(bpmn.MSG_UNSUPPORTED).format(
        elements=str(bpmn.MSG_ELEMENT).format(kind=bpmn._REFUSED[kind], label="子流程 (x)")
    )


def test_conditional_flows_and_repeated_tasks_are_refused():
    conditional = (
        '<bpmn:task id="a" name="甲"/>'
        + flow("start", "a", '<bpmn:conditionExpression>paid</bpmn:conditionExpression>')
    )
    assert "f_start_a" in refused(diagram(conditional, lane("cz", "a")))

    loop = (
        '<bpmn:task id="a" name="甲"><bpmn:multiInstanceLoopCharacteristics>'
        "<bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:task>"
        + flow("start", "a")
    )
    assert refused(diagram(loop, lane("cz", "a"))) == str(bpmn.MSG_UNSUPPORTED).format(
        elements=str(bpmn.MSG_ELEMENT).format(kind=bpmn.KIND_REPEATED_TASK, label="甲 (a)")
    )


def test_a_task_without_a_unit_is_refused_by_name():
    body = '<bpmn:task id="a" name="甲" mashang:unit="cz"/><bpmn:task id="b" name="乙"/>'
    message = refused(diagram(body + flow("start", "a") + flow("a", "b")))

    assert message == str(bpmn.MSG_NO_UNIT).format(task="乙 (b)")


def test_several_flows_into_or_out_of_a_task_need_a_parallel_gateway():
    into = (
        '<bpmn:task id="a" name="甲"/><bpmn:task id="b" name="乙"/><bpmn:task id="c" name="丙"/>'
        '<bpmn:parallelGateway id="g"/>'
        + flow("start", "g") + flow("g", "a") + flow("g", "b") + flow("a", "c") + flow("b", "c")
    )
    assert refused(diagram(into, lane("cz", "a", "b", "c"))) == str(bpmn.MSG_SEVERAL_INCOMING).format(task="丙 (c)")

    out = (
        '<bpmn:task id="a" name="甲"/><bpmn:task id="b" name="乙"/><bpmn:task id="c" name="丙"/>'
        + flow("start", "a") + flow("a", "b") + flow("a", "c")
    )
    assert refused(diagram(out, lane("cz", "a", "b", "c"))) == str(bpmn.MSG_SEVERAL_OUTGOING).format(task="甲 (a)")


def test_a_task_not_reached_from_the_start_event_is_refused():
    body = '<bpmn:task id="a" name="甲"/><bpmn:task id="b" name="乙"/>' + flow("start", "a")

    assert refused(diagram(body, lane("cz", "a", "b"))) == str(bpmn.MSG_NOT_CONNECTED).format(task="乙 (b)")


def test_a_process_without_a_start_event_is_refused():
    data = diagram('<bpmn:task id="a" name="甲"/>', lane("cz", "a")).replace(b'<bpmn:startEvent id="start"/>', b"")

    assert refused(data) == str(bpmn.MSG_NO_START)


def test_bad_attribute_values_are_refused_naming_the_task():
    def one(attrs: str) -> bytes:
        return diagram(f'<bpmn:task id="a" name="甲" {attrs}/>' + flow("start", "a"), lane("cz", "a"))

    assert refused(one('mashang:minutes="五"')) == str(bpmn.MSG_BAD_MINUTES).format(task="甲 (a)", value="五", limit=100000)
    assert refused(one('mashang:minutes="-3"')) == str(bpmn.MSG_BAD_MINUTES).format(task="甲 (a)", value="-3", limit=100000)
    assert refused(one('mashang:preReviewable="maybe"')) == str(bpmn.MSG_BAD_FLAG).format(
        task="甲 (a)", value="maybe"
    )
    assert refused(one('mashang:code="成交"')) == str(bpmn.MSG_BAD_CODE).format(task="甲 (a)")


def test_two_tasks_with_one_code_are_refused():
    body = (
        '<bpmn:task id="a" name="甲" mashang:code="same"/><bpmn:task id="b" name="乙" mashang:code="same"/>'
        + flow("start", "a") + flow("a", "b")
    )
    assert refused(diagram(body, lane("cz", "a", "b"))) == str(bpmn.MSG_DUPLICATE_CODE).format(code="same")


def test_two_pools_with_tasks_are_refused():
    data = diagram('<bpmn:task id="a" name="甲"/>' + flow("start", "a"), lane("cz", "a")).replace(
        b"</bpmn:definitions>",
        b'<bpmn:process id="Q" name="second"><bpmn:startEvent id="s2"/><bpmn:task id="q"/></bpmn:process>'
        b"</bpmn:definitions>",
    )
    assert refused(data) == str(bpmn.MSG_SEVERAL_PROCESSES).format(names="小包 (P)、second (Q)")


def test_external_entities_are_not_loaded():
    data = diagram('<bpmn:task id="a" name="&secret;"/>' + flow("start", "a"), lane("cz", "a")).replace(
        b"<bpmn:definitions",
        b'<!DOCTYPE definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions',
        1,
    )
    assert refused(data) == str(bpmn.MSG_NOT_XML)


def test_the_limits_of_a_template_are_kept():
    def one(attrs: str) -> bytes:
        return diagram(f'<bpmn:task id="a" {attrs}/>' + flow("start", "a"), lane("cz", "a"))

    long = "长" * (bpmn.MAX_TEXT + 1)
    assert refused(one(f'name="{long}"')) == str(bpmn.MSG_NAME_TOO_LONG).format(task=f"{long} (a)", limit=200)
    assert refused(one(f'name="甲" mashang:document="{long}"')) == str(bpmn.MSG_DOCUMENT_TOO_LONG).format(
        task="甲 (a)", limit=200
    )
    assert refused(one('name="甲" mashang:minutes="100001"')) == str(bpmn.MSG_BAD_MINUTES).format(
        task="甲 (a)", value="100001", limit=100000
    )
    assert parse_bpmn(one('name="甲" mashang:minutes="100000"'))[0].expected_minutes == 100000

    many = "".join(f'<bpmn:task id="t{i}"/>' for i in range(bpmn.MAX_TASKS + 1))
    assert refused(diagram(many, lane("cz", "t0"))) == str(bpmn.MSG_TOO_MANY_TASKS).format(count=101, limit=100)


def test_a_long_chain_of_tasks_and_gateways_is_read():
    n = bpmn.MAX_TASKS
    body = "".join(f'<bpmn:task id="t{i}"/><bpmn:parallelGateway id="g{i}"/>' for i in range(n))
    chain = ["start", *(x for i in range(n) for x in (f"g{i}", f"t{i}"))]
    body += "".join(flow(a, b) for a, b in zip(chain, chain[1:], strict=False))
    steps = parse_bpmn(diagram(body, lane("cz", *(f"t{i}" for i in range(n)))))

    assert len(steps) == n
    assert steps[-1].prerequisites == (f"t{n - 2}",)


@pytest.mark.parametrize("reserved", ["Start", "End", "P.EndJoin"])
def test_the_ids_the_bpmn_library_keeps_for_itself_are_refused(reserved):
    body = f'<bpmn:task id="a" name="甲"/><bpmn:task id="{reserved}" name="乙"/>' + flow("start", "a")
    body += flow("a", reserved)

    assert refused(diagram(body, lane("cz", "a", reserved))) == str(bpmn.MSG_RESERVED_ID).format(
        label=f"乙 ({reserved})", id=reserved
    )
