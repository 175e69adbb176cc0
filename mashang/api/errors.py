"""The API's one error shape: ``{"message": …, "fields": {name: [messages]}}``."""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from mashang.api.limits import upload_limit_text
from mashang.core.errors import ApplicationError

MSG_INVALID = _("The request has invalid fields; see fields.")
MSG_BAD_JSON = _("The request body is not valid JSON.")
MSG_UNAUTHORIZED = _("Sign in first: send Authorization: Bearer <token> (POST /api/v1/auth/token gives one).")
MSG_NOT_FOUND = _("Not found.")
MSG_TOO_LARGE = _("The request body is over the limit of {limit}; send less at a time.")
MSG_UNREADABLE = _("The request cannot be read: too many fields or files in it.")

# Pydantic's error types, said in words an office would use.
_MESSAGES = {
    "missing": _("This field is required."),
    "string_too_long": _("At most {max_length} characters."),
    "string_too_short": _("At least {min_length} characters."),
    "string_type": _("Give text here."),
    "int_parsing": _("Give a whole number."),
    "int_type": _("Give a whole number."),
    "bool_parsing": _("Give true or false."),
    "bool_type": _("Give true or false."),
    "datetime_parsing": _("Give a date and time such as 2026-10-09T14:30:00+08:00."),
    "datetime_from_date_parsing": _("Give a date and time such as 2026-10-09T14:30:00+08:00."),
    "date_from_datetime_parsing": _("Give a date such as 2026-10-09."),
    "enum": _("Choose one of: {expected}."),
    "literal_error": _("Choose one of: {expected}."),
    "greater_than_equal": _("At least {ge}."),
    "less_than_equal": _("At most {le}."),
    "list_type": _("Give a list."),
    "too_long": _("At most {max_length} items."),
    "model_attributes_type": _("Give an object with named fields."),
    "dict_type": _("Give an object with named fields."),
    "extra_forbidden": _("This field is not accepted here."),
}


def _field_name(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    # ninja prefixes the source and the parameter name: ("body", "payload", "title").
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file"}:
        parts = parts[2:] if parts[0] == "body" and len(parts) > 2 else parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict) -> str:
    template = _MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", MSG_INVALID))
    ctx = {k: v for k, v in (error.get("ctx") or {}).items()}
    try:
        return str(template).format(**ctx)
    except (KeyError, IndexError):
        return str(error.get("msg", MSG_INVALID))


def body(message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"message": message, "fields": fields or {}}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request, exc: ApplicationError):
        return api.create_response(request, body(exc.message, exc.fields), status=exc.status_code)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(_message(error))
        return api.create_response(request, body(str(MSG_INVALID), fields), status=422)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return api.create_response(request, body(str(MSG_UNAUTHORIZED)), status=401)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, ApplicationError):  # refused by our parser (mashang.api.parser)
            return application_error(request, exc.__cause__)
        if isinstance(exc.__cause__, json.JSONDecodeError | UnicodeDecodeError):
            return api.create_response(request, body(str(MSG_BAD_JSON)), status=400)
        return api.create_response(request, body(str(exc)), status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, body(str(MSG_NOT_FOUND)), status=404)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return api.create_response(request, too_large_body(), status=413)

    @api.exception_handler(SuspiciousOperation)
    def unreadable(request, exc):  # Django's TooManyFieldsSent / TooManyFilesSent
        return api.create_response(request, body(str(MSG_UNREADABLE)), status=400)


def too_large_body() -> dict:
    """The 413 answer, with the limit in words."""
    return body(str(MSG_TOO_LARGE).format(limit=upload_limit_text()))
