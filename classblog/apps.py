from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClassblogConfig(AppConfig):
    name = "classblog"
    verbose_name = _("Class blogs")

    def ready(self) -> None:
        from classblog import held, notices  # noqa: F401  (held: declares)
        from classblog.flags import FlagSource
        from writing.sources import register_sources

        notices.register_all()
        register_sources(dict(FlagSource.choices))
