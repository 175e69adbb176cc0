"""Page tests: files go to a temporary MEDIA_ROOT; a client signed in as any zone person."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def as_(zone):
    """``as_("officer")`` is a test client signed in as that person of the zone."""

    def client_for(person: str, language: str = "en") -> Client:
        # Messages are asserted in English (the msgids); zh-Hans is the default otherwise.
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # as the language switch does
        client.force_login(getattr(zone, person))
        return client

    return client_for
