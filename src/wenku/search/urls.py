from django.urls import path

from wenku.search import views

app_name = "search"
urlpatterns = [
    path("search", views.search, name="search"),
    path("d/<int:document_id>/search", views.search_document, name="document"),
]
