from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "roster"
    verbose_name = _("Student register (SS 12000)")

    def ready(self) -> None:
        from notifications.kinds import register_periodic
        from roster import held, jobs  # noqa: F401  (held: declares)

        # A school administrator's run starts within seconds; the nightly check is cheap
        # (one query) and queues a run at most once a day.
        register_periodic("roster.queued", jobs.run_queued, every_seconds=jobs.QUEUE_EVERY_SECONDS)
        register_periodic("roster.nightly", jobs.run_nightly, every_seconds=jobs.NIGHTLY_EVERY_SECONDS)
