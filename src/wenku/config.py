"""Every setting Wenku reads from the environment, declared once.

Each ``Setting`` has a name (the environment variable), a default, a parser and a
help text, and is declared once, as a typed attribute of ``Config``. ``load()`` reads
and validates them all at start-up and fails with a message naming the variable;
nothing else in Wenku reads ``os.environ`` for its configuration. Code reads the
loaded values as attributes — ``conf().preview_pages`` is an ``int`` — never by a
string key. ``docs/configuration.md`` lists them, and a test keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class ConfigError(ValueError):
    """A setting has a value Wenku cannot use."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise ValueError(f"expected a positive whole number, got {raw!r}")
    return value


def _percent(raw: str) -> int:
    value = int(raw)
    if not 1 <= value <= 100:
        raise ValueError(f"expected a percentage from 1 to 100, got {raw!r}")
    return value


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError(f"expected a positive number, got {raw!r}")
    return value


def _non_negative_float(raw: str) -> float:
    value = float(raw)
    if not value >= 0:
        raise ValueError(f"expected zero or a positive number, got {raw!r}")
    return value


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(f"expected zero or a positive whole number, got {raw!r}")
    return value


def _site_url(raw: str) -> str:
    """'' or an absolute http(s) address without path, query or fragment."""
    from urllib.parse import urlsplit

    value = raw.strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an address such as https://wenku.example.com, got {raw!r}")
    if parts.path or parts.query or parts.fragment or parts.username:
        raise ValueError(f"expected the site's address alone (no path), got {raw!r}")
    return value


LOOPBACK_HOSTS = "localhost,127.0.0.1,[::1]"


def _csv(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _networks(raw: str) -> list[str]:
    import ipaddress

    entries = _csv(raw)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"not an address or network: {entry!r}") from None
    return entries


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate(raw: str) -> tuple[int, int] | None:
    """'10/15m' → (10, 900): at most 10 in any 15 minutes; 'off' → None (no limit)."""
    import re

    value = raw.strip().lower()
    if value == "off":
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*(\d*)\s*([smhd])", value)
    if not match or int(match[1]) <= 0 or int(match[2] or 1) <= 0:
        raise ValueError(f"expected a rate such as 10/15m, 5/1h or 100/d, or off; got {raw!r}")
    return int(match[1]), int(match[2] or 1) * _PERIODS[match[3]]


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if raw not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {raw!r}")
        return raw

    return parse


def _storage_url(raw: str) -> str:
    """'' or s3://[key:secret@]bucket[/prefix]?endpoint=…&region=…&addressing=path|virtual."""
    from urllib.parse import parse_qs, urlsplit

    if not raw:
        return raw
    parts = urlsplit(raw)
    if parts.scheme != "s3" or not parts.hostname:
        raise ValueError(f"expected s3://bucket[/prefix]?endpoint=…, got {raw!r}")
    query = parse_qs(parts.query)
    unknown = set(query) - {"endpoint", "region", "addressing"}
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}")
    if query.get("addressing", ["path"])[-1] not in ("path", "virtual"):
        raise ValueError("addressing must be 'path' or 'virtual'")
    return raw


def _directory(raw: str) -> Path:
    return Path(raw).expanduser().resolve()


class Setting(Generic[T]):
    """One WENKU_* variable: its default, help text and parser. Declared as an attribute of
    ``Config``, it reads as the parsed value on a ``Config`` (``conf().preview_pages``)."""

    @overload
    def __init__(self: Setting[str], name: str, default: str, help: str) -> None: ...

    @overload
    def __init__(self, name: str, default: str, help: str, parse: Callable[[str], T]) -> None: ...

    def __init__(
        self, name: str, default: str, help: str, parse: Callable[[str], Any] = str
    ) -> None:
        self.name = name
        self.default = default
        self.help = help
        self.parse = parse
        self.attr = ""

    def __set_name__(self, owner: type, attr: str) -> None:
        if attr != name_to_attr(self.name):
            raise TypeError(f"{self.name} must be declared as Config.{name_to_attr(self.name)}")
        self.attr = attr

    @overload
    def __get__(self, instance: None, owner: type) -> Setting[T]: ...

    @overload
    def __get__(self, instance: Config, owner: type) -> T: ...

    def __get__(self, instance: Config | None, owner: type) -> Setting[T] | T:
        if instance is None:
            return self
        return instance._values[self.name]

    def __set__(self, instance: Config, value: object) -> None:
        raise AttributeError(f"settings are read-only: use replace({self.attr}=…)")


