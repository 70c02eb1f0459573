"""Favourites in named folders: save, move, rename, delete a folder, private, limited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wenku.community.models import Favourite, FavouriteFolder
from wenku.library.models import Document

pytestmark = pytest.mark.django_db


def save(client, doc, **fields):
    return client.post(reverse("community:favourite", args=[doc.pk]), fields)


def folders_action(client, **fields):
    return client.post(reverse("community:folders"), fields)


def test_save_to_the_default_folder_and_remove(as_user, doc, other_user):
    client = as_user(other_user)
    assert save(client, doc).status_code == 302
    fav = Favourite.objects.get(user=other_user)
    assert fav.document == doc and fav.folder is None
    page = client.get(doc.get_absolute_url()).content.decode()
    assert reverse("community:unfavourite", args=[doc.pk]) in page
    listing = client.get(reverse("community:favourites")).content.decode()
    assert doc.title in listing
    client.post(reverse("community:unfavourite", args=[doc.pk]))
    assert not Favourite.objects.exists()


def test_named_folders_filter_move_rename_and_delete(as_user, doc, other_user, ingested):
    from tests.factories.pdf import make_pdf

    second = ingested("二.pdf", make_pdf(1, text="second"), title="第二份文档")
    client = as_user(other_user)
    save(client, doc, new_folder="  期末 复习 ")
    folder = FavouriteFolder.objects.get(user=other_user)
    assert folder.name == "期末 复习"
    save(client, second)  # the default folder
    in_folder = client.get(reverse("community:favourites"), {"folder": folder.pk})
    assert doc.title in in_folder.content.decode()
    assert second.title not in in_folder.content.decode()
    default = client.get(reverse("community:favourites"), {"folder": "default"}).content.decode()
    assert second.title in default and doc.title not in default

    other = FavouriteFolder.objects.create(user=other_user, name="教案")
    fav = Favourite.objects.get(document=second)
    folders_action(client, action="move", favourite=fav.pk, folder=other.pk)
    assert Favourite.objects.get(pk=fav.pk).folder == other
    save(client, doc, folder=other.pk)  # saving again moves it
    assert Favourite.objects.filter(user=other_user).count() == 2
    assert Favourite.objects.get(document=doc).folder == other

    folders_action(client, action="rename", folder=other.pk, name="语文教案")
    assert FavouriteFolder.objects.get(pk=other.pk).name == "语文教案"
    dup = folders_action(client, action="rename", folder=other.pk, name="期末 复习")
    assert dup.status_code == 302 and FavouriteFolder.objects.get(pk=other.pk).name == "语文教案"

    folders_action(client, action="delete", folder=other.pk)
    assert not FavouriteFolder.objects.filter(pk=other.pk).exists()
    assert Favourite.objects.filter(user=other_user, folder=None).count() == 2  # kept


def test_folders_and_favourites_are_private(as_user, doc, other_user, carol):
    client = as_user(other_user)
    save(client, doc, new_folder="秘密收藏")
    folder = FavouriteFolder.objects.get()
    client = as_user(carol)
    assert "秘密收藏" not in client.get(reverse("community:favourites")).content.decode()
    assert doc.title not in client.get(reverse("community:favourites")).content.decode()
    assert client.get(reverse("community:favourites"), {"folder": folder.pk}).status_code == 404
    assert save(client, doc, folder=folder.pk).status_code == 404
    assert folders_action(client, action="delete", folder=folder.pk).status_code == 404
    fav = Favourite.objects.get()
    assert folders_action(client, action="move", favourite=fav.pk, folder="").status_code == 404
    assert FavouriteFolder.objects.filter(pk=folder.pk).exists()
    assert Favourite.objects.get().folder == folder


def test_folder_names_are_escaped(as_user, doc, other_user):
    client = as_user(other_user)
    save(client, doc, new_folder="<b>x</b>")
    html = client.get(reverse("community:favourites")).content.decode()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_a_taken_down_favourite_is_listed_without_its_title(as_user, doc, other_user):
    client = as_user(other_user)
    save(client, doc)
    Document.objects.filter(pk=doc.pk).update(status="failed")
    html = client.get(reverse("community:favourites")).content.decode()
    assert doc.title not in html and Favourite.objects.count() == 1


def test_favourites_are_rate_limited(as_user, doc, other_user, settings):
    settings.WENKU = settings.WENKU.replace(rate_favourite=(2, 3600))
    client = as_user(other_user)
    save(client, doc)
    folders_action(client, action="create", name="一")
    refused = save(client, doc, new_folder="二")
    assert refused.status_code == 429
    assert not FavouriteFolder.objects.filter(name="二").exists()


def test_favourites_need_an_account(client, doc):
    response = save(client, doc)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.get(reverse("community:favourites")).status_code == 302
