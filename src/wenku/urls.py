from django.contrib import admin
from django.urls import include, path

from wenku.api.main import api
from wenku.library import views as library_views

urlpatterns = [
    path("", library_views.home, name="home"),
    path("", include("wenku.library.urls")),
    path("accounts/", include("wenku.accounts.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
