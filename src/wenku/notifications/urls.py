from django.urls import path

from wenku.notifications import views

app_name = "notifications"
urlpatterns = [
    path("me/notifications/", views.inbox, name="inbox"),
    path("me/notifications/read/", views.read_all, name="read_all"),
]
