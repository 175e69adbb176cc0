"""Every read of the land-start app, through the actor's visibility."""

from mashang.landstart.selectors.board import (
    Board,
    BoardStep,
    HistoryRow,
    UnitShareRow,
    board_of,
    run_board,
    run_history,
)
from mashang.landstart.selectors.learning import (
    Learning,
    LearningFilters,
    history_learning,
    learning_check,
    may_learn,
)
from mashang.landstart.selectors.plan import BatchPlanView, batch_plan, capacity_list
from mashang.landstart.selectors.runs import (
    RunFilters,
    elapsed_minutes,
    elapsed_seconds,
    run_get,
    run_list,
    step_times,
    unit_steps,
)
from mashang.landstart.selectors.templates import TemplateDetail, template_get, template_list

__all__ = [
    "BatchPlanView",
    "Board",
    "BoardStep",
    "HistoryRow",
    "Learning",
    "LearningFilters",
    "RunFilters",
    "TemplateDetail",
    "UnitShareRow",
    "batch_plan",
    "board_of",
    "capacity_list",
    "elapsed_minutes",
    "elapsed_seconds",
    "history_learning",
    "learning_check",
    "may_learn",
    "run_board",
    "run_get",
    "run_history",
    "run_list",
    "step_times",
    "template_get",
    "template_list",
    "unit_steps",
]
