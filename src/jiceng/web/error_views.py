"""Error pages inside the site frame, in the user's language: 403, 404, 500 and a failed CSRF check.

Django's own pages are English and have no navigation; a resident who
followed an old link or a villager who opened another village's case must
see where they are and how to go on. ``jiceng.urls`` names these handlers
(``handler403`` …) and ``settings.CSRF_FAILURE_VIEW`` the last one.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


def _back_url(request: HttpRequest) -> str:
    """Where "back" goes: the page the user came from on this site, else the home page."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return referer
    return reverse("home")


def _message(exception: Exception | None) -> str:
    """The reason our own code gave (e.g. "案件…不存在或您无权查看"); never the resolver's internals."""
    if exception is None or isinstance(exception, Resolver404) or not exception.args:
        return ""
    reason = exception.args[0]
    return reason if isinstance(reason, str) else ""


def _render(request: HttpRequest, status: int, title: str, explanation: str, message: str = "") -> HttpResponse:
    context = {"status": status, "title": title, "explanation": explanation, "message": message, "back_url": _back_url(request)}
    return HttpResponse(loader.render_to_string("web/error.html", context, request), status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403, _("You may not open this page"),
                   _("Your account has no access to this page. If you think it should, ask your administrator."), _message(exception))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(("/api/", "/open311/")):  # API clients get the API's error shape, not a page
        return JsonResponse({"code": "not_found", "message": _("Page not found"), "field": None}, status=404,
                            json_dumps_params={"ensure_ascii": False})
    return _render(request, 404, _("Page not found"),
                   _("The page does not exist, or it is not visible to your account. Check the address or the case number."),
                   _message(exception))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a stale page (or another site): say so plainly and offer to go back and send it again."""
    return _render(request, 403, _("The form has expired"),
                   _("For your safety the form could not be accepted: the page was open too long, you logged in or out meanwhile, "
                     "or cookies are blocked. Go back, reload the page and send the form again."))


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page. The frame itself asks the database (menus); if that fails too, a plain page in the same words."""
    title, explanation = _("Something went wrong"), _("The error has been recorded. Please try again in a moment; "
                                                      "if it happens again, tell your administrator the time it happened.")
    try:
        return _render(request, 500, title, explanation)
    except Exception:  # the database or a template is what failed: do not fail again
        log.exception("the framed 500 page could not be rendered")
        context = {"title": title, "explanation": explanation, "home": "/", "brand": _("jiceng"), "home_label": _("Home page")}
        return HttpResponse(loader.render_to_string("web/error_plain.html", context), status=500)
