"""REST: who the caller is."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from jiceng.schemas import ErrorOut, Ref, UnitRef

router = Router(tags=["registry"])
ERRORS = {401: ErrorOut, 404: ErrorOut}


class MeOut(Schema):
    username: str
    name: str
    role: str
    scope_area: Ref | None
    units: list[UnitRef]


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who the caller is and what scope they act in")
def me(request: HttpRequest):
    u = request.user
    area = {"code": u.scope_area_id, "name": u.scope_area.name} if u.scope_area_id else None
    return {"username": u.username, "name": u.display_name, "role": u.role, "scope_area": area,
            "units": [{"id": x.pk, "code": x.code, "name": x.name} for x in u.units.all()]}
