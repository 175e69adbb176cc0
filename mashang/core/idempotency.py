"""Idempotency-Key: a retried POST returns the first answer and creates nothing twice.

The key is claimed by inserting its row in the same transaction as the work; a
concurrent request with the same key waits on the unique index, then finds the
committed answer. A failed request leaves no row, so it can be retried.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.renderers import JSONRenderer

from mashang.core.errors import ValidationFailed
from mashang.core.models import IdempotencyRecord

MSG_KEY_REUSED = _("This Idempotency-Key was already used for a different request.")
MSG_KEY_TOO_LONG = _("An Idempotency-Key has at most 255 characters.")


def _fingerprint(request) -> str:
    """The request's identity: method, path and body, the JSON body taken by its meaning
    (a retry that serialises the same object with its keys in another order is the same request)."""
    try:
        canonical = json.dumps(json.loads(request.body), sort_keys=True, ensure_ascii=False).encode()
    except ValueError:
        canonical = request.body
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" + canonical).hexdigest()


def run_once(
    *, request, key: str | None, work: Callable[[], tuple[int, dict[str, Any]]]
) -> tuple[int, dict[str, Any]]:
    """Run ``work`` (returning status and JSON body) once per (user, key)."""
    if not key:
        return work()
    if len(key) > 255:
        raise ValidationFailed(MSG_KEY_TOO_LONG, fields={"Idempotency-Key": MSG_KEY_TOO_LONG})
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user,
                    key=key,
                    endpoint=request.path[:200],
                    request_hash=fingerprint,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(user=request.user, key=key)
            if record.request_hash != fingerprint:
                raise ValidationFailed(MSG_KEY_REUSED, fields={"Idempotency-Key": MSG_KEY_REUSED}) from None
            return record.response_status, record.response_body
        status, body = work()
        record.response_status, record.response_body = status, body
        record.save(update_fields=["response_status", "response_body"])
    return status, body


_renderer = JSONRenderer()


def answer_once(
    *, request, key: str | None, work: Callable[[], tuple[int, dict[str, Any]]]
) -> HttpResponse:
    """:func:`run_once`, answered as the API answers: ``work`` checked its body against the
    endpoint's schema when it made it (and a retry replays that body as kept), so the body is
    rendered as it is, not checked a second time."""
    status, body = run_once(request=request, key=key, work=work)
    return HttpResponse(
        _renderer.render(request, body, response_status=status),
        status=status,
        content_type=f"{_renderer.media_type}; charset={_renderer.charset}",
    )
