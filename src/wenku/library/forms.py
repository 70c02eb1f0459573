from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wenku.config import conf
from wenku.ingest.sniff import DOCUMENT_SUFFIXES
from wenku.library import categories
from wenku.library.details import MAX_PRICE, InvalidDetails, UploadDetails
from wenku.library.models import Pricing


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list[object]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


ACCEPT = ",".join(
    (
        ",".join(DOCUMENT_SUFFIXES),
        "application/pdf,text/plain,text/markdown,application/epub+zip",
    )
)


def category_choices() -> list[tuple[str, str]]:
    """The category tree as select options: each parent followed by its children,
    indented (a select cannot nest options, and a parent may hold documents itself)."""
    known = categories.all_categories()
    children: dict[int | None, list[int]] = {}
    for pk, category in known.items():
        parent = category.parent_id if category.parent_id in known else None
        children.setdefault(parent, []).append(pk)
    choices: list[tuple[str, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for pk in sorted(children.get(parent, []), key=lambda i: (known[i].position, i)):
            choices.append((str(pk), "\u3000" * depth + known[pk].name))
            if depth < 10:
                walk(pk, depth + 1)

    walk(None, 0)
    return choices


class UploadForm(forms.Form):
    """The no-JavaScript upload form: several files sharing one set of details.

    The fields only collect; ``UploadDetails.build`` decides what is valid (the same
    rules as the API's), and the form shows its refusal beside the field it names.
    """

    files = MultipleFileField(label=_("Files"))  # type: ignore[assignment]
    files.widget.attrs["accept"] = ACCEPT
    title = forms.CharField(
        label=_("Title"), required=False, help_text=_("Leave empty to use each file's name.")
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    category = forms.CharField(label=_("Category"), required=False, widget=forms.Select())
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    preview_pages = forms.CharField(
        label=_("Free preview pages"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_(
            "Leave empty for the site's default. A priced or VIP document previews at most "
            "about a third of its pages, never all of them."
        ),
    )
    pricing = forms.CharField(
        label=_("Download"),
        required=False,
        initial=Pricing.FREE,
        widget=forms.Select(choices=Pricing.choices),
    )
    price = forms.CharField(
        label=_("Price in points"),
        required=False,
        initial=0,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_PRICE}),
        help_text=_("You earn a share of every sale."),
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        self.fields["category"].widget.choices = [("", _("(none)")), *category_choices()]
        preview = self.fields["preview_pages"].widget
        preview.attrs["placeholder"] = str(conf().preview_pages)
        if not staff:
            preview.attrs["max"] = conf().preview_pages

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["details"] = UploadDetails.build(
                title=data.get("title"),
                description=data.get("description"),
                category=data.get("category"),
                tags=data.get("tags"),
                preview_pages=data.get("preview_pages"),
                pricing=data.get("pricing"),
                price=data.get("price"),
                staff=self.staff,
            )
        except InvalidDetails as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


class EditForm(forms.Form):
    """The uploader's edit of a document's details (the same rules as an upload's)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    category = forms.CharField(label=_("Category"), required=False, widget=forms.Select())
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    preview_pages = forms.CharField(
        label=_("Free preview pages"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_(
            "Leave empty for the site's default. A priced or VIP document previews at most "
            "about a third of its pages, never all of them."
        ),
    )
    pricing = forms.CharField(
        label=_("Download"), required=False, widget=forms.Select(choices=Pricing.choices)
    )
    price = forms.CharField(
        label=_("Price in points"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_PRICE}),
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff
        # The same tree as the upload form's, so a category is found where it was chosen.
        self.fields["category"].widget.choices = [("", _("(none)")), *category_choices()]

    @classmethod
    def initial_for(cls, document: Any) -> dict[str, Any]:
        return {
            "title": document.title,
            "description": document.description,
            "category": str(document.category_id or ""),
            "tags": ", ".join(t.name for t in document.tags.all()),
            "preview_pages": document.preview_pages or "",
            "pricing": document.pricing,
            "price": document.price,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["details"] = UploadDetails.build(
                title=data.get("title"),
                description=data.get("description"),
                category=data.get("category"),
                tags=data.get("tags"),
                preview_pages=data.get("preview_pages"),
                pricing=data.get("pricing"),
                price=data.get("price"),
                staff=self.staff,
            )
        except InvalidDetails as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data
