"""How good the suggestions are (the honesty page): each classifier's version, training date,
data size, cross-validated scores per class and confusion matrix, how often officers accepted,
changed or ignored its suggestions; retraining on demand and the automatic-dispatch settings
(administrators)."""

from __future__ import annotations

import threading

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mashang.core.errors import ApplicationError
from mashang.core.views import form_errors_add, page_raise
from mashang.org.models import Category, Unit, User
from mashang.routing.forms import AutoDispatchForm
from mashang.routing.models import Classifier, Target
from mashang.routing.services.automatic import auto_dispatch_settings, auto_dispatch_update
from mashang.routing.suggest import suggestion_outcomes

R = User.Role
#: Who may read how good the suggestions are.
READERS = frozenset({R.OFFICER, R.SUPERVISOR, R.LEADER, R.ADMIN})
MSG_READERS = _("Only the service team, supervisors, leaders and administrators see the classifiers.")
MSG_ADMIN = _("Only an administrator may do this.")
MSG_NOT_FOUND = _("No such classifier.")
MSG_RETRAIN_STARTED = _("Retraining started. The new versions appear here when they are ready (a minute or so for a zone's history).")
MSG_SETTINGS_SAVED = _("The automatic-dispatch settings were saved.")


def _reader(request: HttpRequest) -> None:
    if request.user.role not in READERS:
        raise PermissionDenied(MSG_READERS)


def _names(target: str) -> dict[str, str]:
    model = Category if target == Target.CATEGORY else Unit
    return dict(model.objects.values_list("code", "name"))


@require_GET
@login_required
def classifier_index(request: HttpRequest) -> HttpResponse:
    _reader(request)
    return render(request, "routing/classifiers.html", _index_context(request))


def _index_context(request: HttpRequest, form: AutoDispatchForm | None = None) -> dict:
    groups = []
    for target, label in Target.choices:
        rows = list(Classifier.objects.filter(target=target).order_by("-version")[:20])
        active = next((c for c in rows if c.status == Classifier.Status.ACTIVE), None)
        groups.append({
            "target": target, "label": label, "rows": rows, "active": active,
            "outcomes": _outcomes(active) if active else None,
        })
    auto = auto_dispatch_settings()
    is_admin = request.user.role == R.ADMIN
    return {
        "groups": groups,
        "is_admin": is_admin,
        "settings_form": form or (AutoDispatchForm.of(auto) if is_admin else None),
        "auto": auto,
        "excluded": list(Category.objects.filter(code__in=auto.excluded_categories or []).values_list("name", flat=True)),
    }


def _outcomes(row: Classifier) -> dict:
    counts = suggestion_outcomes(row)
    decided = counts["accepted"] + counts["changed"] + counts["ignored"]
    return {**counts, "decided": decided, "percent": {
        k: round(100 * counts[k] / decided) if decided else None for k in ("accepted", "changed", "ignored")
    }}


def _figures(request: HttpRequest, classifier_id: int):
    """The classifier a reader asked for, the names of its labels, its confusion matrix's
    labels and rows, and its per-class figures (the largest class first)."""
    _reader(request)
    row = Classifier.objects.filter(pk=classifier_id).first()
    if row is None:
        raise Http404(MSG_NOT_FOUND)
    names = _names(row.target)
    confusion = row.confusion if isinstance(row.confusion, dict) else {}
    per_class = [
        {"code": code, "name": names.get(code, code), **row.per_class[code]}
        for code in sorted(row.per_class, key=lambda c: -row.per_class[c]["support"])
    ]
    return row, names, confusion.get("labels", []), confusion.get("matrix", []), per_class


@require_GET
@login_required
def classifier_detail(request: HttpRequest, classifier_id: int) -> HttpResponse:
    row, names, labels, matrix, per_class = _figures(request, classifier_id)
    table = [
        {"name": names.get(code, code), "cells": [
            {"n": n, "diagonal": i == j, "share": n / max(1, sum(matrix[i]))} for j, n in enumerate(matrix[i])
        ], "total": sum(matrix[i])}
        for i, code in enumerate(labels)
    ]
    return render(request, "routing/classifier.html", {
        "row": row,
        "per_class": per_class,
        "columns": [names.get(c, c) for c in labels],
        "table": table,
        "outcomes": _outcomes(row),
    })


