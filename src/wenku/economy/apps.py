from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomyConfig(AppConfig):
    name = "wenku.economy"
    verbose_name = _("Points, downloads and VIP")
    default_auto_field = "django.db.models.BigAutoField"
