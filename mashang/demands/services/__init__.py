"""Every write to demands. Each function takes the acting person and owns its transaction.

:data:`ACTIONS` names the service of every move in ``transitions.MOVES``; the pages and the
API look a move up here, so both move a demand the same way.
"""

from collections.abc import Callable

from mashang.demands.models import Demand
from mashang.demands.services.lifecycle import (
    demand_approve_extension,
    demand_assess,
    demand_assign_case,
    demand_confirm,
    demand_decline_case,
    demand_dispatch,
    demand_escalate,
    demand_merge,
    demand_refuse_extension,
    demand_reopen,
    demand_reply,
    demand_request_extension,
    demand_respond,
    demand_resume,
    demand_return,
    demand_sign_off,
    demand_triage,
    demand_wait,
    demand_withdraw,
)
from mashang.demands.services.opinions import demand_give_opinion
from mashang.demands.services.submit import demand_submit
from mashang.demands.transitions import Action

#: The service of each move, by action; each takes ``actor``, ``demand_id``, ``version`` and the
#: move's own fields, and returns the demand as the move left it.
ACTIONS: dict[str, Callable[..., Demand]] = {
    Action.TRIAGE: demand_triage,
    Action.DISPATCH: demand_dispatch,
    Action.RESPOND: demand_respond,
    Action.ASSESS: demand_assess,
    Action.OPINION: demand_give_opinion,
    Action.REPLY: demand_reply,
    Action.CONFIRM: demand_confirm,
    Action.RETURN: demand_return,
    Action.EXTEND: demand_request_extension,
    Action.APPROVE_EXTENSION: demand_approve_extension,
    Action.REFUSE_EXTENSION: demand_refuse_extension,
    Action.WAIT: demand_wait,
    Action.RESUME: demand_resume,
    Action.REOPEN: demand_reopen,
    Action.ESCALATE: demand_escalate,
    Action.ASSIGN_CASE: demand_assign_case,
    Action.DECLINE_CASE: demand_decline_case,
    Action.SIGN_OFF: demand_sign_off,
    Action.MERGE: demand_merge,
    Action.WITHDRAW: demand_withdraw,
}

__all__ = [
    "ACTIONS",
    "demand_approve_extension",
    "demand_assess",
    "demand_assign_case",
    "demand_confirm",
    "demand_decline_case",
    "demand_dispatch",
    "demand_escalate",
    "demand_give_opinion",
    "demand_merge",
    "demand_refuse_extension",
    "demand_reopen",
    "demand_reply",
    "demand_request_extension",
    "demand_respond",
    "demand_resume",
    "demand_return",
    "demand_submit",
    "demand_triage",
    "demand_wait",
    "demand_withdraw",
]
