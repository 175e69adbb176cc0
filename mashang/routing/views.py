"""The routing rules' pages (administrators): the rules in order with on/off and up/down, the
form that previews what a rule would change before it is saved, and a rule's history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mashang.core.errors import ApplicationError
from mashang.core.views import form_errors_add, is_stale, page_raise
from mashang.org.models import Unit, User
from mashang.routing.forms import RuleForm
from mashang.routing.models import Rule
from mashang.routing.rules import rule_preview
from mashang.routing.services import rules as services

MSG_SAVED = _("Rule “{name}” was saved.")
MSG_PREVIEW_FIRST = _("Please check the fields marked below before previewing.")


def _admin(request: HttpRequest) -> None:
    if request.user.role != User.Role.ADMIN:
        raise PermissionDenied(services.MSG_MAY_NOT_CHANGE)


def _rule(rule_id: int) -> Rule:
    rule = Rule.objects.select_related("lead_unit").filter(pk=rule_id).first()
    if rule is None:
        raise Http404(services.MSG_NOT_FOUND)
    return rule


@require_GET
@login_required
def rule_index(request: HttpRequest) -> HttpResponse:
    """The rules in the order they are tried."""
    _admin(request)
    rules = list(Rule.objects.select_related("lead_unit").order_by("position", "id"))
    codes = {c for r in rules for c in r.co_units}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    rows = [
        {"rule": r, "rank": i, "co_units": [names.get(c, c) for c in r.co_units]}
        for i, r in enumerate(rules, start=1)
    ]
    return render(request, "routing/rules.html", {"rows": rows, "count": len(rows)})


def _form_page(
    request: HttpRequest, form: RuleForm, *, rule: Rule | None, status: int = 200, **extra
) -> HttpResponse:
    return render(request, "routing/rule_form.html", {"form": form, "rule": rule, **extra}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def rule_new(request: HttpRequest) -> HttpResponse:
    """A new rule (``?basis=`` prefills why, e.g. a review meeting's decision)."""
    _admin(request)
    if request.method != "POST":
        basis = (request.GET.get("basis") or "")[:200]
        return _form_page(request, RuleForm(initial={"basis": basis, "is_active": True}, label_suffix=""), rule=None)
    return _save(request, rule=None)


@require_http_methods(["GET", "POST"])
@login_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    _admin(request)
    rule = _rule(rule_id)
    if request.method != "POST":
        return _form_page(request, RuleForm(initial=RuleForm.initial_of(rule), label_suffix=""), rule=rule)
    return _save(request, rule=rule)


def _save(request: HttpRequest, *, rule: Rule | None) -> HttpResponse:
    form = RuleForm(request.POST, label_suffix="")
    if "preview" in request.POST:
        return _preview_page(request, form, rule=rule)
    message, status, stale = str(services.MSG_CHECK_FIELDS), 422, False
    if form.is_valid():
        try:
            if rule is None:
                saved = services.rule_create(actor=request.user, spec=form.spec())
            else:
                saved = services.rule_update(
                    actor=request.user,
                    rule_id=rule.pk,
                    version=form.cleaned_data["version"] or 0,
                    spec=form.spec(),
                )
        except ApplicationError as exc:
            page_raise(exc, forbidden=True)
            form_errors_add(form, exc)
            message, status, stale = exc.message, exc.status_code, is_stale(exc)
        else:
            messages.success(request, str(MSG_SAVED).format(name=saved.name))
            return redirect("routing:rules")
    return _form_page(request, form, rule=rule, status=status, message=message, stale=stale)


def _preview(form: RuleForm, rule: Rule | None):
    """The preview of the form's rule, or None with the form's errors set."""
    if not form.is_valid():
        return None
    spec = form.spec()
    try:
        services.rule_check(spec=spec)
    except ApplicationError as exc:
        form_errors_add(form, exc)
        return None
    return rule_preview(spec=spec, rule_id=rule.pk if rule else None)


def _preview_page(request: HttpRequest, form: RuleForm, *, rule: Rule | None) -> HttpResponse:
    preview = _preview(form, rule)
    if preview is None:
        return _form_page(request, form, rule=rule, status=422, message=str(MSG_PREVIEW_FIRST))
    return _form_page(request, form, rule=rule, preview=preview)


@require_POST
@login_required
def rule_preview_view(request: HttpRequest) -> HttpResponse:
    """What the form's rule would change, before it is saved: the list of dispatches whose lead
    unit would differ (htmx swaps it in under the form; without htmx the form page shows it)."""
    _admin(request)
    rule_id = request.POST.get("rule") or ""
    rule = _rule(int(rule_id)) if rule_id.isdigit() else None
    form = RuleForm(request.POST, label_suffix="")
    if not request.headers.get("HX-Request"):
        return _preview_page(request, form, rule=rule)
    preview = _preview(form, rule)
    if preview is None:
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return render(request, "routing/_preview.html", {"errors": errors, "form": form}, status=422)
    return render(request, "routing/_preview.html", {"preview": preview})


ACTIONS = ("up", "down", "on", "off")


@require_POST
@login_required
def rule_act(request: HttpRequest, rule_id: int, action: str) -> HttpResponse:
    """Move a rule up or down, or switch it on or off, from the list."""
    _admin(request)
    if action not in ACTIONS:
        raise Http404
    rule = _rule(rule_id)
    version = request.POST.get("version") or ""
    version_n = int(version) if version.isdigit() else 0
    try:
        if action in ("up", "down"):
            rank = list(Rule.objects.order_by("position", "id").values_list("pk", flat=True)).index(rule.pk) + 1
            services.rule_move(
                actor=request.user,
                rule_id=rule.pk,
                version=version_n,
                position=max(rank - 1, 1) if action == "up" else rank + 1,
            )
        else:
            services.rule_switch(
                actor=request.user, rule_id=rule.pk, version=version_n, is_active=action == "on"
            )
    except ApplicationError as exc:
        page_raise(exc, forbidden=True)
        messages.error(request, exc.message)
    return redirect("routing:rules")


@require_GET
@login_required
def rule_history(request: HttpRequest, rule_id: int) -> HttpResponse:
    """A rule's revisions, latest first: how it read after each change, who changed it, why."""
    _admin(request)
    rule = _rule(rule_id)
    revisions = list(rule.revisions.select_related("actor").order_by("-version"))
    codes = {c for r in revisions for c in [r.snapshot.get("lead_unit"), *r.snapshot.get("co_units", [])] if c}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    rows = [
        {
            "revision": r,
            "s": r.snapshot,
            "lead": names.get(r.snapshot.get("lead_unit"), r.snapshot.get("lead_unit")),
            "co": [names.get(c, c) for c in r.snapshot.get("co_units", [])],
        }
        for r in revisions
    ]
    return render(request, "routing/rule_history.html", {"rule": rule, "rows": rows})

