"""Every write to demands. Each function takes the acting person and owns its transaction."""

from mashang.demands.services.lifecycle import (
    demand_approve_extension,
    demand_assess,
    demand_confirm,
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
    demand_triage,
    demand_wait,
    demand_withdraw,
)
from mashang.demands.services.submit import demand_submit

__all__ = [
    "demand_approve_extension",
    "demand_assess",
    "demand_confirm",
    "demand_dispatch",
    "demand_escalate",
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
