"""Open311 GeoReport v2 routes; the REST API is mounted from jiceng.urls."""

from django.urls import re_path

from . import open311

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="open311_discovery"),
    re_path(r"^services" + FMT, open311.services, name="open311_services"),
    re_path(r"^services/(?P<code>[-\w]+)" + FMT, open311.service_definition, name="open311_service"),
    re_path(r"^requests" + FMT, open311.requests_, name="open311_requests"),
    re_path(r"^requests/(?P<request_id>[-\w]+)" + FMT, open311.request_one, name="open311_request"),
    re_path(r"^tokens/(?P<token_id>[-\w]+)" + FMT, open311.token, name="open311_token"),
]
