"""Schemas every app's REST router shares: the error shape and references."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    code: str = Field(description="Stable machine code, e.g. invalid, forbidden, not_found, invalid_transition, conflict")
    message: str = Field(description="Human message in the request's language (Chinese by default)")
    field: str | None = Field(None, description="The input field at fault, when there is one")


class Ref(Schema):
    code: str
    name: str


class UnitRef(Schema):
    id: int
    code: str
    name: str
