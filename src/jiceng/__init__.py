"""jiceng (基层): an open platform for grassroots governance and public services."""

__version__ = "0.1.0"
