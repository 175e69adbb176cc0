"""The run's work group: the chat group (a WeCom, DingTalk or Feishu robot) that follows the run.

Every award, step completion, send-back and the final permit goes to the run's robot, or else
to its batch's (see :mod:`mashang.landstart.messages`). The service team sets the run's robot;
none (``None``) leaves the run to its batch's robot, if any.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from mashang.landstart.models import OPEN_RUN_STATES, Run, RunState
from mashang.landstart.permissions import can_manage
from mashang.landstart.services.common import check_version, lock_run, record
from mashang.notify.models import ChatRobot
from mashang.org.models import User

#: The event's action on the run's timeline.
WORK_GROUP = "work_group"

MSG_MAY_NOT_SET = _("Only the service team or an administrator chooses the work group of a run.")
MSG_NO_ROBOT = _("Choose an active chat robot.")
MSG_RUN_CLOSED = _("This run is “{state}”; its work group can no longer change.")


def landstart_work_group_set(
    *,
    actor: User,
    run_id: int,
    robot_id: int | None,
    version: int | None = None,
    at: datetime | None = None,
) -> Run:
    """Choose the chat robot that follows an open run (``None``: the batch's, if any). A stale
    ``version`` is refused (409); choosing the robot the run already has changes nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        run = lock_run(actor, run_id)
        if not can_manage(actor):
            raise PermissionDenied(MSG_MAY_NOT_SET)
        check_version(run, version)
        if run.state not in OPEN_RUN_STATES:
            raise TransitionNotAllowed(str(MSG_RUN_CLOSED).format(state=RunState(run.state).label))
        robot = None
        if robot_id is not None:
            robot = ChatRobot.objects.filter(pk=robot_id, is_active=True).first()
            if robot is None:
                raise ValidationFailed(MSG_NO_ROBOT, fields={"robot": MSG_NO_ROBOT})
        before = run.work_group_robot_id
        if before == (robot.pk if robot else None):
            return run
        run.work_group_robot = robot
        record(
            run,
            actor=actor,
            at=at,
            action=WORK_GROUP,
            from_state=run.state,
            fields=("work_group_robot",),
            payload={
                "robot": robot.pk if robot else None,
                "robot_name": robot.name if robot else "",
                "from": before,
            },
        )
    return run
