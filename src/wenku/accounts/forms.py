"""Account forms. Rate limits are checked where the form knows the request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wenku.accounts import avatars
from wenku.accounts.backends import find_account, last_attempt
from wenku.accounts.models import User
from wenku.config import conf
from wenku.core import ratelimit


def check_rates(form: Any, *checks: tuple[str, str, ratelimit.RateLike]) -> None:
    """Count one attempt against each (scope, key, rate); at the first refusal, keep the
    decision on ``form.limited`` (the view answers 429) and fail the form with its words."""
    for scope, key, rate in checks:
        decision = ratelimit.hit(scope, key, rate)
        if not decision.allowed:
            form.limited = decision
            raise ValidationError(decision.message(), code="rate_limited")


class RateLimitedForm(forms.Form):
    limited: ratelimit.Decision | None = None

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request


def _no_at_sign(value: str) -> None:
    if "@" in value:
        raise ValidationError(_("A user name cannot contain '@' (log in with either)."))


class RegisterForm(RateLimitedForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[User.username_validator, _no_at_sign],
        help_text=_("Letters, digits and ./+/-/_ only; at most 150 characters."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send a link to confirm it. You can log in with it too."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This user name is taken."))
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this e-mail address exists already."))
        return email

    def clean(self) -> dict[str, Any]:
        # Every submission counts, valid or not: the form says which names and addresses
        # are taken, and that should not be asked thousands of times.
        check_rates(
            self, ("register-ip", ratelimit.client_key(self.request), conf().rate_register_ip)
        )
        super().clean()
        data = self.cleaned_data
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            candidate = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(one, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class LoginForm(AuthenticationForm):
    """User name or e-mail address, rate-limited per client address and per account.

    Every attempt counts before the password is checked, so parallel guesses cannot
    slip past the limit; a successful log-in clears its account's count.
    """

    limited: ratelimit.Decision | None = None
    pending: User | None = None

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        assert isinstance(field, forms.CharField)
        field.label = _("User name or e-mail")
        field.max_length = 254  # an address can be longer than a user name
        field.validators = [MaxLengthValidator(254)]
        field.widget.attrs["maxlength"] = 254

    def clean(self) -> dict[str, Any]:
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not identifier or not password:
            return self.cleaned_data
        assert self.request is not None
        account = account_key(identifier)
        check_rates(
            self,
            ("login-ip", ratelimit.client_key(self.request), conf().rate_login_ip),
            ("login-account", account, conf().rate_login_account),
        )
        self.user_cache = authenticate(self.request, username=identifier, password=password)
        if self.user_cache is None:
            # What the backend found: checking the password again would take longer for
            # accounts awaiting verification, and the time would tell them apart.
            found = last_attempt(self.request)
            if (
                found
                and found.password_ok
                and found.account
                and found.account.awaiting_verification
            ):
                self.pending = found.account
            if self.pending is not None:
                raise ValidationError(
                    _("Please confirm your e-mail address first: open the link we sent you."),
                    code="unverified",
                )
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        ratelimit.reset("login-account", account)
        return self.cleaned_data


def account_key(identifier: str) -> str:
    """One counter per account, whether it is named by user name or by address."""
    user = find_account(identifier)
    return f"user:{user.pk}" if user is not None else f"name:{identifier.strip().casefold()}"


class EmailForm(RateLimitedForm):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        if "email" in self.cleaned_data:
            check_rates(self, *mail_rates(self.request, self.cleaned_data["email"]))
        return self.cleaned_data


def mail_rates(request: HttpRequest, email: str) -> tuple[tuple[str, str, ratelimit.RateLike], ...]:
    """Mails to one address, and mails asked for from one client, are both limited."""
    return (
        ("mail-ip", ratelimit.client_key(request), conf().rate_email),
        ("mail-address", email.strip().casefold(), conf().rate_email),
    )


class ResetForm(PasswordResetForm):
    """Django's password reset (no word on whether the address has an account), limited."""

    limited: ratelimit.Decision | None = None

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self) -> dict[str, Any]:
        super().clean()
        if "email" in self.cleaned_data:
            check_rates(self, *mail_rates(self.request, self.cleaned_data["email"]))
        return self.cleaned_data


class ProfileForm(forms.ModelForm):
    avatar_file = forms.FileField(
        label=_("Avatar"),
        required=False,
        help_text=_("JPEG, PNG, GIF or WebP; it is cropped square."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)

    class Meta:
        model = User
        fields = ("first_name", "bio")
        labels = {"first_name": _("Name"), "bio": _("About me")}
        help_texts = {"first_name": _("Shown instead of your user name.")}
        widgets = {"bio": forms.Textarea(attrs={"rows": 4, "maxlength": 500})}

    avatar_webp: bytes | None = None

    def clean_avatar_file(self) -> Any:
        upload = self.cleaned_data.get("avatar_file")
        if upload:
            limit = conf().avatar_max_mb * 1024 * 1024
            try:
                self.avatar_webp = avatars.reencode(upload, limit)
            except avatars.AvatarRejected as exc:
                raise ValidationError(str(exc), code="bad_image") from None
        return upload


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 'import script on the office PC'."),
    )
