from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "wenku.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        from wenku.core import metrics, pagecache
        from wenku.library import signing
        from wenku.library.queries import documents_by_status

        metrics.add_gatherer(documents_by_status)
        pagecache.renew_with(signing.renew_urls)  # kept pages carry signed page URLs
