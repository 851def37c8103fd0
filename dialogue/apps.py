from django.apps import AppConfig


class DialogueConfig(AppConfig):
    name = "dialogue"

    def ready(self) -> None:
        from dialogue import notices
        from dialogue.flags import FlagSource
        from writing.sources import register_sources

        notices.register_all()
        register_sources(dict(FlagSource.choices))
