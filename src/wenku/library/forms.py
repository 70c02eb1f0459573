from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wenku.library.domain import MAX_PRICE
from wenku.library.models import Category, Pricing


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


class UploadForm(forms.Form):
    """The no-JavaScript upload form: several files sharing one set of details."""

    files = MultipleFileField(label=_("Files"))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use each file's name."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("(none)"),
    )
    tags = forms.CharField(
        label=_("Tags"), max_length=400, required=False, help_text=_("Separate tags with commas.")
    )
    pricing = forms.ChoiceField(
        label=_("Download"), choices=Pricing.choices, initial=Pricing.FREE, required=False
    )
    price = forms.IntegerField(
        label=_("Price in points"),
        min_value=0,
        max_value=MAX_PRICE,
        initial=0,
        required=False,
        help_text=_("For priced documents; you earn a share of every sale."),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        data["pricing"] = data.get("pricing") or Pricing.FREE
        data["price"] = data.get("price") or 0
        if data["pricing"] in (Pricing.POINTS, Pricing.VIP_FREE) and not data["price"]:
            self.add_error("price", _("Set a price in points, or make the document free."))
        return data
