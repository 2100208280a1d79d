"""What each workflow action asks of the person doing it, for the case page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# field name -> (widget, label); widgets: textarea, text, date, unit, next_unit, rating, decision, files, resolve_fields
ACTION_FIELDS: dict[str, list[tuple[str, str, object]]] = {
    "accept": [("plan", "textarea", _("Agreed plan")), ("deadline", "date", _("Deadline (empty: by the category's limit)"))],
    "refuse": [("note", "textarea", _("Reason for refusal"))],
    "dispatch": [("unit_id", "unit", _("Unit (empty: the suggested one)"))],
    "return": [("note", "textarea", _("Why this unit is wrong"))],
    "claim": [],
    "note": [("note", "textarea", _("Progress")), ("files", "files", _("Attachments"))],
    "suspend": [("note", "textarea", _("Reason (the clock stops)"))],
    "resume": [],
    "request_extension": [("deadline", "date", _("New deadline")), ("note", "textarea", _("Reason"))],
    "approve_extension": [],
    "reject_extension": [("note", "textarea", _("Reason"))],
    "escalate": [("unit_id", "next_unit", _("Unit at the next tier (empty: the suggested one)")), ("note", "textarea", _("Reason"))],
    "supervise": [("note", "textarea", _("Instruction"))],
    "take_ownership": [],
    "resolve": [("result", "textarea", _("Result")), ("fields", "resolve_fields", _("Result details"))],
    "rate": [("rating", "rating", _("Rating"))],
    "waive_rating": [("note", "textarea", _("Why no rating can be obtained"))],
    "decide": [("decision", "decision", _("Decision")), ("note", "textarea", _("Reason"))],
    "close": [],
    "merge": [("into", "text", _("Original case number"))],
}
