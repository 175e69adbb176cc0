"""The operator's endpoints: ``/healthz``, ``/readyz`` (anyone) and ``/metrics`` (the operator's
networks only). None is cached, none needs a session; see docs/operations.md."""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from mashang.audit.security import client_address
from mashang.operations.health import readiness
from mashang.operations.metrics import exposition

logger = logging.getLogger(__name__)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers (no database, nothing else)."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when every check passes, 503 otherwise; each check with ``ok`` and ``detail``."""
    ready, checks = readiness()
    response = JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
    if not ready:
        failed = ", ".join(f"{name} ({c['detail']})" for name, c in checks.items() if not c["ok"])
        logger.warning("not ready: %s", failed)
        response._has_been_logged = True  # said above; not again as Django's "Service Unavailable"
    return response


@lru_cache(maxsize=8)
def _networks(
    allowed: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in allowed)


def metrics_allowed(request: HttpRequest) -> bool:
    """Whether the client's address (as ``MASHANG_PROXY_COUNT`` gives it) is in the operator's networks."""
    address = client_address(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in n for n in _networks(tuple(settings.MASHANG_METRICS_ALLOWED_NETWORKS)))


@require_safe
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus's text format; 404 outside the allowed networks (nothing to see here)."""
    if not metrics_allowed(request):
        return HttpResponse(status=404, content_type="text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
