"""Small helpers for account tests: links out of mails, the register form."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

PASSWORD = "Fresh orchids 1927"
LINK = re.compile(r"https?://\S+")


def last_mail_to(address: str):
    found = [m for m in mail.outbox if address in m.to]
    assert found, f"no mail to {address}: {[m.to for m in mail.outbox]}"
    return found[-1]


def link_in(message) -> str:
    """The path of the one link in a mail (tests' client wants a path)."""
    links = LINK.findall(message.body)
    assert len(links) == 1, links
    return re.sub(r"^https?://[^/]+", "", links[0])


def register(client, username="reader", email="reader@example.com", password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:register"),
        {"username": username, "email": email, "password1": password, "password2": password},
        **extra,
    )


def log_in(client, identifier, password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": identifier, "password": password}, **extra
    )
