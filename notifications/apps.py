from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from accounts import events
        from notifications import receivers, targets

        events.announcing.connect(receivers.store_event, dispatch_uid="notifications.store_event")
        targets.register()
