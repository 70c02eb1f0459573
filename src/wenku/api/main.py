"""The JSON API (django-ninja), version 1: /api/v1/…, schema at /api/openapi.json."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from wenku.api.auth import REQUIRED
from wenku.api.documents import router as documents_router
from wenku.api.economy import router as economy_router
from wenku.api.moderation import router as moderation_router
from wenku.api.search import router as search_router
from wenku.core.ratelimit import RateLimited

api = NinjaAPI(
    title="Wenku API",
    version="1",
    description="Upload documents, follow their processing and read their pages.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # A route that names no auth of its own requires a user (and the CSRF token with a
    # session: the docs page sends it).
    auth=REQUIRED,
)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """Every route's rate limits answer 429 with words and Retry-After."""
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


api.add_router("/v1", documents_router)
api.add_router("/v1", search_router)
api.add_router("/v1", economy_router)
api.add_router("/v1", moderation_router)
