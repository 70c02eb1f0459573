from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "wenku.economy"
    verbose_name = _("Points, downloads and VIP")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from wenku.economy.queries import is_entitled
        from wenku.library import access

        # Readers who downloaded a document, or VIP members for VIP documents, read it whole.
        access.add_entitlement_rule(is_entitled)
