from django.http import HttpRequest

from wenku.config import conf


def site(request: HttpRequest) -> dict[str, object]:
    return {"SITE_NAME": conf().site_name}
