from django.apps import AppConfig


class WilloIntegrationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "willo_integration"
    verbose_name = "Willo integration"

    def ready(self) -> None:
        from willo_integration import signals  # noqa: F401 - connects the receivers
