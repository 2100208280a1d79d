"""Repeat detection at intake: likely earlier reports of the same matter.

Candidates come only from indexed lookups, so the cost does not grow with the
size of the ledger:

* CaseKey by the keyed hashes of phone and ID number (jiceng.sealed), and (area, address key), each
  limited to the window;
* recent cases of the area through the (area, created_at) index of cases;
* open cases of the area through the (state, area) index of cases;

each capped at ``max_scan`` rows. The candidates are then scored in Python
(see :func:`score_pair`) and, when a viewer is given, filtered through
``visible_cases``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.accounts.models import User
from jiceng.cases.access import visible_cases, visible_cases_q
from jiceng.cases.actions import do_case_action
from jiceng.cases.errors import CaseError, Conflict, InvalidInput, NotPermitted
from jiceng.cases.models import Case
from jiceng.cases.states import OPEN_STATES, Action, State
from jiceng.sealed import blind_indexes

from . import coldstart, semantic
from .config import section
from .keys import embeddings_for, key_for
from .models import CaseKey, CaseLink, LinkKind
from .text import cosine

REASON_LABELS = {
    "same_person": gettext_lazy("same reporter"),
    "same_phone": gettext_lazy("same phone number"),
    "same_id_number": gettext_lazy("same ID number"),
    "same_address": gettext_lazy("same address"),
    "same_grid": gettext_lazy("same grid"),
    "same_category": gettext_lazy("same category"),
    "text": gettext_lazy("similar text"),
    "meaning": gettext_lazy("similar meaning"),
    "other_matter": gettext_lazy("different matter at the same place"),
    "other_subject": gettext_lazy("names a different thing"),
}


@dataclass(frozen=True)
class Draft:
    """What is known of a matter being taken in (a case not yet saved, or a saved one)."""

    area_id: str
    title: str = ""
    description: str = ""
    address: str = ""
    grid_id: int | None = None
    category_id: int | None = None
    reporter_phone: str = ""
    reporter_id_number: str = ""
    created_at: datetime | None = None
    case_id: int | None = None  # the case itself, excluded from its own candidates

    @classmethod
    def of(cls, case: Case) -> "Draft":
        return cls(
            area_id=case.area_id, title=case.title, description=case.description, address=case.address, grid_id=case.grid_id,
            category_id=case.category_id, reporter_phone=case.reporter_phone, reporter_id_number=case.reporter_id_number,
            created_at=case.created_at, case_id=case.pk,
        )


@dataclass(frozen=True)
class Reason:
    code: str
    value: float  # the signal in [0, 1]

    @property
    def label(self) -> str:
        return str(REASON_LABELS.get(self.code, self.code))


@dataclass
class Candidate:
    case: Case
    score: float
    reasons: list[Reason] = field(default_factory=list)

    likely: bool = False  # score at or above ``likely_score``: probably the same matter

    @property
    def percent(self) -> int:
        return round(self.score * 100)


@dataclass(frozen=True)
class Keys:
    """The comparable keys of a case or draft."""

    phone_hash: str
    id_hash: str
    address_key: str
    grid_id: int | None
    category_id: int | None
    tokens: frozenset[str]
    meaning: np.ndarray | None = None  # sentence embedding (unit vector), see semantic.py
    matter: np.ndarray | None = None  # probability over the categories (coldstart.matter_distribution)
    subjects: frozenset[tuple[int, int]] = frozenset()  # (contrast group, subject) named, see contrast_subjects
    things: frozenset[tuple[int, int]] = frozenset()  # those of groups of things (SubjectGroups.apart)


@dataclass(frozen=True)
class MatterRule:
    """How the matter of two reports tempers their score (``[repeats]`` of the triage configuration).

    * ``agreement`` — the place signals (same address, grid, category) count fully
      only when the two reports' category distributions overlap at least this much,
      in proportion below it: two matters at one address are not one matter;
    * ``contrast_keep`` — when the reports name different subjects of one contrast
      group (停水 / 停电, 路灯 / 红绿灯 …) and no common one, the score is multiplied by this.
    """

    agreement: float = 0.0
    contrast_keep: float = 1.0
    # and the whole score is multiplied by floor + (1 − floor)·(agreement share): at 1.0 only the place signals are tempered
    floor: float = 1.0
    # one address written inside the other ("西街" and "西街KTV", "长岭村" and "长岭村小学"): this much of a same-address signal
    address_contains: float = 0.0
    # both reports name things (subjects of the groups of things) but not one in common (电鱼 against 倒垃圾): the score is multiplied by this
    apart_keep: float = 1.0


def matter_rule(cfg: dict) -> MatterRule:
    return MatterRule(float(cfg.get("matter_agreement", 0.0)), float(cfg.get("contrast_keep", 1.0)),
                      float(cfg.get("matter_floor", 1.0)), float(cfg.get("address_contains", 0.0)), float(cfg.get("apart_keep", 1.0)))


def address_match(a: str, b: str, contains: float) -> float:
    """1 for the same normalised address, ``contains`` when one holds the other (at least two characters), else 0."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    return contains if len(short) >= 2 and short in long_ else 0.0


