"""What the history of completed runs teaches: GET /landstart-history (the history page's
figures, for the zone's staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from mashang.core.bounds import BoundedDate
from mashang.core.errors import ValidationFailed
from mashang.landstart.selectors import LearningFilters, history_learning, learning_check
from mashang.landstart.selectors.learning import (
    MSG_DATES_REVERSED,
    MSG_SEND_BACK_NOTE,
    Distribution,
    Learning,
    UnitFigures,
)

router = Router(tags=["landstart"])


class HistoryQuery(Schema):
    template: str | None = Field(default=None, max_length=40, description="A template's code (every version).")
    date_from: BoundedDate | None = Field(default=None, description="The first award day (the zone's time), inclusive.")
    date_to: BoundedDate | None = Field(default=None, description="The last award day (the zone's time), inclusive.")


class DistributionOut(Schema):
    count: int
    min: float
    median: float
    p90: float = Field(description="The 90th percentile, interpolated between the closest ranks.")
    max: float
    mean: float


class RecordRunOut(Schema):
    run: int
    project: int
    project_number: str
    project_name: str
    template: str
    template_version: int
    awarded_at: datetime
    completed_at: datetime
    total_minutes: float = Field(description="From the award to the run's last step.")
    best_minutes: float = Field(description="The best record so far, this run included.")
    record: bool = Field(description="This run set a new best.")
    step_minutes: dict[str, float] = Field(description="Per step code, from its last activation to done.")
    critical_path: list[str] = Field(description="The actual critical path, first step first.")
    deciding_unit: str = Field(description="The unit whose steps took the most minutes on the critical path.")
    sent_back: list[str] = Field(description="Steps sent back and done again.")


class StepFiguresOut(Schema):
    code: str
    name: str
    unit: str
    unit_name: str
    expected_minutes: int
    minutes: DistributionOut
    runs: int
    critical_runs: int = Field(description="Runs in which the step lay on the actual critical path.")
    critical_share: float


class TemplateFiguresOut(Schema):
    code: str
    name: str
    runs: int
    totals: DistributionOut
    steps: list[StepFiguresOut]


class UnitFiguresOut(Schema):
    unit: str
    unit_name: str
    minutes: DistributionOut
    critical_steps: int
    critical_minutes: float
    critical_share: float = Field(description="Of all the runs' critical minutes, 0…1.")
    decided_runs: int = Field(description="Runs in which its steps took the most minutes on the critical path.")


class HistoryOut(Schema):
    records: list[RecordRunOut]
    best_run: int | None
    templates: list[TemplateFiguresOut]
    units: list[UnitFiguresOut] = Field(description="The runs decided, then the critical minutes, most first.")
    deciding_unit: UnitFiguresOut | None = Field(description="The unit that most often decided the finish.")
    sent_back_runs: int
    note: str


def _distribution(d: Distribution) -> dict[str, Any]:
    return {"count": d.count, "min": d.min, "median": d.median, "p90": d.p90, "max": d.max, "mean": d.mean}


def _unit(u: UnitFigures) -> dict[str, Any]:
    return {
        "unit": u.unit_code,
        "unit_name": u.unit_name,
        "minutes": _distribution(u.minutes),
        "critical_steps": u.critical_steps,
        "critical_minutes": u.critical_minutes,
        "critical_share": u.critical_share,
        "decided_runs": u.decided_runs,
    }


def history_answer(learning: Learning) -> dict[str, Any]:
    return {
        "records": [
            {
                "run": r.run_id,
                "project": r.project_id,
                "project_number": r.project_number,
                "project_name": r.project_name,
                "template": r.template_code,
                "template_version": r.template_version,
                "awarded_at": timezone.localtime(r.awarded_at),
                "completed_at": timezone.localtime(r.completed_at),
                "total_minutes": r.total_minutes,
                "best_minutes": r.best_minutes,
                "record": r.record,
                "step_minutes": r.step_minutes,
                "critical_path": list(r.critical_path),
                "deciding_unit": r.deciding_unit,
                "sent_back": list(r.sent_back),
            }
            for r in learning.records
        ],
        "best_run": learning.best.run_id if learning.best else None,
        "templates": [
            {
                "code": t.code,
                "name": t.name,
                "runs": t.runs,
                "totals": _distribution(t.totals),
                "steps": [
                    {
                        "code": s.code,
                        "name": s.name,
                        "unit": s.unit_code,
                        "unit_name": s.unit_name,
                        "expected_minutes": s.expected_minutes,
                        "minutes": _distribution(s.minutes),
                        "runs": s.runs,
                        "critical_runs": s.critical_runs,
                        "critical_share": round(s.critical_share, 4),
                    }
                    for s in t.steps
                ],
            }
            for t in learning.templates
        ],
        "units": [_unit(u) for u in learning.units],
        "deciding_unit": _unit(learning.deciding) if learning.deciding else None,
        "sent_back_runs": learning.sent_back_runs,
        "note": str(MSG_SEND_BACK_NOTE),
    }


@router.get("/landstart-history", response=HistoryOut)
def landstart_history(request: HttpRequest, q: Query[HistoryQuery]):
    """What the completed runs you may see teach (the zone's staff; an enterprise contact gets
    403): each run's minutes from the award to its last step in award order with the running
    best; per template, each step's minutes (count, min, median, 90th percentile, max, mean)
    and how often it lay on the run's actual critical path; per unit, its steps' minutes, its
    critical minutes and the runs it decided; and the unit that most often decided the finish.
    A step sent back and done again counts from its last activation."""
    learning_check(request.user)
    if q.date_from and q.date_to and q.date_from > q.date_to:
        raise ValidationFailed(MSG_DATES_REVERSED, fields={"date_to": MSG_DATES_REVERSED})
    filters = LearningFilters(template=q.template or None, date_from=q.date_from, date_to=q.date_to)
    return history_answer(history_learning(actor=request.user, filters=filters))
