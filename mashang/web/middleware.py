"""The language of the pages: the zone's (``LANGUAGE_CODE``, Simplified Chinese) unless the
person chose another with the language switch (``set_language`` stores it in a cookie).

The browser's Accept-Language is not followed on pages: an English browser in the zone's
office still gets the zone's system in Chinese. The API keeps Django's negotiation, as its
clients ask for a language explicitly.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's ``LocaleMiddleware`` without the Accept-Language header outside ``/api/``."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else None
        except LookupError:
            language = None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None
