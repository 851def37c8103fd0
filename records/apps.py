from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("The record's life")

    def ready(self) -> None:
        from records import held, receivers  # noqa: F401  (the access log listens to the doors)
        from records import access_log_admin  # noqa: F401  (registers on the school admin site)
