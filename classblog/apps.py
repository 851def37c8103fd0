from django.apps import AppConfig


class ClassblogConfig(AppConfig):
    name = "classblog"

    def ready(self) -> None:
        from classblog import notices
        from classblog.flags import FlagSource
        from writing.sources import register_sources

        notices.register_all()
        register_sources(dict(FlagSource.choices))