def name_to_attr(name: str) -> str:
    """WENKU_PREVIEW_PAGES → preview_pages."""
    return name.removeprefix("WENKU_").lower()


class Config:
    """Every WENKU_* setting, declared once; an instance holds one site's parsed values.

    Read-only: tests and tools derive a changed copy with ``replace(name=value)``.
    """

    # --- where things live
    data_dir = Setting(
        "WENKU_DATA_DIR",
        "wenku-data",
        "Folder holding everything Wenku stores: database, files, search index, secrets. "
        "Relative paths are resolved against the current directory.",
        _directory,
    )
    database_url = Setting(
        "WENKU_DATABASE_URL",
        "",
        "Database to use. Empty means SQLite (WAL) at DATA_DIR/wenku.sqlite3. "
        "For scale mode: postgresql://user:password@host:5432/dbname.",
    )
    debug = Setting(
        "WENKU_DEBUG", "false", "Django debug mode. Never enable on a public site.", _bool
    )
    allowed_hosts = Setting(
        "WENKU_ALLOWED_HOSTS",
        LOOPBACK_HOSTS,
        "Comma-separated host names the site answers to (a leading dot admits subdomains: "
        ".example.com). The default is this machine only; the host of WENKU_SITE_URL is "
        "always admitted. Requests naming another host are refused (400). '*' admits any "
        "host: then set WENKU_SITE_URL, or no password-reset or verification mail is sent.",
        _csv,
    )
    csrf_trusted_origins = Setting(
        "WENKU_CSRF_TRUSTED_ORIGINS",
        "",
        "Comma-separated origins (https://example.com) trusted for form posts behind a proxy.",
        _csv,
    )
    secret_key = Setting(
        "WENKU_SECRET_KEY", "", "Django secret key. Empty: generated once into DATA_DIR."
    )
    site_name = Setting(
        "WENKU_SITE_NAME", "文库", "The site's name, shown in the header and titles."
    )
    language = Setting(
        "WENKU_LANGUAGE", "zh-hans", "Default interface language.", _choice("zh-hans", "en")
    )
    time_zone = Setting("WENKU_TIME_ZONE", "Asia/Shanghai", "Time zone used to show dates.")
    # --- uploads and the pipeline
    max_upload_mb = Setting(
        "WENKU_MAX_UPLOAD_MB", "200", "Largest file accepted for upload, in MB.", _positive_int
    )
    max_pages = Setting(
        "WENKU_MAX_PAGES",
        "3000",
        "Documents with more pages than this are refused with a clear reason.",
        _positive_int,
    )
    preview_pages = Setting(
        "WENKU_PREVIEW_PAGES",
        "5",
        "Site-wide default free-preview limit: pages anyone may view. A document may lower it.",
        _positive_int,
    )
    paid_preview_percent = Setting(
        "WENKU_PAID_PREVIEW_PERCENT",
        "34",
        "The free preview of a priced or VIP document is at most this share of its pages "
        "(rounded down, at least 1 page, never the whole document), and at most "
        "WENKU_PREVIEW_PAGES.",
        _percent,
    )
    eager_pages = Setting(
        "WENKU_EAGER_PAGES",
        "5",
        "Page images rendered during ingest; later pages are rendered on first request.",
        _positive_int,
    )
    page_url_seconds = Setting(
        "WENKU_PAGE_URL_SECONDS",
        "600",
        "Lifetime of the signed URLs of page images, in seconds.",
        _positive_int,
    )
    download_url_seconds = Setting(
        "WENKU_DOWNLOAD_URL_SECONDS",
        "300",
        "Lifetime of a signed download link, in seconds (the points economy's rules, such as "
        "prices, caps and the free re-download window, are edited in the admin).",
        _positive_int,
    )
    page_width = Setting(
        "WENKU_PAGE_WIDTH", "1000", "Width in pixels of page preview images.", _positive_int
    )
    cover_width = Setting(
        "WENKU_COVER_WIDTH", "300", "Width in pixels of cover images.", _positive_int
    )
    webp_quality = Setting(
        "WENKU_WEBP_QUALITY", "75", "WebP quality (1-100) of page and cover images.", _positive_int
    )
    max_page_pixels = Setting(
        "WENKU_MAX_PAGE_PIXELS",
        "8000000",
        "Largest page image, in pixels; bigger pages are scaled down to fit.",
        _positive_int,
    )
    zip_max_unpacked_mb = Setting(
        "WENKU_ZIP_MAX_UNPACKED_MB",
        "300",
        "Office/EPUB files that unpack to more than this many MB are refused (zip bombs).",
        _positive_int,
    )
    zip_max_entries = Setting(
        "WENKU_ZIP_MAX_ENTRIES",
        "20000",
        "Office/EPUB files with more archive entries than this are refused.",
        _positive_int,
    )
    zip_max_ratio = Setting(
        "WENKU_ZIP_MAX_RATIO",
        "150",
        "Refuse archive entries that unpack to more than this many times their packed size "
        "(entries under 1 MB unpacked are exempt).",
        _positive_int,
    )
    ocr = Setting(
        "WENKU_OCR",
        "true",
        "Recognise the text of scanned pages (no printed text, an image) after publishing, "
        "with RapidOCR's PP-OCRv6 models from its wheel (nothing is downloaded).",
        _bool,
    )
    ocr_memory_mb = Setting(
        "WENKU_OCR_MEMORY_MB",
        "3072",
        "Address-space limit of the OCR engine's process, in MB (it peaks near 1.8 GB).",
        _positive_int,
    )
    ocr_page_seconds = Setting(
        "WENKU_OCR_PAGE_SECONDS",
        "120",
        "Time allowed to recognise one page; past it the engine is killed and the page "
        "left without text.",
        _positive_int,
    )
    ocr_concurrency = Setting(
        "WENKU_OCR_CONCURRENCY",
        "1",
        "OCR engines running at once on one machine, whatever the number of workers (each "
        "takes a core and about 1.5 GB); 0 means no limit.",
        _non_negative_int,
    )
    ocr_pages_per_job = Setting(
        "WENKU_OCR_PAGES_PER_JOB",
        "8",
        "Pages recognised per OCR job; a longer scan queues its next job behind waiting "
        "uploads, so it never holds up the queue.",
        _positive_int,
    )
    macro_documents = Setting(
        "WENKU_MACRO_DOCUMENTS",
        "refuse",
        "Office files containing macros (VBA, Excel 4.0 macro sheets, OpenDocument Basic or "
        "scripts; found by content, whatever the file is called): 'refuse' them with a "
        "reason, or 'preview': publish their pages (macros never run) but never offer the "
        "original file for download.",
        _choice("refuse", "preview"),
    )
    view_flush_seconds = Setting(
        "WENKU_VIEW_FLUSH_SECONDS",
        "3",
        "How often each web process writes the views it counted; 0 writes them during the "
        "request (simplest, but a slow database then slows pages).",
        _non_negative_float,
    )
    # --- LibreOffice
    soffice = Setting(
        "WENKU_SOFFICE",
        "/usr/lib/libreoffice/program/soffice.bin",
        "Path of LibreOffice's soffice.bin.",
    )
    uno_python = Setting(
        "WENKU_UNO_PYTHON",
        "/usr/bin/python3",
        "Python interpreter that can `import uno` (Debian: python3 with python3-uno).",
    )
    office_sandbox = Setting(
        "WENKU_OFFICE_SANDBOX",
        "bwrap",
        "How LibreOffice (and poppler, which repairs PDFs) is isolated: 'bwrap' (bubblewrap: "
        "no network, sees only its job folder) or 'none' (hardened profile only; for hosts "
        "where bubblewrap cannot run).",
        _choice("bwrap", "none"),
    )
    office_timeout = Setting(
        "WENKU_OFFICE_TIMEOUT",
        "120",
        "Seconds one conversion (or one PDF repair by poppler) may take before LibreOffice "
        "(or poppler) and all its processes are killed.",
        _positive_float,
    )
    office_memory_mb = Setting(
        "WENKU_OFFICE_MEMORY_MB",
        "3072",
        "Address-space limit for LibreOffice and for poppler's PDF repair, in MB (a runaway "
        "document fails instead of exhausting the machine).",
        _positive_int,
    )
    office_restart_after = Setting(
        "WENKU_OFFICE_RESTART_AFTER",
        "200",
        "Restart each worker's LibreOffice after this many conversions (bounds memory growth).",
        _positive_int,
    )
    # --- workers
    worker_poll_seconds = Setting(
        "WENKU_WORKER_POLL_SECONDS",
        "0.1",
        "How often an idle worker looks for new jobs.",
        _positive_float,
    )
    worker_lease_seconds = Setting(
        "WENKU_WORKER_LEASE_SECONDS",
        "30",
        "A worker silent for this long is considered dead and its job is retried elsewhere.",
        _positive_float,
    )
    worker_max_attempts = Setting(
        "WENKU_WORKER_MAX_ATTEMPTS",
        "3",
        "A document whose worker dies this many times is failed instead of retried again.",
        _positive_int,
    )
    worker_retries = Setting(
        "WENKU_WORKER_RETRIES",
        "5",
        "A job that meets a passing trouble (the database or object storage not answering) "
        "is tried again this many times, with a growing pause, before it fails.",
        _positive_int,
    )
    worker_retry_seconds = Setting(
        "WENKU_WORKER_RETRY_SECONDS",
        "5",
        "The first pause before a job is tried again; each later pause doubles (at most 10 "
        "minutes).",
        _positive_float,
    )
    office_concurrency = Setting(
        "WENKU_OFFICE_CONCURRENCY",
        "0",
        "LibreOffice conversions running at once on one machine, whatever the number of "
        "worker processes (the others read and render PDFs meanwhile, or wait); 0: one per "
        "worker process.",
        _non_negative_int,
    )
    # --- scale mode
    redis_url = Setting(
        "WENKU_REDIS_URL",
        "",
        "Redis for the cache, sessions and rate limits (redis://host:6379/0). Empty: the "
        "cache is files under DATA_DIR/cache (SQLite) or a table in the database "
        "(PostgreSQL), shared by every process either way; sessions and rate limits stay "
        "in the database.",
    )
    redis_prefix = Setting(
        "WENKU_REDIS_PREFIX",
        "wenku",
        "Prefix of every key Wenku writes to Redis, so several sites (or test runs) can "
        "share one Redis; clearing the cache deletes only these keys.",
    )
    storage_url = Setting(
        "WENKU_STORAGE_URL",
        "",
        "Where files are kept. Empty: DATA_DIR/files. Object storage: "
        "s3://[ACCESS_KEY:SECRET@]bucket[/prefix]?endpoint=https://host&region=R "
        "(&addressing=path for MinIO and the like); without keys, boto3's usual "
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an instance role.",
        _storage_url,
    )
    storage_url_seconds = Setting(
        "WENKU_STORAGE_URL_SECONDS",
        "120",
        "Lifetime of the signed URLs to which page images are redirected (object storage "
        "or a CDN), in seconds; each is made only after the reader's right to the page "
        "is checked.",
        _positive_int,
    )
    cdn_url = Setting(
        "WENKU_CDN_URL",
        "",
        "Base URL of a CDN (or nginx) in front of the storage; page images are redirected "
        "there, signed with WENKU_CDN_SECRET. Empty: object storage's own signed URLs, or "
        "Wenku serves the images itself.",
    )
    cdn_secret = Setting(
        "WENKU_CDN_SECRET",
        "",
        "Secret the CDN checks its signed URLs with (required with WENKU_CDN_URL: unsigned "
        "URLs would show every page of every document).",
    )
    cdn_signing = Setting(
        "WENKU_CDN_SIGNING",
        "nginx",
        "How CDN URLs are signed: 'nginx' (secure_link: ?md5=…&expires=…) or 'type-a' "
        "(Alibaba Cloud and Tencent Cloud CDN URL authentication, ?auth_key=…).",
        _choice("nginx", "type-a"),
    )
    # --- operations
    log_level = Setting(
        "WENKU_LOG_LEVEL",
        "INFO",
        "Level of Wenku's own log records (DEBUG, INFO, WARNING, ERROR); other libraries "
        "log warnings and errors.",
        _choice("DEBUG", "INFO", "WARNING", "ERROR"),
    )
    log_format = Setting(
        "WENKU_LOG_FORMAT",
        "text",
        "Format of the log on standard output: 'text' (one readable line a record) or "
        "'json' (one JSON object a line). DATA_DIR/logs/wenku.log is always JSON lines.",
        _choice("text", "json"),
    )
    metrics_allow = Setting(
        "WENKU_METRICS_ALLOW",
        "127.0.0.1,::1",
        "Comma-separated addresses or networks (CIDR) that may read /metrics (the client's "
        "address as seen through WENKU_TRUSTED_PROXIES). Others get a 404.",
        _networks,
    )
    metrics_token = Setting(
        "WENKU_METRICS_TOKEN",
        "",
        "A secret that also opens /metrics, sent as 'Authorization: Bearer <token>' (for a "
        "Prometheus outside WENKU_METRICS_ALLOW). Empty: addresses only.",
    )
    # --- search
    search_backend = Setting(
        "WENKU_SEARCH_BACKEND",
        "tantivy",
        "Search engine: 'tantivy' (an index under DATA_DIR/search; the embedded default) or "
        "'postgres' (tsvector tables in the database; needs WENKU_DATABASE_URL on PostgreSQL, "
        "best with the RUM extension).",
        _choice("tantivy", "postgres"),
    )
    search_user_dict = Setting(
        "WENKU_SEARCH_USER_DICT",
        "",
        "Path of a site dictionary for Chinese word segmentation (one word a line, optionally "
        "followed by a frequency), added to the built-in list of domain words.",
    )
    search_page_size = Setting(
        "WENKU_SEARCH_PAGE_SIZE",
        "10",
        "Results per page on the search page and in the search API.",
        _positive_int,
    )
    search_page_stale_seconds = Setting(
        "WENKU_SEARCH_PAGE_STALE_SECONDS",
        "60",
        "How long a search page kept for guests may miss documents the search index took in "
        "since it was made: index writes drop kept search pages at once if none did within "
        "this time, else once it has passed, so a stream of uploads drops them at most once "
        "per this time (0: at every index write). Takedowns and edits drop them at once.",
        _non_negative_int,
    )
    related_refresh_seconds = Setting(
        "WENKU_RELATED_REFRESH_SECONDS",
        "86400",
        "How old a document's stored related-documents list may get before an idle worker "
        "computes it again (newer uploads join it then).",
        _positive_int,
    )
    # --- accounts and e-mail
    site_url = Setting(
        "WENKU_SITE_URL",
        "",
        "Public address of the site (https://wenku.example.com): the links in e-mails name "
        "it, and its host is admitted (WENKU_ALLOWED_HOSTS). Empty: links name the host the "
        "request was sent to, only when it is listed in WENKU_ALLOWED_HOSTS (not by '*'), so "
        "a forged Host header never reaches a mail. `wenku serve` on a public address "
        "needs this or WENKU_ALLOWED_HOSTS.",
        _site_url,
    )
    email_backend = Setting(
        "WENKU_EMAIL_BACKEND",
        "file",
        "How e-mail is sent: 'file' (each mail is a file under DATA_DIR/mail, for an "
        "operator to read: the default, nothing leaves the machine), 'console' (printed to "
        "the log) or 'smtp' (the WENKU_SMTP_* settings).",
        _choice("file", "console", "smtp"),
    )
    email_from = Setting(
        "WENKU_EMAIL_FROM", "noreply@localhost", "Sender address of the mails Wenku sends."
    )
    smtp_host = Setting(
        "WENKU_SMTP_HOST", "localhost", "SMTP server (with WENKU_EMAIL_BACKEND=smtp)."
    )
    smtp_port = Setting("WENKU_SMTP_PORT", "587", "SMTP server port.", _positive_int)
    smtp_user = Setting("WENKU_SMTP_USER", "", "SMTP user name; empty: no authentication.")
    smtp_password = Setting("WENKU_SMTP_PASSWORD", "", "SMTP password.")
    smtp_security = Setting(
        "WENKU_SMTP_SECURITY",
        "starttls",
        "Encryption to the SMTP server: 'starttls' (usually port 587), 'ssl' (usually 465) "
        "or 'none'.",
        _choice("starttls", "ssl", "none"),
    )
    email_verification = Setting(
        "WENKU_EMAIL_VERIFICATION",
        "true",
        "New accounts must confirm their e-mail address before they can log in (the sign-up "
        "bonus is granted then). false: accounts work, and get the bonus, at once.",
        _bool,
    )
    email_link_hours = Setting(
        "WENKU_EMAIL_LINK_HOURS",
        "24",
        "Lifetime of the links in verification and password-reset mails, in hours.",
        _positive_int,
    )
    avatar_max_mb = Setting(
        "WENKU_AVATAR_MAX_MB",
        "5",
        "Largest avatar image accepted for upload, in MB (it is stored re-encoded, 256×256).",
        _positive_int,
    )
    comments_page_size = Setting(
        "WENKU_COMMENTS_PAGE_SIZE",
        "20",
        "Comments (with their replies) per page on a document page.",
        _positive_int,
    )
    # --- rate limits: 'N/period' (10/15m, 5/1h, 100/d), or 'off'
    rate_login_account = Setting(
        "WENKU_RATE_LOGIN_ACCOUNT",
        "10/15m",
        "Log-in attempts per account (a successful log-in clears its count).",
        _rate,
    )
    rate_login_ip = Setting(
        "WENKU_RATE_LOGIN_IP", "30/15m", "Log-in attempts per client address.", _rate
    )
    rate_register_ip = Setting(
        "WENKU_RATE_REGISTER_IP", "5/1h", "New accounts per client address.", _rate
    )
    rate_email = Setting(
        "WENKU_RATE_EMAIL",
        "5/1h",
        "Password-reset and verification mails, counted per address and per client address.",
        _rate,
    )
    rate_comment = Setting("WENKU_RATE_COMMENT", "10/10m", "Comments and replies per user.", _rate)
    rate_rating = Setting("WENKU_RATE_RATING", "30/1h", "Ratings given or changed per user.", _rate)
    rate_find = Setting(
        "WENKU_RATE_FIND",
        "30/10m",
        "Searches inside one document (the reader's find box and the API), counted per "
        "client address and per signed-in reader.",
        _rate,
    )
    rate_search_ip = Setting(
        "WENKU_RATE_SEARCH_IP",
        "60/1m",
        "Site searches (the search page and the API, with words to search) per client address.",
        _rate,
    )
    rate_search_user = Setting(
        "WENKU_RATE_SEARCH_USER",
        "60/1m",
        "Site searches (the search page and the API, with words to search) per signed-in reader.",
        _rate,
    )
    rate_favourite = Setting(
        "WENKU_RATE_FAVOURITE", "60/1h", "Favourite and folder changes per user.", _rate
    )
    rate_report = Setting(
        "WENKU_RATE_REPORT",
        "10/1h",
        "Reports (举报) and copyright notices per user (a second report of the same thing "
        "is the same report and is not counted).",
        _rate,
    )
    rate_report_ip = Setting(
        "WENKU_RATE_REPORT_IP",
        "30/1h",
        "Reports (举报) and copyright notices per client address (several accounts behind "
        "one address share it).",
        _rate,
    )
    rate_upload_user = Setting(
        "WENKU_RATE_UPLOAD_USER", "60/1h", "Uploads per user, on the site and the API.", _rate
    )
    rate_upload_ip = Setting("WENKU_RATE_UPLOAD_IP", "120/1h", "Uploads per client address.", _rate)
    rate_page_image_user = Setting(
        "WENKU_RATE_PAGE_IMAGE_USER",
        "1500/10m",
        "Page images fetched per signed-in user (the reader's pages, the API's).",
        _rate,
    )
    rate_page_image_ip = Setting(
        "WENKU_RATE_PAGE_IMAGE_IP",
        "3000/10m",
        "Page images fetched per client address.",
        _rate,
    )
    # --- web server
    web_processes = Setting(
        "WENKU_WEB_PROCESSES", "2", "Web server processes started by `wenku serve`.", _positive_int
    )
    # Two, not four: a page is Python work under one GIL per process, and with four
    # threads a signed-in document page (about 20 queries, each giving the GIL away and
    # waiting to get it back) ran at 53 pages/s on two cores against 129 with two threads
    # (docs/benchmarks.md, Pages, 2026-12-04).
    web_threads = Setting(
        "WENKU_WEB_THREADS", "2", "Threads per web server process.", _positive_int
    )
    # --- client addresses and where they are
    hsts_seconds = Setting(
        "WENKU_HSTS_SECONDS",
        "31536000",
        "Strict-Transport-Security max-age sent with HTTPS responses (HTTPS as a trusted "
        "proxy reports it in X-Forwarded-Proto): browsers then use only HTTPS for the "
        "site this long. 0: not sent.",
        _non_negative_int,
    )
    trusted_proxies = Setting(
        "WENKU_TRUSTED_PROXIES",
        "127.0.0.1,::1",
        "Comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For header is believed when finding a client's real address, and "
        "whose X-Forwarded-Proto: https makes a request HTTPS (Secure cookies, HSTS). "
        "Empty: trust none (the direct peer is the client).",
        _networks,
    )
    ip2region_db = Setting(
        "WENKU_IP2REGION_DB",
        "",
        "ip2region data file(s) that place uploaders' addresses (发布于四川): .db, or .xdb "
        "for IPv4 or IPv6, comma-separated. Empty: the file `wenku geo update` installs "
        "(share/wenku/ip2region.db under the Python installation). No file: no place is shown.",
        _csv,
    )

    def __init__(self, values: Mapping[str, Any]) -> None:
        missing = {s.name for s in SETTINGS} - set(values)
        if missing:
            raise ConfigError(f"missing settings: {', '.join(sorted(missing))}")
        object.__setattr__(self, "_values", dict(values))

    _values: dict[str, Any]

    def replace(self, **changes: Any) -> Config:
        """A copy with some values changed (already parsed: ``replace(preview_pages=3)``)."""
        values = dict(self._values)
        for attr, value in changes.items():
            setting = BY_ATTR.get(attr)
            if setting is None:
                raise AttributeError(f"no setting named {attr!r}")
            values[setting.name] = value
        return Config(values)

    def __setattr__(self, attr: str, value: object) -> None:
        raise AttributeError(f"settings are read-only: use replace({attr}=…)")

    def __repr__(self) -> str:
        return f"Config({len(self._values)} settings)"


