from django.urls import path

from wenku.economy import views

app_name = "economy"
urlpatterns = [
    path("d/<int:document_id>/download/", views.confirm, name="confirm"),
    path("downloads/<int:download_id>/", views.ready, name="ready"),
    path("dl/<str:token>/", views.file, name="file"),
    path("points/", views.earn, name="earn"),
    path("me/points/", views.ledger, name="ledger"),
    path("me/points/sign-in/", views.sign_in, name="sign_in"),
    path("me/downloads/", views.my_downloads, name="downloads"),
    path("me/vip/", views.vip, name="vip"),
    path("me/vip/<int:plan_id>/buy/", views.buy_vip, name="buy_vip"),
]
