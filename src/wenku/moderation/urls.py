from django.urls import path

from wenku.moderation import views

app_name = "moderation"
urlpatterns = [
    path("d/<int:document_id>/report/", views.report, name="report"),
    path("d/<int:document_id>/notice/", views.notice, name="notice"),
]
