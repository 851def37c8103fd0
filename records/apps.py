from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("The record's life")

    def ready(self) -> None:
        # The register's kinds, the access log listening to the doors, and its admin page.
        from records import access_log_admin, held, receivers  # noqa: F401
