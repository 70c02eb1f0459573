from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from wenku.api.auth import OPTIONAL, REQUIRED, auth_user
from wenku.community.queries import rating_summary
from wenku.config import conf
from wenku.core import ip, ratelimit
from wenku.core.ratelimit import RateLimited
from wenku.core.storage import get_storage
from wenku.ingest.counting import format_chars
from wenku.ingest.rendering import PageUnavailable, page_image
from wenku.library import access
from wenku.library.details import InvalidDetails, UploadDetails
from wenku.library.models import Category, Document, DocumentStatus
from wenku.moderation.models import Review
from wenku.publishing import intake

router = Router(tags=["documents"], auth=OPTIONAL)


class Owner(Schema):
    id: int
    username: str


class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    parent_id: int | None


class DocumentOut(Schema):
    id: int
    title: str
    description: str
    status: str
    failure_stage: str
    failure_reason: str
    review_reason: str  # why it is held or was not published (for its uploader and staff)
    format: str
    size: int
    sha256: str
    pages: int | None
    chars: int | None
    chars_display: str
    free_pages: int
    cover_url: str | None
    url: str
    created_at: datetime
    published_at: datetime | None
    owner: Owner
    category: CategoryOut | None
    tags: list[str]
    rating_count: int
    rating_average: float | None  # null until someone rates it
    comment_count: int  # comments and replies shown (not deleted)


class Created(Schema):
    id: int
    status: str
    url: str
    api_url: str


class Error(Schema):
    detail: str


class Conflict(Schema):
    """Refused: an exact copy (of ``original_url``), or taken-down content."""

    detail: str
    original_id: int | None
    original_url: str | None


def document_out(doc: Document) -> DocumentOut:
    cover = None
    if doc.conversion.status == "ready" or doc.status == "ready":
        cover = reverse("api:document_cover", args=[doc.pk])
    return DocumentOut(
        id=doc.pk,
        title=doc.title,
        description=doc.description,
        status=doc.status,
        failure_stage=doc.failure_stage,
        failure_reason=doc.failure_reason,
        review_reason=_review_reason(doc),
        format=doc.format or doc.conversion.format,
        size=doc.size,
        sha256=doc.conversion.sha256,
        pages=doc.page_count,
        chars=doc.char_count,
        chars_display=format_chars(doc.char_count) if doc.char_count is not None else "",
        free_pages=doc.free_pages,
        cover_url=cover,
        url=doc.get_absolute_url(),
        created_at=doc.created_at,
        published_at=doc.published_at,
        owner=Owner(id=doc.owner_id, username=doc.owner.username),
        category=CategoryOut.from_orm(doc.category) if doc.category else None,
        tags=[t.name for t in doc.tags.all()],
        rating_count=doc.rating_count,
        rating_average=rating_summary(doc).average,
        comment_count=doc.comment_count,
    )


def _review_reason(doc: Document) -> str:
    if doc.status not in (DocumentStatus.HELD, DocumentStatus.REJECTED):
        return ""
    review = Review.objects.filter(document=doc).first()
    return review.reason if review else ""


def _visible(request: HttpRequest, document_id: int) -> Document:
    joined = Document.objects.select_related("conversion", "owner", "category")
    documents = joined.prefetch_related("tags")
    return access.viewable_or_404(auth_user(request), document_id, documents)


def client_ip(request: HttpRequest) -> str | None:
    return ip.client_ip(request)


@router.post(
    "/documents",
    response={
        201: Created,
        400: Error,
        403: Error,
        409: Conflict,
        413: Error,
        429: Error,
        503: Error,
    },
    auth=REQUIRED,
    url_name="upload_document",
    summary="Upload a document",
)
def upload_document(
    request: HttpRequest,
    file: File[UploadedFile],
    title: Form[str] = "",
    description: Form[str] = "",
    category: Form[str] = "",
    tags: Form[str] = "",
    preview_pages: Form[int | None] = None,
    pricing: Form[str] = "free",
    price: Form[int] = 0,
) -> Status[object]:
    """Multipart upload. Returns at once with status `queued`; poll the document to follow it.

    409: the very file of a published document (yours: "already uploaded"), or of one
    taken down; 403: you are under an upload penalty; 429: too many uploads.

    `pricing`: free, points (`price` points), vip_only, or vip_free (free for VIP members,
    `price` points for others).
    """
    user = auth_user(request)
    try:
        details = UploadDetails.build(
            title=title,
            description=description,
            category=category,
            tags=tags,
            preview_pages=preview_pages,
            pricing=pricing,
            price=price,
            staff=user.is_staff,
        )
    except InvalidDetails as exc:
        return Status(400, Error(detail=f"{exc.field}: {exc.message}"))
    try:
        intake.limit(user, client_ip(request))
        doc = intake.upload(
            owner=user,
            stream=file,
            original_name=file.name or "document",
            details=details,
            upload_ip=client_ip(request),
        )
    except intake.TooLarge as exc:
        return Status(413, Error(detail=str(exc)))
    except intake.Penalised as exc:
        return Status(403, Error(detail=str(exc)))
    except RateLimited as exc:
        return Status(429, Error(detail=str(exc)))
    except intake.Refused as exc:
        original = exc.original
        return Status(
            409,
            Conflict(
                detail=str(exc),
                original_id=original.pk if original else None,
                original_url=original.get_absolute_url() if original else None,
            ),
        )
    except intake.Unavailable as exc:  # nothing was kept: the same upload works later
        return Status(503, Error(detail=str(exc)))
    return Status(
        201,
        Created(
            id=doc.pk,
            status=doc.status,
            url=doc.get_absolute_url(),
            api_url=reverse("api:document_detail", args=[doc.pk]),
        ),
    )


@router.get("/documents/{document_id}", response=DocumentOut, url_name="document_detail")
def get_document(request: HttpRequest, document_id: int) -> DocumentOut:
    return document_out(_visible(request, document_id))


@router.get(
    "/documents/{document_id}/pages/{number}",
    response={200: None, 403: Error, 404: Error},
    url_name="document_page",
    summary="Image of one page (WebP)",
)
def get_page(request: HttpRequest, document_id: int, number: int) -> object:
    """Pages past the document's free-preview limit are refused (403) unless you are entitled."""
    doc = _visible(request, document_id)
    limits = conf()
    ratelimit.enforce_reader(
        request,
        auth_user(request),
        "page-image",
        limits.rate_page_image_user,
        limits.rate_page_image_ip,
    )
    if number < 1 or (doc.page_count is not None and number > doc.page_count):
        return Status(404, Error(detail="no such page"))
    if not access.can_view_page(auth_user(request), doc, number):
        return Status(
            403, Error(detail=f"page {number} is past the free preview of {doc.free_pages} pages")
        )
    try:
        data = page_image(doc.conversion, number)
    except PageUnavailable:
        return Status(404, Error(detail="page not available yet"))
    response = HttpResponse(data, content_type="image/webp")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.get(
    "/documents/{document_id}/cover", url_name="document_cover", summary="Cover image (WebP)"
)
def get_cover(request: HttpRequest, document_id: int) -> object:
    doc = _visible(request, document_id)
    try:
        with get_storage().open(doc.conversion.cover_key) as fh:
            data = fh.read()
    except FileNotFoundError:
        return HttpResponse(status=404)
    response = HttpResponse(data, content_type="image/webp")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@router.get("/categories", response=list[CategoryOut], summary="The category tree, flattened")
def list_categories(request: HttpRequest) -> list[Category]:
    return list(Category.objects.all())
