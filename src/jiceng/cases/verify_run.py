"""A full ``jiceng verify`` in id ranges: resumable, and on PostgreSQL spread over processes.

A full run reads every event of every case (about 1,900 cases/s per core at
10⁶, docs/benchmarks.md), so at 10⁷ it takes the better part of two hours.
Here the cases are cut into id ranges; each finished range is written to a
progress file in the data directory (its cases checked and the problems
found), so a run that is interrupted resumes with the first range not yet
done (``--resume``). The anchor log is checked once, by the parent, and its
pinned heads are handed to every range; cases anchored and since deleted are
looked for once, at the end.

On PostgreSQL ``--jobs N`` verifies N ranges at a time in forked processes
(each opens its own connection). SQLite runs the ranges one after another.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.models import Max, Min

from .models import Case
from .verify import Coverage, Problem, iter_problems

RANGE_SIZE = 20_000
PROGRESS_FILE = "verify-progress.json"

_ANCHORED = None  # the parent's checked anchor log, inherited by forked workers (not pickled per task)


@dataclass
class RangeDone:
    lo: int
    hi: int
    checked: int
    problems: list[str]
    broken: list[str]  # the case numbers the problems name


@dataclass
class RunResult:
    checked: int = 0
    ranges: int = 0
    resumed: int = 0  # ranges taken from the progress file of an interrupted run
    problems: list[str] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)


def id_ranges(size: int = RANGE_SIZE) -> list[tuple[int, int]]:
    """The cases' id span cut into inclusive ranges of ``size`` ids."""
    bounds = Case.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return []
    return [(lo, min(lo + size - 1, bounds["hi"])) for lo in range(bounds["lo"], bounds["hi"] + 1, size)]


def _progress_path() -> Path:
    return Path(settings.DATA_DIR) / PROGRESS_FILE


def _load_progress(signature: dict) -> dict[str, RangeDone]:
    """Ranges finished by an earlier run with the same options and anchor; nothing if it differs."""
    path = _progress_path()
    if not path.exists():
        return {}
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if saved.get("signature") != signature:
        return {}
    try:
        return {k: RangeDone(**v) for k, v in saved.get("done", {}).items()}
    except TypeError:  # written by another version: start afresh
        return {}


def _save_progress(signature: dict, done: dict[str, RangeDone]) -> None:
    path = _progress_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"signature": signature, "done": {k: vars(v) for k, v in done.items()}}, ensure_ascii=False),
                   encoding="utf-8")
    os.replace(tmp, path)  # a crash leaves the old file or the new one, never half of one


def _verify_range(lo: int, hi: int, files: bool) -> RangeDone:
    coverage = Coverage()
    found = list(iter_problems(Case.objects.filter(pk__gte=lo, pk__lte=hi), files=files, anchors=False, coverage=coverage,
                               anchored=_ANCHORED))
    return RangeDone(lo, hi, coverage.checked, [str(p) for p in found], sorted({p.number for p in found}))


def _in_worker(lo: int, hi: int, files: bool) -> RangeDone:
    connections.close_all()  # never share the parent's connection: open one of our own
    return _verify_range(lo, hi, files)


def _missing_anchored(anchored) -> Iterator[Problem]:
    """Cases the anchor pinned that are no longer in the database."""
    present = set(Case.objects.values_list("number", flat=True).iterator(chunk_size=10_000))
    for number in sorted(set(anchored.heads) - present):
        yield Problem(number, None, "anchor", f"锚定#{anchored.seq}时存在的工单已不在数据库中（被删除或改号）", ("anchor", "case.number"))


def run_full(*, files: bool = True, anchors: bool = True, jobs: int = 1, resume: bool = False, size: int = RANGE_SIZE,
             on_range: Callable[[RangeDone], None] | None = None, stop_after: int | None = None) -> RunResult:
    """Verify every case range by range; ``stop_after`` ranges (tests) stops early as an interruption would."""
    global _ANCHORED
    from . import anchor

    anchored = anchor.check_log() if anchors else None
    _ANCHORED = anchored
    result = RunResult()
    for message in anchored.problems if anchored else []:
        result.problems.append(str(Problem("—", None, "anchor", message, ("anchor",))))
        result.broken.add("—")
    signature = {"files": files, "anchors": anchors, "anchor_seq": anchored.seq if anchored else None, "size": size}
    done = _load_progress(signature) if resume else {}
    result.resumed = len(done)
    todo = [(lo, hi) for lo, hi in id_ranges(size) if f"{lo}-{hi}" not in done]
    if stop_after is not None:
        todo = todo[:stop_after]

    def record(r: RangeDone) -> None:
        done[f"{r.lo}-{r.hi}"] = r
        _save_progress(signature, done)
        if on_range:
            on_range(r)

    parallel = jobs > 1 and connection.vendor == "postgresql" and len(todo) > 1
    if parallel:
        connections.close_all()
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
            for future in as_completed([pool.submit(_in_worker, lo, hi, files) for lo, hi in todo]):
                record(future.result())
    else:
        for lo, hi in todo:
            record(_verify_range(lo, hi, files))
    for r in done.values():
        result.checked += r.checked
        result.problems += r.problems
        result.broken |= set(r.broken)
    result.ranges = len(done)
    if anchored is not None and stop_after is None:
        for p in _missing_anchored(anchored):
            result.problems.append(str(p))
            result.broken.add(p.number)
    if stop_after is None:
        _progress_path().unlink(missing_ok=True)  # the run is complete: the next one starts afresh
    return result
