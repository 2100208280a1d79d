"""Routing suggestion (智能派单): category and responsible unit from text and location.

A classifier (jieba tokens → TF-IDF → multinomial logistic regression) learns
the category from the platform's own history of correctly dispatched cases:
cases that reached resolved/rated/closed and were never returned by a unit
(no ``return`` event). The unit follows from the category and the location
through the configured routing (``cases.routing.suggest_unit``), so routing
rules live in one place. The cold start (coldstart.py: the categories' synonyms
and phrasings, a lexicon and sentence embeddings) works from the first day; the
trained model is blended in with a weight that grows with the history.

The trained model is stored in the database (RouterModel) as an npz archive
of plain arrays (vocabulary, idf, coefficients); it is read without pickle.
"""

from __future__ import annotations

import io
import json
import threading
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import Exists, OuterRef
from django.utils import timezone

from jiceng.areas.models import Unit
from jiceng.cases.models import Case, CaseEvent, Category
from jiceng.cases.routing import suggest_unit
from jiceng.cases.states import Action, State

from . import coldstart
from .config import section
from .models import RouterModel
from .text import tokens

DONE_STATES = (State.RESOLVED, State.RATED, State.CLOSED)


@dataclass(frozen=True)
class Suggestion:
    category: Category
    unit: Unit | None
    confidence: float  # in [0, 1]
    source: str  # "coldstart" (no history yet) or "blend" (cold start and the model trained on history)

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)


def features(text: str, area_code: str = "") -> list[str]:
    """Tokens of the text plus the township as a location feature (matters differ by place)."""
    feats = tokens(text)
    if area_code and len(area_code) >= 9:
        feats.append(f"@town:{area_code[:9]}")
    return feats


# --- history ------------------------------------------------------------------

def training_cases():
    """Cases dispatched correctly: finished (resolved, rated or closed) and never returned by a unit."""
    returned = CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.RETURN)
    return Case.objects.filter(state__in=DONE_STATES).filter(~Exists(returned))


def history(limit: int | None = None) -> tuple[list[str], list[str], list[str]]:
    """(texts, area codes, leaf category codes) of the training cases, oldest first."""
    qs = training_cases().order_by("pk").values_list("title", "description", "area_id", "category__code")
    if limit:
        qs = qs[:limit]
    texts, areas, labels = [], [], []
    for title, description, area, code in qs.iterator(chunk_size=5000):
        texts.append(f"{title}\n{description}")
        areas.append(area)
        labels.append(code)
    return texts, areas, labels


# --- the model ------------------------------------------------------------------

@dataclass
class LinearModel:
    """TF-IDF (raw counts × smoothed idf, L2-normalised) and a softmax over linear scores."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # classes × features
    intercept: np.ndarray
    classes: list[str]

    def _vectorise(self, feats_list: list[list[str]]):
        from scipy.sparse import csr_matrix

        rows, cols, vals = [], [], []
        for i, feats in enumerate(feats_list):
            counts: dict[int, int] = {}
            for f in feats:
                j = self.vocabulary.get(f)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if counts:
                idx = np.fromiter(counts.keys(), dtype=np.int64)
                v = np.fromiter(counts.values(), dtype=np.float64) * self.idf[idx]
                v /= np.linalg.norm(v)
                rows.extend([i] * len(idx))
                cols.extend(idx.tolist())
                vals.extend(v.tolist())
        return csr_matrix((vals, (rows, cols)), shape=(len(feats_list), len(self.vocabulary)))

    def predict_proba(self, feats_list: list[list[str]]) -> np.ndarray:
        x = self._vectorise(feats_list)
        scores = np.asarray(x @ self.coef.T) + self.intercept
        if len(self.classes) == 2 and self.coef.shape[0] == 1:  # binary logistic regression: one column
            p = 1 / (1 + np.exp(-scores[:, 0]))
            return np.column_stack([1 - p, p])
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def dumps(self) -> bytes:
        buf = io.BytesIO()
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        np.savez_compressed(buf, idf=self.idf, coef=self.coef, intercept=self.intercept,
                            vocabulary=np.array(json.dumps(vocab, ensure_ascii=False)), classes=np.array(json.dumps(self.classes)))
        return buf.getvalue()

    @classmethod
    def loads(cls, blob: bytes) -> "LinearModel":
        with np.load(io.BytesIO(bytes(blob)), allow_pickle=False) as z:
            vocab = json.loads(str(z["vocabulary"]))
            return cls({t: i for i, t in enumerate(vocab)}, z["idf"], z["coef"], z["intercept"], json.loads(str(z["classes"])))


def fit(feats_list: list[list[str]], labels: list[str], *, seed: int = 42) -> LinearModel:
    """Fit TF-IDF and a multinomial logistic regression with scikit-learn."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=lambda feats: feats, min_df=1, sublinear_tf=False, smooth_idf=True, norm="l2")
    x = vec.fit_transform(feats_list)
    clf = LogisticRegression(C=10.0, max_iter=2000, random_state=seed)
    clf.fit(x, labels)
    vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
    return LinearModel(vocab, vec.idf_.astype(np.float64), clf.coef_.astype(np.float64), clf.intercept_.astype(np.float64),
                       [str(c) for c in clf.classes_])


