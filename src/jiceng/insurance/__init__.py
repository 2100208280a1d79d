"""Three-tier medical protection engine (基本医保、大病保险、医疗救助).

Pure Python (Decimal money, numpy for the batch mode); no Django. See
docs/medical-protection.md for the rules, the policy TOML schema and a
worked example.
"""

from .batch import BatchResult, calculate_arrays, calculate_batch
from .bills import Bill, bill_from_json, parse_bills
from .categories import CATEGORIES, CATEGORY_NAMES, normalise_category
from .engine import BillResult, YearState, calculate_bill, calculate_year, critical_cumulative, result_to_json
from jiceng.people.idnumber import check_digit, validate_id_number
from .policy import (
    Policy,
    PolicyError,
    Provenance,
    example_policy_path,
    load_example_policy,
    load_policy,
)
from .risk import crosses_risk_threshold
from .roster import roster_gaps
from .subsidy import subsidy_for, subsidy_totals

__all__ = [
    "BatchResult",
    "Bill",
    "BillResult",
    "CATEGORIES",
    "CATEGORY_NAMES",
    "Policy",
    "PolicyError",
    "Provenance",
    "YearState",
    "bill_from_json",
    "calculate_arrays",
    "calculate_batch",
    "calculate_bill",
    "calculate_year",
    "check_digit",
    "critical_cumulative",
    "crosses_risk_threshold",
    "example_policy_path",
    "load_example_policy",
    "load_policy",
    "normalise_category",
    "parse_bills",
    "result_to_json",
    "roster_gaps",
    "subsidy_for",
    "subsidy_totals",
    "validate_id_number",
]
