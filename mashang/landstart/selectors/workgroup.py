"""Which chat group follows a run, and the robots the service team may choose from."""

from __future__ import annotations

from dataclasses import dataclass

from mashang.landstart.models import Batch, Run
from mashang.notify.models import ChatRobot

#: Where the robot that follows a run comes from.
FROM_RUN, FROM_BATCH = "run", "batch"


@dataclass(frozen=True)
class WorkGroup:
    robot: ChatRobot
    source: str  # "run": the run's own robot; "batch": its batch's


def run_work_group(run: Run) -> WorkGroup | None:
    """The chat robot the run's messages go to: its own, else its batch's; None when neither
    is set. (A robot switched off stays named here; the outbox does not post to it.)"""
    if run.work_group_robot_id:
        robot = ChatRobot.objects.filter(pk=run.work_group_robot_id).first()
        if robot is not None:
            return WorkGroup(robot=robot, source=FROM_RUN)
    if run.batch_id:
        batch = Batch.objects.filter(pk=run.batch_id).select_related("work_group_robot").first()
        if batch is not None and batch.work_group_robot is not None:
            return WorkGroup(robot=batch.work_group_robot, source=FROM_BATCH)
    return None


def work_group_robots() -> list[ChatRobot]:
    """The active chat robots a run's work group can be chosen among, by name."""
    return list(ChatRobot.objects.filter(is_active=True).select_related("unit").order_by("name", "id"))
