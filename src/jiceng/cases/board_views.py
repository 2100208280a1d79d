"""Web page of the public board (公开栏): anyone, without an account, sees how public matters are handled.

Thin: what is public and how it is masked is ``access``'s; filtering and
paging ``board``'s.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import board
from .errors import CaseError


def board_page(request: HttpRequest) -> HttpResponse:
    ctx: dict = {"page": None, "error": "", "townships": board.townships(), "states": board.board_states()}
    try:
        f = board.BoardFilter.from_params(request.GET)
        ctx.update(f=f, villages=board.villages_of(f.township), params=urlencode(f.query()))
        ctx["page"] = board.board_page(f)
    except CaseError as exc:
        ctx["error"] = exc.message
        ctx.setdefault("f", board.BoardFilter())
    return render(request, "cases/board.html", ctx, status=400 if ctx["error"] else 200)
