"""Chinese first: the UI speaks Simplified Chinese unless the user chose English."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_supported_language_variant


class ChineseFirstLocaleMiddleware:
    """Activate the language chosen with the language switch (cookie), else Chinese.

    Browsers in government offices often send ``Accept-Language: en``; that
    must not turn the UI English. API clients (paths under /api/ and
    /open311/) do get their Accept-Language honoured.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not lang and request.path.startswith(("/api/", "/open311/")):
            lang = translation.get_language_from_request(request)
        try:
            lang = get_supported_language_variant(lang or settings.LANGUAGE_CODE)
        except LookupError:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response
