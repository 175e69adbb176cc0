"""Reference data for API clients: the categories a demand may have and the units it may go to."""

from __future__ import annotations

from decimal import Decimal

from ninja import Router, Schema

from mashang.org.selectors import category_list, unit_list

router = Router(tags=["reference"])


class CategoryOut(Schema):
    code: str
    name: str
    hint: str
    default_lead_unit: str | None
    triage_hours: Decimal
    first_response_hours: Decimal
    interim_reply_days: Decimal
    resolution_days: Decimal


class UnitOut(Schema):
    code: str
    name: str
    kind: str


@router.get("/categories", response=list[CategoryOut])
def categories(request):
    """Active demand categories with their limits in working time."""
    return [
        CategoryOut(
            code=c.code,
            name=c.name,
            hint=c.hint,
            default_lead_unit=c.default_lead_unit.code if c.default_lead_unit else None,
            triage_hours=c.triage_hours,
            first_response_hours=c.first_response_hours,
            interim_reply_days=c.interim_reply_days,
            resolution_days=c.resolution_days,
        )
        for c in category_list()
    ]


@router.get("/units", response=list[UnitOut])
def units(request):
    """Active units: departments, the service team, the supervision office and partners."""
    return [UnitOut(code=u.code, name=u.name, kind=u.kind) for u in unit_list()]
