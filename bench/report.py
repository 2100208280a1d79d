"""What every bench script shares: percentiles, the p50/p99 phrase, and adding a section to docs/benchmarks.md."""

from __future__ import annotations

import statistics
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def ms(values: list[float]) -> str:
    return f"p50 {statistics.median(values):.1f} ms · p99 {pct(values, 99):.1f} ms"


def prepend_section(section: str) -> None:
    """Put ``section`` (starting with "## ") first among the dated sections of docs/benchmarks.md: newest first."""
    text = BENCHMARKS.read_text(encoding="utf-8")
    at = text.find("\n## ")
    BENCHMARKS.write_text(text[:at + 1] + section + "\n" + text[at + 1:], encoding="utf-8")
