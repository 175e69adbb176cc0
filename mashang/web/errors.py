"""The 403, 404 and 500 answers: pages in the site's layout and language with a way back, and
the API's JSON shape (``{"message", "fields"}``) for paths under ``/api/``.

The 500 page renders without the request: no session, no user, no database.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

#: A last resort when even the 500 template cannot be rendered.
_BARE_500 = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>500</title><h1>500</h1><p><a href=\"/\">/</a></p></html>"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _json(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message, "fields": {}}, status=status, json_dumps_params={"ensure_ascii": False})


def _back(request: HttpRequest) -> str:
    """The page the person came from, when it is one of ours."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return ""


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception is not None and exception.args else ""
    if _is_api(request):
        return _json(reason or _("You may not do this."), 403)
    context = {"reason": reason, "back": _back(request)}
    return render(request, "403.html", context, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json(_("Not found."), 404)
    return render(request, "404.html", {"back": _back(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _json(_("Something went wrong on our side; please try again later."), 500)
    try:
        content = loader.get_template("500.html").render()
    except Exception:  # noqa: BLE001 — the error page must answer whatever broke
        content = _BARE_500
    return HttpResponse(content, status=500)
