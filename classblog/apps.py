from django.apps import AppConfig


class ClassblogConfig(AppConfig):
    name = "classblog"

    def ready(self) -> None:
        from classblog import notices

        notices.register_all()
