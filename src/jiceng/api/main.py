"""The REST API instance: routers, authentication and the error shape."""

from __future__ import annotations

from ninja import NinjaAPI

from jiceng.insurance.api import router as insurance_router

from . import cases, errors, public, registry, reports, triage
from .auth import AUTH

DESCRIPTION = """
jiceng's REST API. Authenticate with an integration key (`Authorization: Bearer jc_…`
or `X-Api-Key`), or with the web session (CSRF token required on writes).
Errors are JSON `{"code", "message", "field"}`; messages are Chinese unless
`Accept-Language: en`. Lists use keyset pagination (`before` = `next_before`).
See docs/api.md.
"""

api = NinjaAPI(
    title="jiceng API", version="1.0", description=DESCRIPTION, urls_namespace="api", auth=AUTH,
    docs_url="/docs", openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/v1/cases", cases.router)
api.add_router("/v1/reports", reports.router)
api.add_router("/v1/public", public.router)
api.add_router("/v1/insurance", insurance_router)
api.add_router("/v1", triage.router)
api.add_router("/v1", registry.router)
