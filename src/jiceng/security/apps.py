from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """The security baseline: hostile-input guard, response headers, file modes, backup/restore."""

    name = "jiceng.security"
    label = "security"
    verbose_name = "Security"
