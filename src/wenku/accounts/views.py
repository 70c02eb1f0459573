"""Account pages: register, verify, log in, reset a password; personal centre, profile, tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wenku.accounts import domain
from wenku.accounts.domain import Verification
from wenku.accounts.forms import (
    EmailForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    TokenForm,
)
from wenku.accounts.models import ApiToken, User
from wenku.config import conf
from wenku.core import ratelimit
from wenku.core.siteurl import site_url
from wenku.core.storage import get_storage

BACKEND = "wenku.accounts.backends.UsernameOrEmailBackend"


def _limited(response: HttpResponse, decision: ratelimit.Decision | None) -> HttpResponse:
    """A form refused by a rate limit is shown again with its message, as HTTP 429."""
    if decision is not None:
        response.status_code = 429
        response["Retry-After"] = str(decision.retry_after)
    return response


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:me")
    form = RegisterForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            user = domain.register(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except domain.AccountTaken:
            form.add_error(None, _("This user name or e-mail address was just taken."))
            return render(request, "accounts/register.html", {"form": form})
        if not domain.verification_required():
            login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("accounts:me")
        request.session["registered_email"] = user.email
        return redirect("accounts:register_sent")
    response = render(request, "accounts/register.html", {"form": form})
    return _limited(response, form.limited)


def register_sent(request: HttpRequest) -> HttpResponse:
    """'Check your mail', with a form to send the link again."""
    return _verification_mail_page(request, EmailForm(request=request))


def _verification_mail_page(
    request: HttpRequest, form: EmailForm, sent_again: bool = False
) -> HttpResponse:
    context = {
        "form": form,
        "email": request.session.get("registered_email", ""),
        "hours": conf().email_link_hours,
        "sent_again": sent_again,
    }
    response = render(request, "accounts/register_sent.html", context)
    return _limited(response, form.limited)


@require_POST
def resend_verification(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST, request=request)
    if form.is_valid():
        domain.resend_verification(form.cleaned_data["email"], request)
        return _verification_mail_page(request, EmailForm(request=request), sent_again=True)
    return _verification_mail_page(request, form)


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST uses the link: mail scanners that fetch links use nothing."""
    if request.method == "POST":
        outcome, _user = domain.verify_email(token)
        if outcome is Verification.VERIFIED:
            messages.success(request, _("Your e-mail address is confirmed. You can log in now."))
            return redirect("accounts:login")
    else:
        outcome, _user = domain.check_verification(token)
    status = 200 if outcome in (Verification.VERIFIED, Verification.USED) else 400
    context = {"outcome": outcome.value, "form": EmailForm(request=request)}
    return render(request, "accounts/verify.html", context, status=status)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        return _limited(super().form_invalid(form), form.limited)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: Any) -> HttpResponse:
        # Links name WENKU_SITE_URL or a listed host, never a Host header someone forged;
        # without either no mail goes (logged), and the answer reads the same.
        base = site_url(self.request)
        if base is None:
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {
            "site_url": base,
            "SITE_NAME": conf().site_name,
            "hours": conf().email_link_hours,
        }
        return super().form_valid(form)

    def form_invalid(self, form: Any) -> HttpResponse:
        return _limited(super().form_invalid(form), form.limited)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if self.user is not None:
            ratelimit.reset("login-account", f"user:{self.user.pk}")  # the owner is back
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:me")

    def form_valid(self, form: Any) -> HttpResponse:
        had_tokens = ApiToken.objects.filter(user=self.request.user.pk).exists()
        response = super().form_valid(form)  # saving the password revokes the tokens
        messages.success(self.request, _("Your password is changed."))
        if had_tokens:
            messages.info(
                self.request,
                _("Your API tokens were revoked with the old password: create new ones."),
            )
        return response


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The personal centre: who I am and links to everything that is mine."""
    from wenku.economy.queries import balance, vip_until

    user = request.user
    context = {
        "balance": balance(user),
        "vip_until": vip_until(user),
        "upload_count": user.documents.count(),  # type: ignore[union-attr]
        "token_count": ApiToken.objects.filter(user=user.pk).count(),
    }
    return render(request, "accounts/me.html", context)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(request.POST or None, request.FILES or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.avatar_webp is not None:
            domain.set_avatar(user, form.avatar_webp)
        elif form.cleaned_data["remove_avatar"]:
            domain.clear_avatar(user)
        messages.success(request, _("Your profile is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@never_cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List, create and revoke API tokens; a new token's secret is shown in this response only."""
    user: User = request.user  # type: ignore[assignment]
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = domain.issue_token(user, form.cleaned_data["name"])
            form = TokenForm()
        except domain.TooManyTokens:
            form.add_error(None, _("You have too many tokens; revoke one first."))
    context = {
        "form": form,
        "secret": secret,
        "tokens": ApiToken.objects.filter(user=user.pk).order_by("-created_at"),
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if not domain.revoke_token(request.user, token_id):  # type: ignore[arg-type]
        raise Http404
    messages.success(request, _("The token is revoked; scripts using it are refused now."))
    return redirect("accounts:tokens")


def avatar(request: HttpRequest, user_id: int, name: str) -> HttpResponse:
    """A stored, re-encoded avatar; the name is its content hash, so it never changes."""
    user = get_object_or_404(User, pk=user_id)
    if not user.avatar or user.avatar.rsplit("/", 1)[-1] != f"{name}.webp":
        raise Http404
    try:
        with get_storage().open(user.avatar) as fh:
            data = fh.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="image/webp")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
