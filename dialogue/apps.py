from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialogueConfig(AppConfig):
    name = "dialogue"
    verbose_name = _("Student pages")

    def ready(self) -> None:
        from accounts.actions.memberships import membership_saved
        from dialogue import held, held_documents, held_support, notices, receivers  # noqa: F401  (held: declares)
        from dialogue.flags import FlagSource
        from writing.sources import register_sources

        notices.register_all()
        membership_saved.connect(receivers.membership_saved, dispatch_uid="dialogue.membership_saved")
        register_sources(dict(FlagSource.choices))
