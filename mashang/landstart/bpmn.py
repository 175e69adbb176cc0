"""Read a land-start bundle template from a BPMN 2.0 file drawn in a standard modeler.

The file is parsed by SpiffWorkflow's BPMN parser (a maintained BPMN library); this module
only turns its task specs into our :class:`StepSpec` and refuses what a bundle cannot be.

The mapping (documented for users in docs/domain.md, "Importing a bundle from BPMN"):

- every task (``bpmn:task``, ``userTask``, ``manualTask``, ``serviceTask``, ``sendTask``,
  ``receiveTask``, ``scriptTask``, ``businessRuleTask``) is a step; start and end events are
  ignored;
- its code is the attribute ``mashang:code``, else its element id made into a slug;
- its name is the task's name (its code when it has none);
- its unit is the attribute ``mashang:unit`` on the task, else that of the innermost lane
  holding it: the lane's ``mashang:unit``, else the lane's name, else the lane's id;
- its prerequisites are the tasks that sequence flows lead from, looked for *through*
  parallel gateways (a join of A and B feeding C: C needs A and B; a split of A feeding C
  and D: both need A);
- ``mashang:minutes`` (whole minutes), ``mashang:preReviewable`` (true/false) and
  ``mashang:document`` (the document the step yields) fill in the rest,

where the prefix ``mashang`` stands for the namespace :data:`NAMESPACE`.

Whether the units exist and whether the prerequisites form a cycle is not checked here: the
template service checks both against the database when the template is created.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from lxml import etree
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.parser.ProcessParser import ProcessParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.specs.defaults import ManualTask, NoneTask, ServiceTask, UserTask
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from mashang.core.errors import ValidationFailed
from mashang.landstart.dag import CODE_PATTERN
from mashang.landstart.specs import StepSpec

NAMESPACE = "https://mashang.example/bpmn"
MAX_BYTES = 2 * 1024 * 1024
# The limits of a template's fields (as POST /landstart-templates has them).
MAX_TASKS = 100
MAX_MINUTES = 100_000
MAX_TEXT = 200  # a step's name and document, a template's name

BPMN_NAMESPACE = "http://www.omg.org/spec/BPMN/20100524/MODEL"

MSG_TOO_LARGE = _("The file is larger than 2 MB; a bundle's BPMN file is far smaller.")
MSG_NOT_XML = _(
    "The file is not XML: export the diagram from the modeler as a BPMN 2.0 file (.bpmn)."
)
MSG_NOT_BPMN = _("The file is XML but not BPMN 2.0: its root element must be bpmn:definitions.")
MSG_NO_PROCESS = _("The file holds no process: draw the bundle's tasks in a pool.")
MSG_SEVERAL_PROCESSES = _(
    "The file holds several processes ({names}): draw the whole bundle in one pool."
)
MSG_NO_TASKS = _("The process has no tasks: every step of the bundle is a task.")
MSG_TOO_MANY_TASKS = _("The process has {count} tasks; a bundle has at most {limit}.")
MSG_NO_START = _("The process has no start event: begin the bundle with one.")
MSG_UNSUPPORTED = _(
    "A bundle is made of tasks joined by sequence flows and parallel gateways; "
    "remove these elements, which mashang cannot run: {elements}."
)
MSG_ELEMENT = _("{kind} “{label}”")
MSG_NOT_CONNECTED = _("Task “{task}” is not connected to the start event by sequence flows.")
MSG_SEVERAL_INCOMING = _(
    "Task “{task}” has several incoming sequence flows: join them with a parallel gateway "
    "so that it waits for all of them."
)
MSG_SEVERAL_OUTGOING = _(
    "Task “{task}” has several outgoing sequence flows: split them with a parallel gateway."
)
MSG_NO_UNIT = _(
    "Task “{task}” has no unit: put it in a lane named by the unit's code, "
    "or give it the attribute mashang:unit."
)
MSG_BAD_CODE = _(
    "Task “{task}” has no usable code: give it the attribute mashang:code "
    "(at most 40 letters, digits, “_” and “-”)."
)
MSG_DUPLICATE_CODE = _("Two tasks have the code “{code}”: give each task its own.")
MSG_BAD_MINUTES = _(
    "Task “{task}”: mashang:minutes must be a whole number of minutes from 0 to {limit}, "
    "not “{value}”."
)
MSG_NAME_TOO_LONG = _("Task “{task}”: the name is longer than {limit} characters.")
MSG_DOCUMENT_TOO_LONG = _("Task “{task}”: mashang:document is longer than {limit} characters.")
MSG_BAD_FLAG = _("Task “{task}”: mashang:preReviewable must be true or false, not “{value}”.")
MSG_RESERVED_ID = _("Give the element “{label}” another id: the id “{id}” is reserved.")
MSG_UNREADABLE = _("The BPMN file cannot be read: {detail}")

# What a bundle is made of. Everything else that can carry a token is refused by name;
# annotations, groups, data objects and the like are drawing only and are ignored.
_TASKS = {
    "task": NoneTask,
    "userTask": UserTask,
    "manualTask": ManualTask,
    "serviceTask": ServiceTask,
    "sendTask": NoneTask,
    "receiveTask": NoneTask,
    "scriptTask": NoneTask,
    "businessRuleTask": NoneTask,
}
_REFUSED = {
    "exclusiveGateway": _("exclusive gateway"),
    "inclusiveGateway": _("inclusive gateway"),
    "eventBasedGateway": _("event-based gateway"),
    "complexGateway": _("complex gateway"),
    "subProcess": _("sub-process"),
    "adHocSubProcess": _("ad-hoc sub-process"),
    "transaction": _("transaction"),
    "callActivity": _("call activity"),
    "intermediateCatchEvent": _("intermediate event"),
    "intermediateThrowEvent": _("intermediate event"),
    "boundaryEvent": _("boundary event"),
}
KIND_CONDITIONAL_FLOW = _("conditional sequence flow")
KIND_REPEATED_TASK = _("repeated task (loop or multi-instance)")


@dataclass(frozen=True)
class BpmnBundle:
    """What a BPMN file says about a bundle: its name (the process's) and its steps."""

    name: str
    steps: tuple[StepSpec, ...]


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _ours(node, attribute: str) -> str | None:
    value = node.get(f"{{{NAMESPACE}}}{attribute}")
    return None if value is None else value.strip()


def _label(node) -> str:
    name = " ".join((node.get("name") or "").split())
    node_id = node.get("id") or ""
    return f"{name} ({node_id})" if name and node_id else name or node_id


def _refuse(message) -> ValidationFailed:
    return ValidationFailed(str(message), fields={"file": str(message)})


class _StepTaskParser(TaskParser):
    """A task of the bundle: our extension attributes become the spec's ``extensions``."""

    def parse_extensions(self, node=None):
        node = self.node if node is None else node
        found = {}
        for name in ("code", "unit", "minutes", "preReviewable", "document"):
            value = _ours(node, name)
            if value is not None:
                found[name] = value
        return found

    def handles_multiple_outgoing(self):
        # Let SpiffWorkflow build the graph; _steps() then says what to do, naming the task.
        return True


class _BundleProcessParser(ProcessParser):
    """A pool of a bundle: drawn to be read, not executed, so ``isExecutable`` (bpmn.io's
    default is false) does not matter; a task's lane answers with the unit it names."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.process_executable = True
        self.units_by_node_id: dict[str, str] = {}
        # Document order: a nested lane comes after its parent, so the innermost lane wins.
        for lane in self.xpath(".//bpmn:lane"):
            unit = _ours(lane, "unit") or (lane.get("name") or "").strip() or lane.get("id")
            for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=self.nsmap):
                if ref.text:
                    self.units_by_node_id[ref.text.strip()] = unit

    def get_lane_name(self, node_id):
        return self.units_by_node_id.get(node_id)


class _BundleParser(BpmnParser):
    PROCESS_PARSER_CLASS = _BundleProcessParser
    OVERRIDE_PARSER_CLASSES = {
        full_tag(tag): (_StepTaskParser, spec_class) for tag, spec_class in _TASKS.items()
    }


def _read_xml(data: bytes):
    if len(data) > MAX_BYTES:
        raise _refuse(MSG_TOO_LARGE)
    # No DTD, no entities, no network: the file comes from outside.
    xml_parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=xml_parser)
    except (etree.XMLSyntaxError, ValueError):
        raise _refuse(MSG_NOT_XML) from None
    if root is None:
        raise _refuse(MSG_NOT_XML)
    if root.tag != f"{{{BPMN_NAMESPACE}}}definitions":
        raise _refuse(MSG_NOT_BPMN)
    return root


def _refused_elements(process: _BundleProcessParser) -> list[str]:
    refused = []
    for node in process.nodes_by_id.values():
        tag = _local(node.tag)
        if node.tag.startswith(f"{{{BPMN_NAMESPACE}}}") and tag in _REFUSED:
            kind = _REFUSED[tag]
        elif tag == "sequenceFlow" and node.find(f"{{{BPMN_NAMESPACE}}}conditionExpression") is not None:
            kind = KIND_CONDITIONAL_FLOW
        else:
            continue
        refused.append(str(MSG_ELEMENT).format(kind=kind, label=_label(node)))
    return refused


def _process(parser: _BundleParser) -> _BundleProcessParser:
    task_tags = {full_tag(tag) for tag in _TASKS} | {full_tag(tag) for tag in _REFUSED}
    with_tasks = [
        p
        for p in parser.process_parsers.values()
        if any(node.tag in task_tags for node in p.nodes_by_id.values())
    ]
    if len(with_tasks) > 1:
        names = "、".join(_label(p.node) for p in with_tasks)
        raise _refuse(str(MSG_SEVERAL_PROCESSES).format(names=names))
    if not with_tasks:
        raise _refuse(MSG_NO_TASKS if parser.process_parsers else MSG_NO_PROCESS)
    return with_tasks[0]


def _bundle_name(process: _BundleProcessParser, root) -> str:
    name = (process.node.get("name") or "").strip()
    if not name:
        for participant in root.iter(f"{{{BPMN_NAMESPACE}}}participant"):
            if participant.get("processRef") == process.bpmn_id:
                name = (participant.get("name") or "").strip()
                break
    # Only a default: the person importing may give another. Cut to what a template holds.
    return " ".join(name.split())[:MAX_TEXT]


def _code(task_spec, node) -> str:
    code = task_spec.extensions.get("code") or slugify(node.get("id") or "")
    if not CODE_PATTERN.fullmatch(code):
        raise _refuse(str(MSG_BAD_CODE).format(task=_label(node)))
    return code


def _minutes(task_spec, node) -> int:
    value = task_spec.extensions.get("minutes", "0")
    if not value.isascii() or not value.isdigit() or int(value) > MAX_MINUTES:
        message = str(MSG_BAD_MINUTES).format(task=_label(node), value=value, limit=MAX_MINUTES)
        raise _refuse(message)
    return int(value)


def _text(value: str, node, message) -> str:
    text = " ".join(value.split())
    if len(text) > MAX_TEXT:
        raise _refuse(str(message).format(task=_label(node), limit=MAX_TEXT))
    return text


def _flag(task_spec, node) -> bool:
    value = task_spec.extensions.get("preReviewable", "false")
    if value.lower() not in {"true", "false"}:
        raise _refuse(str(MSG_BAD_FLAG).format(task=_label(node), value=value))
    return value.lower() == "true"


def _prerequisites(task_spec, step_ids: set[str]) -> set[str]:
    """The steps right before this one, looking through gateways and events."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = list(task_spec.inputs)
    while stack:
        spec = stack.pop()
        if spec.name in seen:
            continue
        seen.add(spec.name)
        if spec.name in step_ids:
            found.add(spec.name)
        else:
            stack.extend(spec.inputs)
    return found


def _steps(process: _BundleProcessParser) -> tuple[StepSpec, ...]:
    nodes = {
        node_id: node
        for node_id, node in process.nodes_by_id.items()
        if _local(node.tag) in _TASKS and node.tag.startswith(f"{{{BPMN_NAMESPACE}}}")
    }
    if len(nodes) > MAX_TASKS:  # before the library walks the graph (recursively)
        raise _refuse(str(MSG_TOO_MANY_TASKS).format(count=len(nodes), limit=MAX_TASKS))
    # The names SpiffWorkflow gives its own specs of a process (BpmnProcessSpec).
    for reserved in ("Start", "End", f"{process.bpmn_id}.EndJoin"):
        if reserved in process.nodes_by_id:
            label = _label(process.nodes_by_id[reserved])
            raise _refuse(str(MSG_RESERVED_ID).format(label=label, id=reserved))
    spec = process.get_spec()
    for node_id, node in nodes.items():
        if node_id not in spec.task_specs:
            raise _refuse(str(MSG_NOT_CONNECTED).format(task=_label(node)))
    repeated = [
        str(MSG_ELEMENT).format(kind=KIND_REPEATED_TASK, label=_label(node))
        for node_id, node in nodes.items()
        if isinstance(spec.task_specs[node_id], LoopTask)
    ]
    if repeated:
        raise _refuse(str(MSG_UNSUPPORTED).format(elements="; ".join(repeated)))

    step_ids = set(nodes)
    codes: dict[str, str] = {}
    for node_id, node in nodes.items():
        task_spec = spec.task_specs[node_id]
        if len(task_spec.inputs) > 1:
            raise _refuse(str(MSG_SEVERAL_INCOMING).format(task=_label(node)))
        if len(task_spec.outputs) > 1:
            raise _refuse(str(MSG_SEVERAL_OUTGOING).format(task=_label(node)))
        code = _code(task_spec, node)
        if code in codes.values():
            raise _refuse(str(MSG_DUPLICATE_CODE).format(code=code))
        codes[node_id] = code

    steps = []
    for node_id, node in nodes.items():
        task_spec = spec.task_specs[node_id]
        unit = task_spec.extensions.get("unit") or task_spec.lane
        if not unit:
            raise _refuse(str(MSG_NO_UNIT).format(task=_label(node)))
        position = process.get_position(node_id)
        steps.append(
            (
                (position["x"], position["y"]),
                StepSpec(
                    code=codes[node_id],
                    name=_text(task_spec.bpmn_name or "", node, MSG_NAME_TOO_LONG) or codes[node_id],
                    unit=unit,
                    prerequisites=tuple(
                        sorted(codes[i] for i in _prerequisites(task_spec, step_ids))
                    ),
                    expected_minutes=_minutes(task_spec, node),
                    pre_reviewable=_flag(task_spec, node),
                    document=_text(
                        task_spec.extensions.get("document", ""), node, MSG_DOCUMENT_TOO_LONG
                    ),
                ),
            )
        )
    # Left to right as drawn: the order a person reads the diagram in.
    return tuple(step for _, step in sorted(steps, key=lambda item: item[0]))


def bpmn_bundle_read(data: bytes) -> BpmnBundle:
    """The bundle a BPMN 2.0 file describes; ValidationFailed (field ``file``) if it cannot be one."""
    root = _read_xml(data)
    parser = _BundleParser()
    try:
        parser.add_bpmn_xml(root)
        process = _process(parser)
        refused = _refused_elements(process)
        if refused:
            raise _refuse(str(MSG_UNSUPPORTED).format(elements="; ".join(refused)))
        if not process.xpath("./bpmn:startEvent"):
            raise _refuse(MSG_NO_START)
        steps = _steps(process)
    except ValidationFailed:
        raise
    except SpiffWorkflowException as exc:
        # The library's own words (English), with the element they are about.
        detail = str(exc)
        where = " ".join(p for p in (getattr(exc, "tag", ""), getattr(exc, "id", "")) if p)
        message = str(MSG_UNREADABLE).format(detail=f"{detail} ({where})" if where else detail)
        raise _refuse(message) from exc
    except Exception as exc:  # noqa: BLE001 - an odd file must give a 422, never a 500
        raise _refuse(str(MSG_UNREADABLE).format(detail=exc.__class__.__name__)) from exc
    return BpmnBundle(name=_bundle_name(process, root), steps=steps)


def parse_bpmn(data: bytes) -> list[StepSpec]:
    """The steps of the bundle a BPMN 2.0 file describes (see :func:`bpmn_bundle_read`)."""
    return list(bpmn_bundle_read(data).steps)


__all__ = ["BpmnBundle", "MAX_BYTES", "NAMESPACE", "bpmn_bundle_read", "parse_bpmn"]
