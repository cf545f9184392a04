from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = "Recruiter dashboard"

    def ready(self) -> None:
        from dashboard import checks, signals  # noqa: F401  (registers checks and receivers)
