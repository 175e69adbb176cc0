"""The browsable API reference at /api/v1/docs: Swagger UI served by mashang itself.

django-ninja's own page loads Swagger UI from a CDN and starts it with an inline script;
mashang's Content-Security-Policy (scripts and styles from 'self' only, nothing inline)
blocks both and the page stays blank. This page loads swagger-ui-dist from our static
files (copied from npm by ``make assets``) and starts it from a static script of ours; its
settings travel as a JSON data block, which the browser never executes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI


class SwaggerSelfHosted(DocsBase):
    """Swagger UI from mashang's static files, under the site's strict CSP."""

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        openapi_url = self.get_openapi_url(api, kwargs)
        settings = {
            "url": openapi_url,
            "dom_id": "#swagger-ui",
            "layout": "BaseLayout",
            "deepLinking": True,
            # No badge asking validator.swagger.io about our schema: nothing leaves the zone.
            "validatorUrl": None,
            # Never load another schema named in the query string (?url=…).
            "queryConfigEnabled": False,
        }
        context = {"api": api, "openapi_url": openapi_url, "swagger_settings": settings}
        return render(request, self.template, context)
