from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("The record's life")

    def ready(self) -> None:
        from accounts.saml.replay import forget_expired
        from notifications.kinds import register_periodic

        # The register's kinds, the access log listening to the doors, and the admin pages.
        from records import access_log_admin, admin, held, receivers  # noqa: F401
        from records.exports import jobs
        from records.retention.daily import daily_purge

        register_periodic("records.purge", daily_purge, every_seconds=24 * 3600)
        register_periodic("records.exports", jobs.run_exports, every_seconds=jobs.EVERY_SECONDS)
        # The SAML replay guard's expired assertion ids (accounts sits below the worker's
        # registry, so its purge is registered here, with the others).
        register_periodic("accounts.saml_seen_assertions", forget_expired, every_seconds=3600)