SETTINGS: tuple[Setting[Any], ...] = tuple(
    value for value in vars(Config).values() if isinstance(value, Setting)
)
BY_NAME: Mapping[str, Setting[Any]] = {s.name: s for s in SETTINGS}
BY_ATTR: Mapping[str, Setting[Any]] = {s.attr: s for s in SETTINGS}


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate every setting; raise ConfigError naming the bad variable."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.name, setting.default)
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.name}: {exc}") from None
    if values["WENKU_CDN_URL"] and not values["WENKU_CDN_SECRET"]:
        raise ConfigError(
            "WENKU_CDN_URL needs WENKU_CDN_SECRET: unsigned CDN URLs would show every page "
            "of every document, past any free preview"
        )
    return Config(values)


def site_host(c: Config) -> str:
    """The host of WENKU_SITE_URL ('' without one), as Django's ALLOWED_HOSTS spells it."""
    from urllib.parse import urlsplit

    if not c.site_url:
        return ""
    host = urlsplit(c.site_url).hostname or ""
    return f"[{host}]" if ":" in host else host


def allowed_hosts(c: Config) -> list[str]:
    """Django's ALLOWED_HOSTS: WENKU_ALLOWED_HOSTS and the site's own host."""
    hosts = list(c.allowed_hosts)
    host = site_host(c)
    if host and host not in hosts:
        hosts.append(host)
    return hosts


def trusted_origins(c: Config) -> list[str]:
    """Django's CSRF_TRUSTED_ORIGINS: WENKU_CSRF_TRUSTED_ORIGINS and the site's origin."""
    origins = list(c.csrf_trusted_origins)
    if c.site_url and c.site_url not in origins:
        origins.append(c.site_url)
    return origins


def conf() -> Config:
    """This site's settings (Django's ``settings.WENKU``, loaded once at start-up)."""
    from django.conf import settings

    return settings.WENKU