class SubjectGroups(list):
    """``[[repeats.contrast]]`` groups: per group, per subject, the words that name it.

    ``apart`` holds the groups of *things* (电梯, 垃圾清运, 工资 …), which count for the
    "nothing in common" rule; a group marked ``apart = false`` names ways a thing is wrong
    (吵 / 臭 / 冒烟) and contrasts only within itself, since a caller often adds one in passing."""

    def __init__(self, groups: list[tuple[tuple[str, ...], ...]], apart: frozenset[int]):
        super().__init__(groups)
        self.apart = apart
        # A short string naming these groups and the county's lexicon (its words name subjects too), so the
        # per-text cache below neither re-hashes the groups at every call nor serves an entry from before a change.
        self.key = f"{hash((tuple(groups), apart))}:{coldstart.lexicon_digest()}"
        _GROUPS.setdefault(self.key, tuple(groups))


_GROUPS: dict[str, tuple] = {}


def contrast_groups(cfg: dict) -> SubjectGroups:
    groups = cfg.get("contrast", [])
    return SubjectGroups([tuple(tuple(w for w in subject if w) for subject in group.get("subjects", [])) for group in groups],
                         frozenset(g for g, group in enumerate(groups) if group.get("apart", True)))


def contrast_subjects(text: str, groups: list) -> frozenset[tuple[int, int]]:
    """The (group, subject) pairs whose words occur in ``text`` or among the lexicon's standard terms for it.

    The lexicon maps callers' words to standard ones (路登 → 路灯, 没得水 → 停水), so a
    subject is named however the caller spells it. Cached per text: candidates come back at every lookup."""
    if not isinstance(groups, SubjectGroups):
        groups = SubjectGroups([tuple(tuple(w) for w in g) for g in groups], frozenset(range(len(groups))))
    return _subjects_cached(text, groups.key)


@functools.lru_cache(maxsize=8192)
def _subjects_cached(text: str, key: str) -> frozenset[tuple[int, int]]:
    groups = _GROUPS[key]
    said = coldstart.normalise(text)
    named = _named(said, groups, range(len(groups)))
    # What the caller said wins over what the lexicon guesses: its standard terms name subjects
    # only in groups the text itself names none of ("红绿灯坏了" is not also a 路灯 because of "灯坏了").
    guessed = _named(coldstart.expand(said), groups, set(range(len(groups))) - {g for g, _s in named})
    return named | guessed


def _named(text: str, groups: tuple, which) -> frozenset[tuple[int, int]]:
    return frozenset((g, s) for g in which for s, words in enumerate(groups[g]) if any(w in text for w in words))