#: One on-demand training at a time in this process (a second press while it runs is told so).
_retraining = threading.Lock()
MSG_RETRAIN_RUNNING = _("A retraining is already running; its versions appear here when it is done.")


def _retrain_in_background(actor_id: int) -> None:
    from mashang.routing.tasks import retrain_now

    try:
        retrain_now("on demand", actor_id)
    finally:
        close_old_connections()
        _retraining.release()


@require_POST
@login_required
def classifier_retrain(request: HttpRequest) -> HttpResponse:
    if request.user.role != R.ADMIN:
        raise PermissionDenied(MSG_ADMIN)
    if settings.MASHANG_BROKER_URL:
        from mashang.routing.tasks import retrain

        retrain.delay("on demand", request.user.pk)
    elif not _retraining.acquire(blocking=False):
        messages.info(request, MSG_RETRAIN_RUNNING)
        return redirect("routing:classifiers")
    else:  # the embedded default: no worker queue, train beside the page
        threading.Thread(
            target=_retrain_in_background, args=(request.user.pk,), name="routing-retrain", daemon=True
        ).start()
    messages.success(request, MSG_RETRAIN_STARTED)
    return redirect("routing:classifiers")


@require_http_methods(["POST"])
@login_required
def auto_dispatch_settings_save(request: HttpRequest) -> HttpResponse:
    if request.user.role != R.ADMIN:
        raise PermissionDenied(MSG_ADMIN)
    form = AutoDispatchForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            auto_dispatch_update(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            page_raise(exc)
            form_errors_add(form, exc)
            if not exc.fields:
                form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, MSG_SETTINGS_SAVED)
            return redirect("routing:classifiers")
    return render(request, "routing/classifiers.html", _index_context(request, form), status=status)


@require_GET
@login_required
def classifier_export(request: HttpRequest, classifier_id: int) -> HttpResponse:
    """The classifier's figures as a workbook: per class, and the confusion matrix."""
    from mashang.core.files import export_response
    from mashang.core.spreadsheet import Column, Sheet, sheets_workbook

    row, names, labels, matrix, per_class = _figures(request, classifier_id)
    title = str(_("{target} classifier v{version}")).format(target=row.get_target_display(), version=row.version)
    notes = [
        str(_("Trained {when} on {n} demands; {k}-fold cross-validation: macro-F1 {f1:.3f}, accuracy {acc:.3f}.")).format(
            when=timezone.localtime(row.trained_at).strftime("%Y-%m-%d %H:%M"), n=row.n_samples, k=row.folds,
            f1=row.macro_f1 or 0, acc=row.accuracy or 0,
        ),
        f"{row.get_status_display()}: {row.note}",
    ]
    per_class = Sheet(
        title=title,
        name=str(_("Per class")),
        notes=notes,
        columns=[
            Column(str(row.get_target_display()), 24), Column(str(_("Code")), 14),
            Column(str(_("Precision")), 12, "0.000"), Column(str(_("Recall")), 12, "0.000"),
            Column("F1", 12, "0.000"), Column(str(_("Demands")), 12),
        ],
        rows=[[c["name"], c["code"], c["precision"], c["recall"], c["f1"], c["support"]] for c in per_class],
    )
    matrix = Sheet(
        title=title,
        name=str(_("Confusion matrix")),
        notes=[str(_("Rows: what the demand really was; columns: what was suggested first in cross-validation."))],
        columns=[Column(str(row.get_target_display()), 24)] + [Column(names.get(c, c), 12) for c in labels],
        rows=[[names.get(code, code), *matrix[i]] for i, code in enumerate(labels)],
    )
    content = sheets_workbook(title=title, sheets=[per_class, matrix])
    return export_response(content, filename=f"{title}.xlsx")
