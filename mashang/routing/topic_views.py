"""The hot topics' pages: the latest run's topics, and one topic with its demands the viewer may
see (:mod:`mashang.routing.topics`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mashang.core.views import or_404
from mashang.routing import topics


@require_GET
@login_required
def topic_index(request: HttpRequest) -> HttpResponse:
    if not topics.can_view_topics(request.user):
        raise Http404(topics.MSG_NO_TOPIC)
    run = topics.topic_run_latest()
    rows = list(run.topics.order_by("rank")) if run else []
    return render(request, "routing/topics.html", {"run": run, "topics": rows})


@require_GET
@login_required
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = or_404(topics.topic_get, actor=request.user, topic_id=topic_id)
    demands = topics.topic_demands(actor=request.user, topic=topic)
    return render(
        request,
        "routing/topic.html",
        {"topic": topic, "demands": demands, "hidden": topic.volume - len(demands)},
    )
