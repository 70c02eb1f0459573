"""The library's pages. The URL names keep the ``library`` namespace (templates and
``Document.get_absolute_url`` name them) though the views that compose several apps
live here, on the top floor."""

from django.urls import path, register_converter

from wenku.library import views as library
from wenku.web import browse, document, operations, upload


class TagName:
    """Any tag name, to the last slash (GB/T holds one). Django's ``path`` stops at a line
    break, so a tag stored before names were cleaned (or by the admin) made every page
    linking it answer 500, the tag sitemap with them; this takes every character."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TagName, "tagname")

app_name = "library"
urlpatterns = [
    path("d/<int:document_id>/", document.document, name="document"),
    path("d/<int:document_id>/p/<int:number>.webp", library.page_image, name="page_image"),
    path("d/<int:document_id>/pages.json", library.page_urls, name="page_urls"),
    path("c/<str:slug>/", browse.category, name="category"),
    path("t/<tagname:name>/", browse.tag, name="tag"),
    path("u/<str:username>/", browse.uploader, name="uploader"),
    path("upload/", upload.upload, name="upload"),
    path("me/uploads/", upload.my_uploads, name="my_uploads"),
    path("me/uploads/<int:document_id>/edit/", upload.edit_upload, name="edit_upload"),
    path("me/uploads/<int:document_id>/delete/", upload.delete_upload, name="delete_upload"),
    path(
        "me/uploads/<int:document_id>/similar/",
        upload.upload_originality,
        name="upload_originality",
    ),
    path("staff/queue/", operations.queue, name="staff_queue"),
    path("staff/queue/retry/<int:document_id>/", operations.retry, name="staff_retry"),
]
