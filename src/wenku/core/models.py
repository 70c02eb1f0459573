"""Tables of shared services: the counters of rate limits (core/ratelimit.py)."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Hits of one key in one fixed window of one rate limit.

    Written only by ``wenku.core.ratelimit`` with one atomic upsert per hit; the key is an
    HMAC of what is limited (an account, an address), so no address or e-mail is stored.
    """

    scope = models.CharField(max_length=40)
    key_hash = models.CharField(max_length=32)
    bucket = models.BigIntegerField(help_text="start of the window, in seconds since the epoch")
    hits = models.PositiveIntegerField(default=0)
    expires = models.BigIntegerField(help_text="when the row stops mattering (epoch seconds)")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_hash", "bucket"], name="rate_counter_key")
        ]
        indexes = [models.Index(fields=["expires"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key_hash[:8]} @{self.bucket}: {self.hits}"
