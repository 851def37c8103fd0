from django.apps import AppConfig


class DialogueConfig(AppConfig):
    name = "dialogue"

    def ready(self) -> None:
        from dialogue import notices

        notices.register_all()
