from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WritingConfig(AppConfig):
    name = "writing"
    verbose_name = _("Texts, uploads and flags")

    def ready(self) -> None:
        from writing import held  # noqa: F401  (declares the kit's kinds of records)
