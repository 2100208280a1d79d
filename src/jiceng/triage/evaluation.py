"""Measuring triage on hand-written complaints (tests/triage/data), not on generated ones.

Routing: each complaint lists the matters it names, each with its acceptable
categories; a complaint with none is outside what the platform handles, and the
right answer is 无法判断. Repeats: pairs of reports from the same village, either
the same matter in other words or two different matters.

Figures (all fractions of the complaints named):

* ``top1`` — in-scope complaints whose first suggestion is acceptable (无法判断 counts as a miss);
* ``top3`` — in-scope complaints with an acceptable category among the first three (of the ranking, even when undecided);
* ``undecided_in_scope`` — in-scope complaints answered 无法判断;
* ``abstain_out_of_scope`` — out-of-scope complaints answered 无法判断 (higher is better);
* ``wrong_confident`` — all complaints answered with a category that is not acceptable (out-of-scope ones included);
* ``multi_recall`` / ``multi_precision`` — of complaints naming two matters, how many are flagged; of flags, how many are right;
* repeats: ``precision`` / ``recall`` of "likely repeat" over the pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Complaint:
    id: int
    text: str
    issues: tuple[frozenset[str], ...]  # one set of acceptable categories per matter; empty = out of scope

    @property
    def in_scope(self) -> bool:
        return bool(self.issues)

    @property
    def acceptable(self) -> frozenset[str]:
        return frozenset().union(*self.issues) if self.issues else frozenset()

    @property
    def dev(self) -> bool:
        """Odd ids are the development half (constants are fitted there), even ids the test half."""
        return self.id % 2 == 1


@dataclass(frozen=True)
class Pair:
    id: int
    same: bool
    address_a: str
    text_a: str
    address_b: str
    text_b: str


@dataclass(frozen=True)
class Prediction:
    ranked: list[str]  # category codes, best first
    undecided: bool
    second_issue: str | None = None


def _data_lines(path: Path) -> Iterable[list[str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


def load_complaints(path: Path) -> list[Complaint]:
    out = []
    for i, cols in enumerate(_data_lines(path), start=1):
        accept, text = cols
        issues = () if accept.strip() == "-" else tuple(frozenset(a.strip() for a in part.split("|")) for part in accept.split(";"))
        out.append(Complaint(i, text.strip(), issues))
    return out


def load_pairs(path: Path) -> list[Pair]:
    return [Pair(i, cols[0] == "same", cols[1], cols[2], cols[3], cols[4]) for i, cols in enumerate(_data_lines(path), start=1)]


def routing_figures(complaints: list[Complaint], predict: Callable[[str], Prediction]) -> dict[str, float]:
    inside = [c for c in complaints if c.in_scope]
    outside = [c for c in complaints if not c.in_scope]
    multi = [c for c in inside if len(c.issues) > 1]
    top1 = top3 = undecided_in = abstain_out = wrong = flagged = flagged_right = multi_found = 0
    for c in complaints:
        p = predict(c.text)
        first_ok = bool(p.ranked) and p.ranked[0] in c.acceptable
        if c.in_scope:
            top1 += first_ok and not p.undecided
            top3 += any(code in c.acceptable for code in p.ranked[:3])
            undecided_in += p.undecided
        else:
            abstain_out += p.undecided
        wrong += (not p.undecided) and not first_ok
        if p.second_issue and not p.undecided:
            flagged += 1
            if len(c.issues) > 1:
                flagged_right += 1
                multi_found += 1
    share = lambda n, d: round(n / d, 4) if d else 0.0  # noqa: E731
    return {
        "n": len(complaints), "n_in_scope": len(inside), "n_out_of_scope": len(outside), "n_multi": len(multi),
        "top1": share(top1, len(inside)), "top3": share(top3, len(inside)),
        "undecided_in_scope": share(undecided_in, len(inside)), "abstain_out_of_scope": share(abstain_out, len(outside)),
        "wrong_confident": share(wrong, len(complaints)),
        "multi_recall": share(multi_found, len(multi)), "multi_precision": share(flagged_right, flagged),
    }


def repeat_figures(pairs: list[Pair], is_repeat: Callable[[Pair], bool]) -> dict[str, float]:
    tp = fp = fn = 0
    for pair in pairs:
        said = is_repeat(pair)
        tp += said and pair.same
        fp += said and not pair.same
        fn += (not said) and pair.same
    same = sum(p.same for p in pairs)
    return {
        "n_same": same, "n_different": len(pairs) - same,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
        "false_merge_rate": round(fp / (len(pairs) - same), 4) if len(pairs) > same else 0.0,
    }


def router_predictor(area_code: str = "") -> Callable[[str], Prediction]:
    """``routing_figures``'s predict function, through the same ``router.assess`` the forms and the API use."""
    from . import router

    def predict(text: str) -> Prediction:
        result = router.assess(text, area_code)
        return Prediction([s.category.code for s in result.suggestions], result.undecided,
                          result.second.category.code if result.second else None)

    return predict


def repeat_decider(area_code: str = "000000000000") -> Callable[[Pair], bool]:
    """``repeat_figures``'s decision: the pair's score (``repeats.score_pair`` with the configured weights)
    reaches ``likely_score``. Only what a report says is compared: no phone numbers, grids or categories."""
    from .config import section
    from .repeats import Draft, _keys_of_draft, contrast_groups, matter_rule, score_pair

    cfg = section("repeats")
    weights = cfg.get("weights", {})
    meaning_range = (float(cfg.get("meaning_low", 0.4)), float(cfg.get("meaning_high", 0.7)))
    likely = float(cfg.get("likely_score", 0.5))
    rule, groups = matter_rule(cfg), contrast_groups(cfg)

    def decide(pair: Pair) -> bool:
        a = _keys_of_draft(Draft(area_id=area_code, description=pair.text_a, address=pair.address_a), groups)
        b = _keys_of_draft(Draft(area_id=area_code, description=pair.text_b, address=pair.address_b), groups)
        return score_pair(a, b, weights, meaning_range, rule)[0] >= likely

    return decide
