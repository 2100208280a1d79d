"""Cold start of the routing suggestion: what a county has on its first day.

No history is needed. Each leaf category is described, as data, in the case
configuration (``synonyms`` and ``phrasings`` in its entry, see
docs/case-configuration.md); a shipped lexicon (``defaults/lexicon.toml``, added
to by ``[router.lexicon]`` in the triage configuration) maps colloquial and local
words and common typos to standard terms. A complaint is scored against every
category by two signals:

* **semantic** — the best cosine similarity between the complaint's sentence
  embedding (:mod:`.semantic`, a multilingual model shipped in a wheel) and the
  category's prototypes (its name, description and each typical phrasing);
* **lexical** — how many of the category's words (name, synonyms, configured
  keywords) occur in the complaint once the lexicon's standard terms are added.

``raw = semantic + lexical_weight · lexical``. A softmax over the categories
plus one "none of them" option whose score is ``none_score`` turns the raw scores
into probabilities; when "none" wins, the answer is 无法判断. The constants were
fitted on the development half of the hand-written evaluation set
(tests/triage/data) and are reported on the other half (docs/triage.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jiceng.cases.models import Category

from . import semantic
from .config import section

LEXICON_FILE = Path(__file__).parent / "defaults" / "lexicon.toml"
# Fitted on the development half of tests/triage/data/complaints.tsv (bench/triage_eval.py --fit).
DEFAULTS = {"lexical_weight": 0.1, "temperature": 0.05, "none_score": 0.4, "out_of_scope_offset": 0.15, "multi_score": 0.55,
            "multi_margin": 0.25, "history_half": 10000.0}
# Clause boundaries for complaints that name several matters in one breath.
_CLAUSE_SPLIT = re.compile(r"[，,。；;！!？?\n]+|还有|另外|而且|并且|同时|再就是|再说")
_MIN_CLAUSE = 4
_MAX_CLAUSES = 8  # a long letter is judged on its first clauses; keeps a suggestion fast
_MAX_CHARS = 1000  # the embedding of a longer text is taken of its beginning


def params() -> dict[str, float]:
    cfg = section("router").get("coldstart", {}) or {}
    return {k: float(cfg.get(k, v)) for k, v in DEFAULTS.items()}


# --- the lexicon ---------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _shipped_lexicon() -> dict[str, list[str]]:
    with LEXICON_FILE.open("rb") as fh:
        return dict(tomllib.load(fh).get("lexicon", {}))


def lexicon() -> dict[str, list[str]]:
    """Standard term → variants: the shipped lexicon with the county's ``[router.lexicon]`` added."""
    merged = {k: list(v) for k, v in _shipped_lexicon().items()}
    for term, variants in (section("router").get("lexicon", {}) or {}).items():
        merged.setdefault(term, [])
        merged[term].extend(v for v in variants if v not in merged[term])
    return merged


def lexicon_digest() -> str:
    """Changes when the county's ``[router.lexicon]`` does (the shipped one is fixed per release): for caches of expanded text."""
    return _digest(section("router").get("lexicon", {}) or {})


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def expand(text: str) -> str:
    """The text with the standard term of every lexicon variant it contains appended."""
    text = normalise(text)
    extra = [term for term, variants in lexicon().items() if term not in text and any(v and v in text for v in variants)]
    return f"{text} {' '.join(extra)}" if extra else text


# --- category profiles -----------------------------------------------------------

@dataclass(frozen=True)
class Profiles:
    codes: list[str]
    terms: list[tuple[str, ...]]  # per category: words whose presence is lexical evidence
    prototypes: np.ndarray  # P × 512 embeddings
    owner: np.ndarray  # P: index of the category each prototype belongs to
    out_of_scope: np.ndarray  # Q × 512 embeddings of requests that are not the platform's matters


_profiles_lock = threading.Lock()
_profiles_cache: dict[str, Profiles] = {}
_rows_cache: dict[tuple, tuple[list, str]] = {}


