from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and schools")

    def ready(self) -> None:
        from accounts import held_kinds  # noqa: F401  (declares the accounts' kinds of records)
