from django.urls import path

from wenku.community import views

app_name = "community"
urlpatterns = [
    path("d/<int:document_id>/comments/", views.comment, name="comment"),
    path("d/<int:document_id>/rate/", views.rate, name="rate"),
    path("d/<int:document_id>/favourite/", views.favourite, name="favourite"),
    path("d/<int:document_id>/unfavourite/", views.unfavourite, name="unfavourite"),
    path("comments/<int:comment_id>/edit/", views.edit_comment, name="edit_comment"),
    path("comments/<int:comment_id>/delete/", views.delete_comment, name="delete_comment"),
    path("comments/<int:comment_id>/report/", views.report_comment, name="report_comment"),
    path("me/favourites/", views.favourites, name="favourites"),
    path("me/favourites/folders/", views.folders, name="folders"),
]