def _leaf_rows() -> tuple[list[tuple[str, str, str, str, dict]], str]:
    """(code, name, parent name, description, vocabulary) of active leaf categories, in configuration order,
    and a digest of them.

    Read again only when the categories change: a post_save/post_delete signal on
    Category clears the cache (see signals.py), and the count and highest id are
    checked on each call (one indexed aggregate) for changes made another way.
    """
    from django.db.models import Count, Max

    stamp = tuple(Category.objects.aggregate(n=Count("id"), top=Max("id")).values())
    with _profiles_lock:
        hit = _rows_cache.get(stamp)
    if hit is None:
        qs = Category.objects.filter(active=True, children__isnull=True).order_by("sort_order", "code").values_list(
            "code", "name", "parent__name", "description", "vocabulary")
        rows = [(code, name, parent or "", desc or "", vocab or {}) for code, name, parent, desc, vocab in qs]
        hit = (rows, _digest(rows))
        with _profiles_lock:
            _rows_cache.clear()
            _rows_cache[stamp] = hit
    return hit


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def forget_categories() -> None:
    """Drop the cached category rows (called when a category is saved or deleted)."""
    with _profiles_lock:
        _rows_cache.clear()


def profiles() -> Profiles:
    """The categories' words and prototype embeddings, rebuilt only when the configuration changes."""
    rows, rows_digest = _leaf_rows()
    keywords = section("router").get("keywords", {}) or {}
    outside = [normalise(t) for t in (section("router").get("out_of_scope", {}) or {}).get("phrasings", [])]
    signature = rows_digest + _digest([keywords, outside])
    with _profiles_lock:
        cached = _profiles_cache.get(signature)
    if cached is not None:
        return cached
    codes, terms, texts, owner = [], [], [], []
    for i, (code, name, parent, desc, vocab) in enumerate(rows):
        synonyms = [normalise(w) for w in vocab.get("synonyms", [])] + [normalise(w) for w in keywords.get(code, [])]
        codes.append(code)
        terms.append(tuple(dict.fromkeys([normalise(name), *synonyms])))
        protos = [f"{parent}{name}", *(vocab.get("phrasings", []) or [])]
        if desc:
            protos.append(desc)
        if synonyms:
            protos.append("、".join(synonyms[:12]))
        texts.extend(normalise(p) for p in protos)
        owner.extend([i] * len(protos))
    empty = np.zeros((0, semantic.DIM), np.float32)
    built = Profiles(codes, terms, semantic.embed(texts) if texts else empty, np.array(owner, dtype=np.int64),
                     semantic.embed(outside) if outside else empty)
    with _profiles_lock:
        _profiles_cache.clear()
        _profiles_cache[signature] = built
    return built


# --- scoring ----------------------------------------------------------------------

def _lexical(text: str, prof: Profiles) -> np.ndarray:
    """Per category: 1 − 0.5^hits, a single character counting half (one-character words are ambiguous)."""
    out = np.zeros(len(prof.codes))
    for i, words in enumerate(prof.terms):
        hits = sum(1.0 if len(w) > 1 else 0.25 for w in words if w and w in text)
        out[i] = 1.0 - 0.5 ** hits
    return out


def raw_scores(texts: list[str], prof: Profiles | None = None) -> tuple[Profiles, np.ndarray, np.ndarray, np.ndarray]:
    """(profiles, semantic n×C, lexical n×C, out-of-scope similarity n) for several texts in one embedding batch."""
    prof = prof or profiles()
    expanded = [expand(t) for t in texts]
    vectors = semantic.embed(expanded)
    sims = vectors @ prof.prototypes.T  # n × P
    sem = np.full((len(texts), len(prof.codes)), -1.0)
    for j in range(len(prof.codes)):
        cols = prof.owner == j
        if cols.any():
            sem[:, j] = sims[:, cols].max(axis=1)
    lex = np.array([_lexical(t, prof) for t in expanded]) if texts else np.zeros((0, len(prof.codes)))
    outside = (vectors @ prof.out_of_scope.T).max(axis=1) if len(prof.out_of_scope) else np.full(len(texts), -1.0)
    return prof, sem, lex, outside


