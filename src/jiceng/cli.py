"""The ``jiceng`` command: Django management commands with dashed names.

``jiceng seed-demo`` runs the ``seed_demo`` command, ``jiceng serve`` the
``serve`` command, and so on; ``jiceng help`` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command; dashes in the command name become underscores."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
