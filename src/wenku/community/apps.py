from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "wenku.community"
    label = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from wenku.community import tallies

        tallies.connect()
