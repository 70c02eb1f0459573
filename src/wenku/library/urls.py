from django.urls import path

from wenku.library import views

app_name = "library"
urlpatterns = [
    path("d/<int:document_id>/", views.document, name="document"),
    path("upload/", views.upload, name="upload"),
    path("me/uploads/", views.my_uploads, name="my_uploads"),
]
