"""The hot topics on the leader's dashboard (demands may not import routing: the dashboard's
template loads this library), and the growth figure as the pages show it."""

from __future__ import annotations

from django import template

from mashang.routing.topics import can_view_topics, topic_run_latest

register = template.Library()

#: The dashboard shows this many of the latest run's topics.
DASHBOARD_TOPICS = 10


@register.filter
def growth_percent(value: float | None) -> str:
    """1.5 → "+150%"; -0.25 → "-25%"."""
    if value is None:
        return "—"
    return f"{value:+.0%}"


@register.inclusion_tag("routing/_hot_topics.html", takes_context=True)
def hot_topics(context):
    request = context.get("request")
    actor = getattr(request, "user", None)
    if not can_view_topics(actor):
        return {"shown": False}
    run = topic_run_latest()
    rows = list(run.topics.order_by("rank")[:DASHBOARD_TOPICS]) if run else []
    return {"shown": True, "run": run, "topics": rows}
