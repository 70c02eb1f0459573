from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wenku.core"
    label = "core"
    verbose_name = "Wenku core"
