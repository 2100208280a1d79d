"""The REST API instance: every app's router, authentication and the error shape."""

from __future__ import annotations

from ninja import NinjaAPI

from jiceng.accounts.api import router as accounts_router
from jiceng.areas.api import router as areas_router
from jiceng.cases.api import categories_router, public_router, reports_router, workbench_router
from jiceng.cases.api import router as cases_router
from jiceng.insurance.api import router as insurance_router
from jiceng.notifications.api import router as notifications_router
from jiceng.people.api import router as people_router
from jiceng.programmes.api import router as programmes_router
from jiceng.stats.api import router as stats_router
from jiceng.triage.api import router as triage_router

from . import errors
from .imports import router as imports_router
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
api.add_router("/v1/cases", cases_router)
api.add_router("/v1/workbench", workbench_router)
api.add_router("/v1/reports", reports_router)
api.add_router("/v1/public", public_router)
api.add_router("/v1/insurance", insurance_router)
api.add_router("/v1", triage_router)
api.add_router("/v1", accounts_router)
api.add_router("/v1", areas_router)
api.add_router("/v1", categories_router)
api.add_router("/v1", people_router)
api.add_router("/v1/programmes", programmes_router)
api.add_router("/v1", notifications_router)
api.add_router("/v1", imports_router)
api.add_router("/v1", stats_router)
