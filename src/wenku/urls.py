from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from wenku.api.main import api
from wenku.core import health
from wenku.core.views import switch_language
from wenku.library.seo import SITEMAPS, robots_txt
from wenku.web import browse

handler500 = "wenku.core.views.server_error"

urlpatterns = [
    path("", browse.home, name="home"),
    path("", include("wenku.web.urls")),
    path("", include("wenku.notifications.urls")),
    path("", include("wenku.search.urls")),
    path("", include("wenku.economy.urls")),
    path("", include("wenku.accounts.urls")),
    path("", include("wenku.community.urls")),
    path("api/", api.urls),
    path("lang/<str:code>/", switch_language, name="switch_language"),
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics_view, name="metrics"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
