"""What a site opened to the internet must have set: `wenku serve` refuses to listen on a
public address without it, and `wenku doctor` reports it (docs/operations.md, "Public
site checklist")."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from wenku.config import Config, allowed_hosts

LOOPBACK_NAMES = {"localhost", "[::1]", "::1"}


def is_loopback(host: str) -> bool:
    """Whether an address to listen on, or a host name, means this machine only."""
    value = host.strip().lower()
    if value in LOOPBACK_NAMES or value.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(value.strip("[]")).is_loopback
    except ValueError:
        return False


def has_public_address(c: Config) -> bool:
    """A site URL, or an allowed host other than this machine's own names."""
    return bool(c.site_url) or any(not is_loopback(h) for h in c.allowed_hosts)


def bind_refusal(bind_host: str, c: Config) -> str | None:
    """Why `wenku serve --host bind_host` must not start, or None."""
    if is_loopback(bind_host) or has_public_address(c):
        return None
    return (
        f"wenku serve --host {bind_host} would answer other machines, but this site has no "
        "public address: it accepts only the host names localhost, 127.0.0.1 and [::1], "
        "and links in its mails would have no trustworthy address.\n"
        "Set WENKU_SITE_URL=https://your.domain (its host is then accepted and mails link "
        "to it), or WENKU_ALLOWED_HOSTS=your.domain, and start again.\n"
        "See docs/operations.md, 'Public site checklist'."
    )


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def report(c: Config, debug: bool) -> list[Finding]:
    """The security settings of a public site, each with what to set."""
    https = c.site_url.startswith("https://")
    hosts = allowed_hosts(c)
    proxies = ", ".join(c.trusted_proxies) or "none"
    return [
        Finding(
            "site URL",
            bool(c.site_url),
            c.site_url or "not set: mails link to the request's host, when it is listed",
            "set WENKU_SITE_URL=https://your.domain",
        ),
        Finding(
            "allowed hosts",
            "*" not in hosts and has_public_address(c),
            ", ".join(hosts),
            "remove '*' from WENKU_ALLOWED_HOSTS (any Host a request claims is then accepted) "
            "and list your domain(s)"
            if "*" in hosts
            else "set WENKU_ALLOWED_HOSTS to your domain(s), never '*' (or set WENKU_SITE_URL)",
        ),
        Finding(
            "HTTPS",
            https,
            "the site URL is https" if https else "the site URL is not https",
            "serve the site over HTTPS through a reverse proxy, and set WENKU_SITE_URL=https://…",
        ),
        Finding(
            "HSTS",
            c.hsts_seconds > 0,
            f"max-age {c.hsts_seconds} s on HTTPS responses"
            if c.hsts_seconds
            else "not sent (WENKU_HSTS_SECONDS=0)",
            "set WENKU_HSTS_SECONDS=31536000",
        ),
        Finding(
            "reverse proxy",
            bool(c.trusted_proxies),
            f"trusted for X-Forwarded-For/-Proto: {proxies}",
            "set WENKU_TRUSTED_PROXIES to your proxy's address; it must set X-Forwarded-For "
            "and X-Forwarded-Proto (nginx: proxy_set_header X-Forwarded-Proto $scheme)",
        ),
        Finding(
            "debug",
            not debug,
            "off" if not debug else "on: error pages show settings and code",
            "unset WENKU_DEBUG",
        ),
    ]
