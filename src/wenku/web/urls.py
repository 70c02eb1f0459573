"""The library's pages. The URL names keep the ``library`` namespace (templates and
``Document.get_absolute_url`` name them) though the views that compose several apps
live here, on the top floor."""

from django.urls import path

from wenku.library import views as library
from wenku.web import browse, document, operations, upload

app_name = "library"
urlpatterns = [
    path("d/<int:document_id>/", document.document, name="document"),
    path("d/<int:document_id>/p/<int:number>.webp", library.page_image, name="page_image"),
    path("d/<int:document_id>/pages.json", library.page_urls, name="page_urls"),
    path("c/<str:slug>/", browse.category, name="category"),
    # A tag may hold a slash (GB/T): the name runs to the last one.
    path("t/<path:name>/", browse.tag, name="tag"),
    path("u/<str:username>/", browse.uploader, name="uploader"),
    path("upload/", upload.upload, name="upload"),
    path("me/uploads/", upload.my_uploads, name="my_uploads"),
    path("staff/queue/", operations.queue, name="staff_queue"),
    path("staff/queue/retry/<int:document_id>/", operations.retry, name="staff_retry"),
]
