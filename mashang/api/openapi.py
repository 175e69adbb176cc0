"""The schema at /api/v1/openapi.json says every answer an operation can give, errors included.

django-ninja documents the successes each operation declares; the error answers come from our
handlers (mashang.api.errors) and the middleware (mashang.api.middleware), the same for every
operation, so they are added here, in one place, by what the operation takes: a body can be
malformed (400) or too large (413), a signed-in operation can be refused (401/403), a path can
name nothing (404), a write can meet a newer version (409), any input can break a rule (422),
and the sign-in can be throttled (429).
"""

from __future__ import annotations

from http.client import responses as reasons

from ninja import NinjaAPI, Schema
from pydantic import Field

from mashang.api.limits import upload_limit_text

ERROR_SCHEMA = "ErrorOut"
WRITE_METHODS = {"post", "put", "patch", "delete"}
#: A throttled sign-in says when to try again (``mashang.org.signin``).
RETRY_AFTER = {
    "description": "Seconds until the client may try to sign in again.",
    "schema": {"type": "integer", "minimum": 1},
}


class ErrorOut(Schema):
    """Every error under /api: a message to show, and the messages of each input at fault."""

    message: str = Field(description="What went wrong, in the request's language.")
    fields: dict[str, list[str]] = Field(
        description="For each input at fault (a dotted path such as ``items.0.title``), its "
        "messages; empty when the error concerns the request as a whole."
    )


def error_statuses(method: str, operation: dict) -> set[int]:
    """The error statuses an operation of the schema can answer."""
    parameters = operation.get("parameters") or []
    body = "requestBody" in operation
    signed_in = bool(operation.get("security"))
    statuses = {401}
    if body:
        statuses |= {400, 413, 422}
    if any(p.get("in") == "query" for p in parameters):
        statuses |= {400, 422}  # a malformed or over-long query string
    if any(p.get("in") == "path" for p in parameters):
        statuses |= {404, 422}
    if signed_in:
        statuses |= {403, 404, 422}
    else:
        statuses |= {429}  # the sign-in is throttled
    if method in WRITE_METHODS:
        statuses |= {409, 422}
    return statuses


def document_errors(schema: dict) -> dict:
    """Add the error shape and each operation's error answers to an OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = ErrorOut.model_json_schema()
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            answers = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, operation)):
                if status in answers or str(status) in answers:
                    continue
                description = reasons.get(status, "Error")
                if status == 413:
                    description = f"{description}: the body is over {upload_limit_text()}."
                answers[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": dict(ref)}},
                }
                if status == 429:
                    answers[status]["headers"] = {"Retry-After": RETRY_AFTER}
    return schema


class MashangAPI(NinjaAPI):
    """django-ninja's API whose schema also documents the error answers."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)