@dataclass
class Evaluation:
    n_train: int
    n_test: int
    accuracy: float
    top3_accuracy: float
    top_level_accuracy: float
    classes: int


def _split(labels: list[str], test_share: float, seed: int) -> tuple[list[int], list[int]]:
    """Stratified, seeded split; classes with one example stay in training."""
    from sklearn.model_selection import train_test_split

    counts: dict[str, int] = {}
    for y in labels:
        counts[y] = counts.get(y, 0) + 1
    idx = [i for i, y in enumerate(labels) if counts[y] >= 2]
    single = [i for i, y in enumerate(labels) if counts[y] < 2]
    n_classes = len({labels[i] for i in idx})
    n_test = max(int(round(len(idx) * test_share)), n_classes)
    if not idx or n_test >= len(idx):
        return list(range(len(labels))), []
    train, test = train_test_split(idx, test_size=n_test, random_state=seed, stratify=[labels[i] for i in idx])
    return sorted(train + single), sorted(test)


def evaluate(model: LinearModel, feats_list: list[list[str]], labels: list[str]) -> tuple[float, float, float]:
    """(accuracy, top-3 accuracy, top-level accuracy) of ``model`` on examples."""
    if not labels:
        return 0.0, 0.0, 0.0
    proba = model.predict_proba(feats_list)
    order = np.argsort(-proba, axis=1)
    classes = np.array(model.classes)
    top1 = classes[order[:, 0]]
    top3 = classes[order[:, :3]]
    parent = _top_level_codes()
    acc = float(np.mean([p == y for p, y in zip(top1, labels, strict=True)]))
    acc3 = float(np.mean([y in row for row, y in zip(top3, labels, strict=True)]))
    top_acc = float(np.mean([parent.get(p, p) == parent.get(y, y) for p, y in zip(top1, labels, strict=True)]))
    return acc, acc3, top_acc


def _top_level_codes() -> dict[str, str]:
    out = {}
    for cat in Category.objects.select_related("parent"):
        out[cat.code] = cat.lineage()[-1].code
    return out


class NotEnoughHistory(Exception):
    def __init__(self, found: int, needed: int) -> None:
        super().__init__(f"{found} < {needed}")
        self.found, self.needed = found, needed


def train(*, test_share: float | None = None, seed: int | None = None, min_history: int | None = None, save: bool = True,
          limit: int | None = None, now: datetime | None = None) -> tuple[RouterModel | None, Evaluation]:
    """Train on the history, evaluate on a held-out stratified split, then refit on all and store.

    Raises NotEnoughHistory when there are fewer usable cases than ``min_history``.
    """
    cfg = section("router")
    test_share = float(cfg.get("test_share", 0.2) if test_share is None else test_share)
    seed = int(cfg.get("seed", 42) if seed is None else seed)
    min_history = int(cfg.get("min_history", 60) if min_history is None else min_history)
    texts, areas, labels = history(limit)
    if len(labels) < min_history or len(set(labels)) < 2:
        raise NotEnoughHistory(len(labels), min_history)
    feats = [features(t, a) for t, a in zip(texts, areas, strict=True)]
    train_idx, test_idx = _split(labels, test_share, seed)
    held = fit([feats[i] for i in train_idx], [labels[i] for i in train_idx], seed=seed)
    acc, acc3, top_acc = evaluate(held, [feats[i] for i in test_idx], [labels[i] for i in test_idx])
    ev = Evaluation(len(train_idx), len(test_idx), acc, acc3, top_acc, len(set(labels)))
    final = fit(feats, labels, seed=seed)  # the stored model learns from all the history
    row = None
    if save:
        row = RouterModel.objects.create(created_at=now or timezone.now(), blob=final.dumps(), meta={
            "n_train": ev.n_train, "n_test": ev.n_test, "n_total": len(labels), "accuracy": round(acc, 4), "top3_accuracy": round(acc3, 4),
            "top_level_accuracy": round(top_acc, 4), "classes": ev.classes, "seed": seed, "test_share": test_share,
            "features": len(final.vocabulary), "algorithm": "jieba + TF-IDF + LogisticRegression",
        })
        _cache.clear()
    return row, ev


# --- suggesting ----------------------------------------------------------------

_cache: dict[int, LinearModel] = {}
_cache_lock = threading.Lock()


