from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from accounts import events
        from notifications import held, kinds, receivers, retention  # noqa: F401  (held: declares)

        events.announcing.connect(receivers.store_event, dispatch_uid="notifications.store_event")
        kinds.register_periodic(
            "prune old notifications", retention.prune_old_notifications, every_seconds=24 * 3600
        )
