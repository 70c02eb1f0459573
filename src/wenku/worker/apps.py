from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkerConfig(AppConfig):
    name = "wenku.worker"
    label = "worker"
    verbose_name = _("Workers")

    def ready(self) -> None:
        from wenku.core import metrics
        from wenku.worker import status

        metrics.add_gatherer(status.gather)