def combine(sem: np.ndarray, lex: np.ndarray, p: dict[str, float]) -> np.ndarray:
    return sem + p["lexical_weight"] * lex


def probabilities(raw: np.ndarray, p: dict[str, float], outside: float = -1.0) -> tuple[np.ndarray, float]:
    """Softmax over the categories and a "none of them" option: (per category, none).

    "None" scores ``none_score``, or the complaint's similarity to the
    out-of-scope prototypes plus ``out_of_scope_offset`` when that is higher.
    """
    logits = np.append(raw, max(p["none_score"], outside + p["out_of_scope_offset"])) / max(p["temperature"], 1e-6)
    logits -= logits.max()
    e = np.exp(logits)
    e /= e.sum()
    return e[:-1], float(e[-1])


def clauses(text: str) -> list[str]:
    """The parts of a complaint between punctuation and connectives (还有, 另外, 而且…), long enough to mean something."""
    return [c.strip() for c in _CLAUSE_SPLIT.split(normalise(text)) if len(c.strip()) >= _MIN_CLAUSE]


@dataclass(frozen=True)
class ColdResult:
    codes: list[str]
    proba: np.ndarray  # per category
    none: float  # probability of "none of them"
    raw: np.ndarray
    second_issue: str | None  # code of another matter named in the same complaint


def assess(text: str, p: dict[str, float] | None = None) -> ColdResult:
    """Score one complaint; also look, clause by clause, for a second matter."""
    p = p or params()
    text = text[:_MAX_CHARS]
    parts = clauses(text)[:_MAX_CLAUSES]
    batch = [text, *parts] if len(parts) >= 2 else [text]
    prof, sem, lex, outside = raw_scores(batch)
    raw_all = combine(sem, lex, p)
    proba, none = probabilities(raw_all[0], p, float(outside[0]))
    second = None
    if len(batch) > 1:
        second = _second_issue(int(np.argmax(raw_all[0])), raw_all[1:], p)
    return ColdResult(prof.codes, proba, none, raw_all[0], prof.codes[second] if second is not None else None)


def _second_issue(top: int, clause_raw: np.ndarray, p: dict[str, float]) -> int | None:
    """A category that some clause points to clearly, other than the complaint's first one.

    The clause must score it at least ``multi_score`` and by ``multi_margin``
    above the first category in that clause (so a clause that merely adds
    detail to the same matter does not count).
    """
    best, best_raw = None, -1.0
    for row in clause_raw:
        j = int(np.argmax(row))
        if j == top:
            continue
        if row[j] >= p["multi_score"] and row[j] - row[top] >= p["multi_margin"] and row[j] > best_raw:
            best, best_raw = j, float(row[j])
    return best


# --- the matter of a report, for repeat detection -------------------------------------

def matter_distribution(vectors: np.ndarray, p: dict[str, float] | None = None, prof: Profiles | None = None) -> np.ndarray:
    """Per report (rows of sentence embeddings, n × 512): a probability over the categories (n × C).

    The semantic half of the cold-start score only, so it is one matrix product
    for hundreds of stored candidates (their embeddings are in CaseKey); two
    reports of the same matter land on the same categories, two matters at one
    place mostly do not. Rows without an embedding (zeros) give a flat row.
    """
    p = p or params()
    prof = prof or profiles()
    n, c = len(vectors), len(prof.codes)
    if n == 0 or c == 0 or not len(prof.prototypes):
        return np.full((n, max(c, 1)), 1.0 / max(c, 1))
    sims = vectors.astype(np.float32) @ prof.prototypes.T.astype(np.float32)  # n × P
    starts = np.searchsorted(prof.owner, np.arange(c))  # prototypes are stored category by category
    sem = np.maximum.reduceat(sims, starts, axis=1)  # per category: its best prototype
    logits = sem / max(p["temperature"], 1e-6)
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)
