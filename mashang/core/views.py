"""How the pages answer the error family of :mod:`mashang.core.errors` (the API's one
handler is :mod:`mashang.api`'s): a NotFound is the 404 page; a refusal that has a form is
shown beside it, its message on top and each field's messages at that field, with the
error's status code; a refusal with nothing to show it beside is the 403 page or a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from mashang.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)

T = TypeVar("T")


def page_raise(exc: ApplicationError, *, forbidden: bool = False) -> None:
    """Raise the page that answers ``exc`` when nothing on the page can show it: a NotFound
    is the 404 page and, with ``forbidden``, a PermissionDenied the 403 page. Any other
    error returns, for the page to show beside its form (with ``exc.status_code``)."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if forbidden and isinstance(exc, PermissionDenied):
        raise DjangoPermissionDenied(exc.message) from exc


def or_404(call: Callable[..., T], /, **kwargs: Any) -> T:
    """A selector's answer, a NotFound becoming the page's 404."""
    try:
        return call(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def is_stale(exc: ApplicationError) -> bool:
    """Whether the row changed since the page read it (a Conflict that is no refused move):
    the page offers to reload."""
    return isinstance(exc, Conflict) and not isinstance(exc, TransitionNotAllowed)


def form_errors_add(
    form: forms.BaseForm, exc: ApplicationError, *, field_of: Callable[[str], str] | None = None
) -> None:
    """Put each of the error's field messages beside that field of ``form`` (named by
    ``field_of`` when the service names it otherwise), or on top when the form has no such field."""
    for name, msgs in exc.fields.items():
        target = field_of(name) if field_of else name
        for m in msgs:
            form.add_error(target if target in form.fields else None, m)
