from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("The record's life")

    def ready(self) -> None:
        from notifications import kinds
        # The register's kinds, the access log listening to the doors, and the admin pages.
        from records import access_log_admin, admin, held, receivers  # noqa: F401
        from records.retention.daily import daily_purge

        kinds.register_periodic("records.purge", daily_purge, every_seconds=24 * 3600)