def current_model() -> tuple[RouterModel, LinearModel] | None:
    """The newest stored model, loaded once per process."""
    row = RouterModel.objects.defer("blob").order_by("-created_at", "-id").first()
    if row is None:
        return None
    with _cache_lock:
        model = _cache.get(row.pk)
        if model is None:
            blob = RouterModel.objects.filter(pk=row.pk).values_list("blob", flat=True).get()
            model = LinearModel.loads(blob)
            _cache.clear()
            _cache[row.pk] = model
    return row, model


def keyword_scores(text: str) -> dict[str, float]:
    """Keyword hits per category code, from ``[router.keywords]`` (kept for callers; the cold start reads them too)."""
    rules: dict[str, list[str]] = section("router").get("keywords", {}) or {}
    scores: dict[str, float] = {}
    for code, words in rules.items():
        hits = sum(1 for w in words if w and w in text)
        if hits:
            scores[code] = float(hits)
    return scores


def _categories(codes: list[str]) -> dict[str, Category]:
    """Active leaf categories by code (cases are filed under leaf categories only), in one query."""
    qs = Category.objects.filter(code__in=codes, active=True, children__isnull=True).select_related("parent")
    return {c.code: c for c in qs}


def _unit(cat: Category, area_code: str) -> Unit | None:
    if not area_code or len(area_code) != 12:
        return None
    return suggest_unit(cat, area_code, cat.start_level)


@dataclass(frozen=True)
class Assessment:
    """What the routing suggestion says about one complaint.

    ``suggestions`` are the top categories, best first, even when ``undecided``
    (无法判断: nothing fits well enough, so none should be taken on trust);
    ``second`` is another matter named in the same complaint, if any.
    """

    suggestions: list[Suggestion]
    undecided: bool
    second: Suggestion | None = None
    history_weight: float = 0.0  # the share of the trained model in the blend

    @property
    def multi(self) -> bool:
        return self.second is not None

    @property
    def second_listed(self) -> bool:
        """The second matter's category is already among the suggestions (marked there, not repeated)."""
        return self.second is not None and any(s.category.pk == self.second.category.pk for s in self.suggestions)


def history_weight(n_cases: int) -> float:
    """The trained model's share of the blend: n / (n + history_half), so it grows with the county's history."""
    half = coldstart.params()["history_half"]
    return n_cases / (n_cases + half) if n_cases > 0 else 0.0


def assess(text: str, area_code: str = "", k: int = 3) -> Assessment:
    """Top ``k`` (category, unit, confidence, source), 无法判断, and a second matter, for a complaint.

    The cold start (category synonyms and phrasings, lexicon, sentence
    embeddings; see coldstart) always scores the text; when a model trained on
    the county's dispatched cases exists, its probabilities are blended in with
    weight ``history_weight(n)`` for n cases of history. The unit is the one the
    configured routing gives for the category in that village at its starting tier.
    """
    text = (text or "").strip()[:4000]
    if not text:
        return Assessment([], True)
    cold = coldstart.assess(text)
    proba = {code: float(p) for code, p in zip(cold.codes, cold.proba, strict=True)}
    none = cold.none
    w, source = 0.0, "coldstart"
    loaded = current_model()
    if loaded is not None:
        row, model = loaded
        w = history_weight(int((row.meta or {}).get("n_total", 0)))
        learned = model.predict_proba([features(text, area_code)])[0]
        proba = {code: (1 - w) * p for code, p in proba.items()}
        for code, p in zip(model.classes, learned, strict=True):
            proba[code] = proba.get(code, 0.0) + w * float(p)
        none = (1 - w) * none
        source = "blend"
    ranked = sorted(proba.items(), key=lambda kv: (-kv[1], kv[0]))
    undecided = none >= (ranked[0][1] if ranked else 0.0)
    cats = _categories([c for c, _p in ranked[: k * 3]] + ([cold.second_issue] if cold.second_issue else []))
    out: list[Suggestion] = []
    for code, p in ranked[: k * 3]:
        cat = cats.get(code)
        if cat is None:
            continue
        out.append(Suggestion(cat, _unit(cat, area_code), round(p, 4), source))
        if len(out) == k:
            break
    second = None
    if cold.second_issue and out and cold.second_issue != out[0].category.code and cold.second_issue in cats:
        cat = cats[cold.second_issue]
        second = Suggestion(cat, _unit(cat, area_code), round(proba.get(cat.code, 0.0), 4), source)
    return Assessment(out, undecided, second, round(w, 4))


def suggest(text: str, area_code: str = "", k: int = 3) -> list[Suggestion]:
    """Top ``k`` suggestions, or none when the answer is 无法判断 (see ``assess`` for the whole picture)."""
    result = assess(text, area_code, k)
    return [] if result.undecided else result.suggestions
