"""Every write of supervision. Each function owns its transaction."""

from mashang.supervision.scorecards.services import scorecard_publish
from mashang.supervision.services.notices import notice_acknowledge, notice_issue
from mashang.supervision.services.sweep import SweepResult, supervision_sweep

__all__ = ["SweepResult", "notice_acknowledge", "notice_issue", "scorecard_publish", "supervision_sweep"]
