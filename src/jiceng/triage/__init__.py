"""Intake triage: repeat detection, alert debounce, frequent callers and routing suggestions."""
