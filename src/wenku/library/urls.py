from django.urls import path

from wenku.library import browse, views

app_name = "library"
urlpatterns = [
    path("d/<int:document_id>/", views.document, name="document"),
    path("d/<int:document_id>/p/<int:number>.webp", views.page_image, name="page_image"),
    path("d/<int:document_id>/pages.json", views.page_urls, name="page_urls"),
    path("c/<str:slug>/", browse.category, name="category"),
    path("t/<str:name>/", browse.tag, name="tag"),
    path("u/<str:username>/", browse.uploader, name="uploader"),
    path("upload/", views.upload, name="upload"),
    path("me/uploads/", views.my_uploads, name="my_uploads"),
]
