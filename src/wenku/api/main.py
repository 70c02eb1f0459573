"""The JSON API (django-ninja), version 1: /api/v1/…, schema at /api/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

from wenku.api.auth import REQUIRED
from wenku.api.documents import router as documents_router
from wenku.api.economy import router as economy_router
from wenku.api.search import router as search_router

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
api.add_router("/v1", documents_router)
api.add_router("/v1", search_router)
api.add_router("/v1", economy_router)