def _contrasting(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> bool:
    """Both name subjects of one group, and none in common: 停水 against 停电."""
    for g in {g for g, _s in a} & {g for g, _s in b}:
        if not {s for gg, s in a if gg == g} & {s for gg, s in b if gg == g}:
            return True
    return False


def _apart(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> bool:
    """Both name subjects, and not one in common: the two reports are about different things."""
    return bool(a) and bool(b) and not (a & b)


def matter_overlap(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    if a is None or b is None:
        return None
    return float(np.minimum(a, b).sum())


def _keys_of_draft(d: Draft, groups: SubjectGroups | None = None) -> Keys:
    k = key_for(Case(pk=d.case_id, area_id=d.area_id, created_at=d.created_at, category_id=d.category_id, reporter_phone=d.reporter_phone,
                     reporter_id_number=d.reporter_id_number, address=d.address, title=d.title, description=d.description), with_embedding=True)
    groups = contrast_groups(section("repeats")) if groups is None else groups
    return _keys_of(k, d.grid_id, d.category_id, groups, text=f"{d.title}\n{d.description}")


def _keys_of(k: CaseKey, grid_id: int | None, category_id: int | None, groups: SubjectGroups,
             matter: np.ndarray | None = None, text: str | None = None) -> Keys:
    """Keys of a stored or draft CaseKey; the matter computed here unless given (computed in bulk for candidates).

    ``text`` (title and description) is where the subjects are looked for; without it, the stored tokens.
    Pass ``groups=[]`` to leave the subjects out (see ``with_subjects``)."""
    meaning = semantic.from_bytes(k.embedding)
    if matter is None and meaning is not None:
        matter = coldstart.matter_distribution(meaning[None, :])[0]
    subjects = contrast_subjects("".join(k.tokens.split()) if text is None else text, groups) if groups else frozenset()
    apart = getattr(groups, "apart", frozenset(range(len(groups))))
    return Keys(k.phone_hash, k.id_hash, k.address_key, grid_id, category_id, frozenset(k.tokens.split()), meaning,
                matter, subjects, frozenset(x for x in subjects if x[0] in apart))


def with_subjects(keys: Keys, text: str, groups: SubjectGroups) -> Keys:
    """``keys`` with the subjects ``text`` names (for a candidate whose score without them is high enough to matter)."""
    subjects = contrast_subjects(text, groups)
    return replace(keys, subjects=subjects, things=frozenset(x for x in subjects if x[0] in groups.apart))


def meaning_signal(a: np.ndarray | None, b: np.ndarray | None, low: float, high: float) -> float:
    """Cosine similarity of two sentence embeddings mapped to [0, 1]: 0 at ``low`` or below, 1 at ``high`` or above."""
    if a is None or b is None or high <= low:
        return 0.0
    return float(min(1.0, max(0.0, (float(a @ b) - low) / (high - low))))


PLACE_SIGNALS = ("same_address", "same_grid", "same_category")


def score_pair(a: Keys, b: Keys, weights: dict[str, float], meaning_range: tuple[float, float] = (0.4, 0.7),
               rule: MatterRule | None = None) -> tuple[float, list[Reason]]:
    """Combine the signals between two cases into one score in [0, 1].

    Each signal s ∈ [0, 1] with weight w ∈ [0, 1] contributes ``1 - w·s`` to a
    product, and the score is ``1 - product`` (a "noisy or"): one strong signal
    is enough, more signals raise the score, it never exceeds 1, and it never
    falls when a signal is added. With a :class:`MatterRule`, the place signals
    are scaled by how much the two reports' matters agree, and the score of what
    the reports say and where (all but the same person) is multiplied by the
    matter factor, and by ``contrast_keep`` for contrasting subjects (停水 / 停电).
    """
    rule = rule or MatterRule()
    overlap = matter_overlap(a.matter, b.matter)
    place = 1.0 if overlap is None or rule.agreement <= 0 else min(1.0, overlap / rule.agreement)
    reasons: list[Reason] = []
    if a.phone_hash and a.phone_hash == b.phone_hash:
        reasons.append(Reason("same_phone", 1.0))
    if a.id_hash and a.id_hash == b.id_hash:
        reasons.append(Reason("same_id_number", 1.0))
    if address := address_match(a.address_key, b.address_key, rule.address_contains):
        reasons.append(Reason("same_address", round(address * place, 3)))
    if a.grid_id is not None and a.grid_id == b.grid_id:
        reasons.append(Reason("same_grid", round(place, 3)))
    if a.category_id is not None and a.category_id == b.category_id:
        reasons.append(Reason("same_category", round(place, 3)))
    sim = cosine(a.tokens, b.tokens)
    if sim > 0:
        reasons.append(Reason("text", round(sim, 3)))
    meaning = meaning_signal(a.meaning, b.meaning, *meaning_range)
    if meaning > 0:
        reasons.append(Reason("meaning", round(meaning, 3)))
    keep_person = keep = 1.0
    for r in reasons:
        if r.code in ("same_phone", "same_id_number"):
            # phone and ID number are one signal (the same person), and the matter does not temper it:
            # the same caller is worth showing whatever they call about
            keep_person = 1.0 - max(0.0, min(1.0, weights.get("same_person", 0.0)))
        else:
            keep *= 1.0 - max(0.0, min(1.0, weights.get(r.code, 0.0))) * r.value
    said = (1.0 - keep) * (rule.floor + (1.0 - rule.floor) * place)
    if place < 1.0 and (rule.floor < 1.0 or any(r.code in PLACE_SIGNALS for r in reasons)):
        reasons.append(Reason("other_matter", round(1.0 - place, 3)))
    if rule.contrast_keep < 1.0 and _contrasting(a.subjects, b.subjects):
        said *= max(0.0, rule.contrast_keep)
        reasons.append(Reason("other_subject", round(1.0 - rule.contrast_keep, 3)))
    elif rule.apart_keep < 1.0 and _apart(a.things, b.things):
        said *= max(0.0, rule.apart_keep)
        reasons.append(Reason("other_subject", round(1.0 - rule.apart_keep, 3)))
    score = 1.0 - keep_person * (1.0 - said)
    return max(0.0, min(1.0, score)), reasons


def _candidate_ids(d: Draft, keys: Keys, since: datetime, until: datetime, cap: int) -> set[int]:
    ids: set[int] = set()
    window = {"created_at__gte": since, "created_at__lte": until}
    # The keyed hash under every key of the ring, so a lookup during a key rotation still finds older rows.
    if keys.phone_hash:
        phones = blind_indexes(d.reporter_phone, "phone")
        ids.update(CaseKey.objects.filter(phone_hash__in=phones, area_id=d.area_id, **window).order_by("-created_at").values_list("case_id", flat=True)[:cap])
    if keys.id_hash:
        id_numbers = blind_indexes(d.reporter_id_number, "id_number")
        ids.update(CaseKey.objects.filter(id_hash__in=id_numbers, area_id=d.area_id, **window).order_by("-created_at").values_list("case_id", flat=True)[:cap])
    if keys.address_key:
        ids.update(CaseKey.objects.filter(area_id=d.area_id, address_key=keys.address_key, **window).order_by("-created_at").values_list("case_id", flat=True)[:cap])
    ids.update(Case.objects.filter(area_id=d.area_id, **window).order_by("-created_at").values_list("pk", flat=True)[:cap])
    # One query per open state, so each is a seek in the (state, area) index; with
    # "state IN (…)" SQLite prefers the area index and walks every case of the village.
    for state in sorted(OPEN_STATES):
        ids.update(Case.objects.filter(state=state, area_id=d.area_id).order_by("-pk").values_list("pk", flat=True)[:cap])
    ids.discard(d.case_id)
    return ids


def find_repeat_candidates(
    case_or_draft: Case | Draft,
    *,
    window_days: int | None = None,
    limit: int | None = None,
    user: User | None = None,
    min_score: float | None = None,
    weights: dict[str, float] | None = None,
) -> list[Candidate]:
    """Likely repeats of a case (or draft) among open or recent cases of the same area.

    "Recent" means submitted within ``window_days`` before it; open cases count
    at any age. With ``user``, only cases visible to that user are returned.
    Defaults come from the ``[repeats]`` section of the triage configuration.
    Best first; merged cases are never candidates (their original is).
    """
    cfg = section("repeats")
    window_days = cfg.get("window_days", 30) if window_days is None else window_days
    limit = cfg.get("limit", 10) if limit is None else limit
    min_score = cfg.get("min_score", 0.25) if min_score is None else min_score
    weights = {**cfg.get("weights", {}), **(weights or {})}
    cap = int(cfg.get("max_scan", 400))
    d = Draft.of(case_or_draft) if isinstance(case_or_draft, Case) else case_or_draft
    at = d.created_at or timezone.now()
    keys = _keys_of_draft(d, contrast_groups(cfg))
    ids = _candidate_ids(d, keys, at - timedelta(days=window_days), at, cap)
    # A later case can also be an earlier one's repeat, but at intake only what came before counts.
    qs = Case.objects.filter(pk__in=ids).exclude(state=State.MERGED).filter(created_at__lte=at)
    if user is not None:
        # The scope rule of visible_cases(user), applied to the candidates only: wrapping
        # visible_cases() would make the database evaluate the user's whole visible set
        # (0.3 s for a township at 100k cases) just to intersect it with a few hundred ids.
        q = visible_cases_q(user)
        if q is not None:
            qs = qs.filter(pk__in=Case.objects.filter(pk__in=ids).filter(q).values("pk"))
    cases = {c.pk: c for c in qs.select_related("category", "unit").only(
        "number", "title", "description", "state", "created_at", "area_id", "grid_id", "category__name", "category_id", "unit__name",
        "address")}
    stored = {k.case_id: k for k in CaseKey.objects.filter(case_id__in=cases)}
    missing = [pk for pk in cases if pk not in stored]
    if missing:  # cases from before the index existed: compute their keys on the fly
        for c in Case.objects.filter(pk__in=missing):
            stored[c.pk] = key_for(c)
    _fill_embeddings([stored[pk] for pk in cases], int(cfg.get("embed_per_lookup", 32)))
    meaning_range = (float(cfg.get("meaning_low", 0.4)), float(cfg.get("meaning_high", 0.7)))
    likely = float(cfg.get("likely_score", 0.5))
    rule, groups = matter_rule(cfg), contrast_groups(cfg)
    matters = _matters([stored[pk] for pk in cases])
    out: list[Candidate] = []
    no_groups = SubjectGroups([], frozenset())
    for pk, case in cases.items():
        other = _keys_of(stored[pk], case.grid_id, case.category_id, no_groups, matters.get(pk))
        score, reasons = score_pair(keys, other, weights, meaning_range, rule)
        # The subjects only ever lower a score, so they are looked for only where the score without them is shown.
        if score >= min_score and keys.subjects:
            other = with_subjects(other, f"{case.title}\n{case.description}", groups)
            score, reasons = score_pair(keys, other, weights, meaning_range, rule)
        if score >= min_score:
            out.append(Candidate(case, round(score, 4), reasons, likely=score >= likely))
    out.sort(key=lambda c: (-c.score, -c.case.pk))
    return out[:limit]


def _matters(keys: list[CaseKey]) -> dict[int, np.ndarray]:
    """The category distributions of the candidates with an embedding, in one matrix product."""
    with_vectors = [(k.case_id, semantic.from_bytes(k.embedding)) for k in keys if k.embedding is not None]
    if not with_vectors:
        return {}
    rows = coldstart.matter_distribution(np.stack([v for _pk, v in with_vectors]))
    return {pk: row for (pk, _v), row in zip(with_vectors, rows, strict=True)}


def _fill_embeddings(keys: list[CaseKey], cap: int) -> None:
    """Compute (and store, for next time) the embeddings of candidates indexed without one (bulk imports).

    At most ``cap`` per lookup, newest first, so a lookup in a village full of
    bulk-imported cases stays fast; the rest are compared by their tokens until a
    later lookup (or ``jiceng triage-index --embeddings``) fills them in.
    """
    todo = sorted((k for k in keys if not k.embedding), key=lambda k: -k.case_id)[:cap]
    if not todo:
        return
    rows = Case.objects.filter(pk__in=[k.case_id for k in todo]).only("title", "description").in_bulk()
    with_case = [k for k in todo if k.case_id in rows]
    for k, blob in zip(with_case, embeddings_for([rows[k.case_id] for k in with_case]), strict=True):
        k.embedding = blob
    saved = [k for k in with_case if k._state.adding is False]
    if saved:
        CaseKey.objects.bulk_update(saved, ["embedding"], batch_size=500)


# --- linking ---------------------------------------------------------------

def do_link_repeat(case: Case | str, original: Case | str, user: User, *, note: str = "", score: float | None = None,
                   now: datetime | None = None) -> CaseLink:
    """Mark ``case`` as a repeat (重复件) of ``original``; both stay open.

    Recorded as a CaseLink (who, when) and, in the same transaction, as a
    progress note through ``do_case_action`` on the first of the two cases
    whose state and the user's role allow a note, so it is in the audited,
    hash-chained history. (Before a case is signed for, its dispatcher may
    note on it; afterwards its handler. The other case is tried when the
    user may not note on the first.)
    """
    now = now or timezone.now()
    visible = visible_cases(user)
    number = case.number if isinstance(case, Case) else str(case).strip()
    orig_number = original.number if isinstance(original, Case) else str(original).strip()
    case_obj = visible.filter(number=number).first()
    orig_obj = visible.filter(number=orig_number).first()
    if case_obj is None:
        raise InvalidInput(_("Case %(number)s does not exist or is not visible to you") % {"number": number}, field="case")
    if orig_obj is None:
        raise InvalidInput(_("Case %(number)s does not exist or is not visible to you") % {"number": orig_number}, field="original")
    if case_obj.pk == orig_obj.pk:
        raise InvalidInput(_("A case cannot be a repeat of itself"), field="original")
    if not may_link(user, case_obj):
        raise NotPermitted(_("Only staff who accept and dispatch this case may mark it as a repeat."))
    text = _("Repeat (重复件) of case %(original)s") % {"original": orig_obj.number}
    if note.strip():
        text = f"{text}: {note.strip()}"
    try:
        with transaction.atomic():
            link = CaseLink.objects.create(case=case_obj, original=orig_obj, kind=LinkKind.REPEAT, score=score, note=note.strip()[:2000],
                                           created_by=user, created_at=now)
            for target, line in ((case_obj, text), (orig_obj, _("Case %(case)s was marked as a repeat of this case") % {"case": case_obj.number})):
                try:
                    with transaction.atomic():
                        do_case_action(target, Action.NOTE, user, {"note": line}, now=now)
                    break
                except (CaseError,) as exc:
                    if isinstance(exc, Conflict):
                        raise
                    continue  # the state machine does not allow a note here; try the other case
    except IntegrityError:
        raise InvalidInput(_("Case %(case)s is already marked as a repeat of %(original)s") % {"case": case_obj.number, "original": orig_obj.number},
                           field="original") from None
    return link


def may_link(user: User, case: Case) -> bool:
    """Who may mark a case as a repeat: the same people who may merge it (dispatchers in scope)."""
    from jiceng.cases.access import actor_for
    from jiceng.cases import workflow

    return workflow.dispatcher(actor_for(user, case), case.snapshot()) or workflow.leader(actor_for(user, case), case.snapshot())


def repeats_of(case: Case, user: User) -> dict[str, list[CaseLink]]:
    """Links touching ``case`` that ``user`` may see: ``{"originals": [...], "repeats": [...]}``."""
    visible = visible_cases(user).values("pk")
    return {
        "originals": list(CaseLink.objects.filter(case=case, original__in=visible).select_related("original", "created_by")),
        "repeats": list(CaseLink.objects.filter(original=case, case__in=visible).select_related("case", "created_by")),
    }
