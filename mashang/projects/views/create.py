"""A new project, and the import of a ledger file (all rows or none)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from mashang.core.errors import ApplicationError
from mashang.core.views import form_errors_add
from mashang.projects import services
from mashang.projects.forms import ImportForm, ProjectFieldsForm
from mashang.projects.ledger.importer import MAX_BYTES, LedgerRejected, ledger_import
from mashang.projects.permissions import can_create
from mashang.projects.services.create import MSG_MAY_NOT_CREATE

MSG_CHECK_FIELDS = _("Please check the fields marked below.")
MSG_CREATED = _("Project {number} was created.")
MSG_IMPORTED = ngettext_lazy("%(count)d project was imported.", "%(count)d projects were imported.", "count")


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user):
        raise PermissionDenied(MSG_MAY_NOT_CREATE)
    if request.method != "POST":
        return render(request, "projects/new.html", {"form": ProjectFieldsForm(label_suffix="")})
    form = ProjectFieldsForm(request.POST, label_suffix="")
    message, status = str(MSG_CHECK_FIELDS), 422
    if form.is_valid():
        try:
            project = services.project_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_add(form, exc)
            message, status = exc.message, exc.status_code
        else:
            messages.success(request, str(MSG_CREATED).format(number=project.number))
            return redirect("projects:detail", project_id=project.pk)
    return render(request, "projects/new.html", {"form": form, "message": message}, status=status)


@login_required
def project_import(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user):
        raise PermissionDenied(MSG_MAY_NOT_CREATE)
    if request.method != "POST":
        return render(request, "projects/import.html", {"form": ImportForm(label_suffix="")})
    form = ImportForm(request.POST, request.FILES, label_suffix="")
    context: dict = {"form": form}
    upload = request.FILES.get("file")
    try:
        content = upload.read(MAX_BYTES + 1) if upload else b""
        result = ledger_import(actor=request.user, content=content, filename=upload.name if upload else "")
    except LedgerRejected as exc:
        context.update(message=exc.message, problems=exc.problems)
        return render(request, "projects/import.html", context, status=422)
    except ApplicationError as exc:
        context.update(message=exc.message)
        return render(request, "projects/import.html", context, status=exc.status_code)
    count = len(result.created)
    context.update(
        form=ImportForm(label_suffix=""),
        created=result.created,
        success=MSG_IMPORTED % {"count": count},
    )
    return render(request, "projects/import.html", context)
