"""The public board (公开栏): a filtered, paged list of public cases with their latest step and result.

What is public and how it is masked is decided in ``access`` (``board_cases``,
``board_view``); this module only narrows (township, village, state) and
pages (keyset, newest first) for the web page and the REST endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jiceng.areas.models import Area, AreaLevel

from . import access
from .errors import InvalidInput
from .filters import CaseFilter, filter_cases, page_of
from .states import State

BOARD_PAGE_SIZE = 20


def _is_code(value: str) -> bool:
    """A 12-digit area code; anything else is not looked up at all."""
    return len(value) == 12 and value.isascii() and value.isdigit()


@dataclass
class BoardFilter:
    """Where and in which state: a township (12-digit code), one of its villages, a state or "open"."""

    township: str = ""
    village: str = ""
    state: str = ""
    before: int | None = None

    @classmethod
    def from_params(cls, params) -> "BoardFilter":
        f = CaseFilter.from_params({"before": params.get("before", "")})  # the same page-position check as every list
        get = params.get
        return cls(township=str(get("township", "") or "").strip(), village=str(get("village", "") or "").strip(),
                   state=str(get("state", "") or "").strip(), before=f.before)

    def area(self) -> Area | None:
        """The place asked for: the village if given (it must lie in the township), else the township; InvalidInput otherwise."""
        township = village = None
        if self.township:
            township = Area.objects.filter(code=self.township, level=AreaLevel.TOWNSHIP).first() if _is_code(self.township) else None
            if township is None:
                raise InvalidInput(_("Choose a township or street from the list"), field="township")
        if self.village:
            village = Area.objects.filter(code=self.village, level=AreaLevel.VILLAGE).first() if _is_code(self.village) else None
            if village is None or (township is not None and village.parent_id != township.code):
                raise InvalidInput(_("Choose a village or community of the chosen township"), field="village")
        return village or township

    def query(self) -> dict[str, str]:
        """The filters as query-string values, for the next-page link."""
        return {k: v for k, v in (("township", self.township), ("village", self.village), ("state", self.state)) if v}


@dataclass
class BoardPage:
    items: list[dict]
    next_before: int | None
    total: int


def board_states() -> list[tuple[str, str]]:
    """The states a visitor may filter by: every state the board shows."""
    return [(value, label) for value, label in State.choices if value not in access.BOARD_HIDDEN_STATES]


def board_page(f: BoardFilter, size: int = BOARD_PAGE_SIZE) -> BoardPage:
    """One page of the board, newest first; InvalidInput (a Chinese message) for a bogus place, state or position."""
    area = f.area()
    if f.state and f.state != "open" and f.state not in dict(board_states()):
        raise InvalidInput(_("Choose a state from the list"), field="state")
    scoped = filter_cases(access.board_cases(), CaseFilter(state=f.state, area=area.code if area else ""))
    page, next_before = page_of(filter_cases(scoped, CaseFilter(before=f.before)).select_related("category", "area", "unit"), size)
    progress = access.latest_public_events([c.pk for c in page])
    return BoardPage([access.board_view(c, progress.get(c.pk)) for c in page], next_before, scoped.count())


def townships() -> list[Area]:
    return list(Area.objects.filter(level=AreaLevel.TOWNSHIP).order_by("code"))


def villages_of(township_code: str) -> list[Area]:
    return list(Area.objects.filter(level=AreaLevel.VILLAGE, parent_id=township_code).order_by("code")) if township_code else []
