"""The shape of a bundle step before it is stored: what a template editor, an import or the
default bundle hands to the template service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepSpec:
    code: str  # unique within its template: letters, digits, "_" and "-"
    name: str
    unit: str  # the code of the unit that completes the step
    prerequisites: tuple[str, ...] = ()  # codes of steps of the same template
    expected_minutes: int = 0
    pre_reviewable: bool = False  # can be pre-reviewed while the land is still listed
    document: str = ""  # the document the step yields
    allows_commitment: bool = False  # may complete without its document under a commitment
    commitment_working_days: int = 10  # the longest promise, in working days
