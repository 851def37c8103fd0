from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("The record's life")

    def ready(self) -> None:
        from notifications.kinds import register_periodic
        from records import held, receivers  # noqa: F401  (the access log listens to the doors)
        from records.exports import jobs

        register_periodic("personal data exports", jobs.run_exports, every_seconds=jobs.EVERY_SECONDS)
