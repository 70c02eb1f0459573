"""What search keeps in the database: index markers, text fingerprints and LSH bands.

The database is the source of truth; a search index is a copy that can be rebuilt
(``wenku reindex``). ``IndexState`` says which documents a backend holds and from
which version of the indexing code, so a worker catches up on whatever it missed.

Fingerprints belong to a *conversion* (the content), not to a document: identical
uploads share a conversion and skip the pipeline, and they are exact duplicates of
each other anyway.
"""

from __future__ import annotations

from django.db import models

from wenku.ingest.models import Conversion
from wenku.library.models import Document


class IndexState(models.Model):
    """Document ``document`` is in ``backend``'s index, as built by indexing ``version``."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    backend = models.CharField(max_length=20)
    version = models.PositiveSmallIntegerField()
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "backend"], name="index_state_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document_id}@{self.backend} v{self.version}"


class Fingerprint(models.Model):
    """SHA-256 of the normalised text and a 128-value MinHash of its word 3-shingles."""

    conversion = models.OneToOneField(
        Conversion, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint"
    )
    text_sha256 = models.CharField(max_length=64, db_index=True)
    signature = models.BinaryField()  # 128 little-endian uint32, empty for text-less content
    keywords = models.JSONField(default=list)  # [[token, count], …] of the body, most frequent

    def __str__(self) -> str:
        return f"{self.conversion_id} {self.text_sha256[:12]}"


class LshBand(models.Model):
    """One of the 25 LSH band keys of a conversion's MinHash (same table on every database)."""

    pk = models.CompositePrimaryKey("band_key", "conversion")
    band_key = models.BigIntegerField()
    conversion = models.ForeignKey(Conversion, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["conversion"], name="lsh_band_conversion")]

    def __str__(self) -> str:
        return f"{self.band_key}:{self.conversion_id}"


class RelatedList(models.Model):
    """A document's related documents (ids, best first), as computed at ``computed_at``.

    Kept so that the document page reads one row instead of running a more-like-this
    query per view. The worker computes it after indexing and refreshes lists older
    than WENKU_RELATED_REFRESH_SECONDS when it has nothing else to do.
    """

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    ids = models.JSONField(default=list)
    computed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.document_id}: {self.ids}"
